using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>
/// Module.Fuse() makes a Conv2d followed by a Relu one op (Note [Fused convolution + ReLU]); these tests hold it to the
/// two separate ops bit for bit, forward and backward, and check when it must not fuse.
/// </summary>
public class Conv2dReluTests
{
    private static (Sequential Fused, Conv2d Conv, Relu Relu) Model(int cin, int cout, int kernel, int stride, int padding, int groups, DType dtype, ulong seed)
    {
        var conv = new Conv2d(cin, cout, kernel, stride, padding, groups: groups, dtype: dtype, generator: new Generator(seed));
        var relu = new Relu();
        var fused = new Sequential(conv, relu);
        fused.Fuse();
        return (fused, conv, relu);
    }

    private static Tensor Input(ulong seed, DType dtype, params int[] shape)
    {
        Tensor x = Tensor.Randn(shape, dtype, new Generator(seed)).Detach();
        x.RequiresGrad = true;
        return x;
    }

    private static void AssertBitIdentical(Tensor expected, Tensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        Assert.Equal(expected.ToDoubleArray(), actual.ToDoubleArray());
    }

    [Theory]
    [InlineData(1, 1, 3, 3, 1, 0, 1, 5, 5)]
    [InlineData(2, 3, 8, 3, 1, 1, 1, 9, 7)]
    [InlineData(5, 4, 6, 3, 2, 1, 2, 11, 10)]
    [InlineData(3, 2, 4, 1, 1, 0, 1, 6, 6)]
    [InlineData(128, 1, 32, 3, 1, 0, 1, 28, 28)]
    public void Fused_OutputAndGradients_AreBitIdenticalToConvThenRelu(int n, int cin, int cout, int kernel, int stride, int padding, int groups, int h, int w)
    {
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            var (fused, conv, relu) = Model(cin, cout, kernel, stride, padding, groups, dtype, 7);
            Tensor x1 = Input(3, dtype, n, cin, h, w), x2 = Input(3, dtype, n, cin, h, w);
            Tensor y1 = fused.Forward(x1);
            Assert.Equal("ConvolutionReluBackward", y1.GradFn!.Name);
            Tensor weights = Tensor.Randn(y1.Dims, dtype, new Generator(11));
            (y1 * weights).Sum().Backward();
            Tensor gw1 = conv.Weight.Grad!, gb1 = conv.Bias!.Grad!;
            conv.Weight.Grad = conv.Bias.Grad = null;

            Tensor y2 = relu.Forward(conv.Forward(x2));
            Assert.Equal("ReluBackward", y2.GradFn!.Name);
            (y2 * weights).Sum().Backward();

            AssertBitIdentical(y2, y1);
            AssertBitIdentical(x2.Grad!, x1.Grad!);
            AssertBitIdentical(conv.Weight.Grad!, gw1);
            AssertBitIdentical(conv.Bias.Grad!, gb1);
            Assert.True(y1.ToDoubleArray().Min() >= 0);
            Assert.Contains(y1.ToDoubleArray(), v => v == 0); // some outputs were clamped, so the mask mattered
        }
    }

    [Fact]
    public void Fused_WithoutGradients_MatchesTheTwoOps()
    {
        var (fused, conv, relu) = Model(2, 5, 3, 1, 1, 1, DType.Float32, 9);
        Tensor x = Tensor.Randn([4, 2, 8, 8], generator: new Generator(1));
        using (Autograd.NoGrad())
        {
            Tensor y = fused.Forward(x);
            Assert.Null(y.GradFn);
            AssertBitIdentical(relu.Forward(conv.Forward(x)), y);
        }
    }

    [Fact]
    public void Fused_NaNStaysNaN_AsInTheSeparateRelu()
    {
        var (fused, conv, relu) = Model(1, 2, 3, 1, 0, 1, DType.Float64, 5);
        double[] data = Enumerable.Range(0, 36).Select(i => i == 14 ? double.NaN : Math.Sin(i)).ToArray();
        Tensor x = Tensor.From(data, [1, 1, 6, 6], dtype: DType.Float64);
        Tensor fusedOut = fused.Forward(x), separate = relu.Forward(conv.Forward(x));
        Assert.Contains(fusedOut.ToDoubleArray(), double.IsNaN);
        Assert.Equal(separate.ToDoubleArray(), fusedOut.ToDoubleArray());
    }

    [Fact]
    public void Hooks_OnEitherModule_KeepTheOpsSeparate_AndTheHooksSeeTheIntermediate()
    {
        foreach (bool hookOnConv in new[] { false, true })
        {
            var conv = new Conv2d(1, 3, 3, generator: new Generator(2));
            var relu = new Relu();
            var fused = new Sequential(conv, relu);
            Tensor? seen = null;
            using IDisposable hook = (hookOnConv ? (Module)conv : relu).RegisterForwardHook((_, input, output) => seen = hookOnConv ? output : input);
            fused.Fuse();
            Tensor x = Input(4, DType.Float32, 2, 1, 7, 7);
            Tensor y = fused.Forward(x);
            Assert.Equal("ReluBackward", y.GradFn!.Name);
            Assert.NotNull(seen);
            Assert.Equal("ConvolutionBackward", seen!.GradFn!.Name);
            Assert.Contains(seen.ToDoubleArray(), v => v < 0); // the pre-activation, which fusion would not have made
        }
    }

    [Fact]
    public void OnlyAConv2dDirectlyFollowedByARelu_IsFused()
    {
        var gen = new Generator(3);
        var model = new Sequential(new Conv2d(1, 2, 3, generator: gen), new Tanh(), new Conv2d(2, 2, 3, generator: gen), new Relu(), new Relu());
        model.Fuse();
        Assert.IsType<Conv2dRelu>(model[2]);
        Tensor x = Input(1, DType.Float32, 1, 1, 9, 9);
        Tensor y = model.Forward(x);
        // The second Relu runs on its own after the fused pair.
        Assert.Equal("ReluBackward", y.GradFn!.Name);
        Assert.Equal("ConvolutionReluBackward", y.GradFn.NextFunctions()[0]!.Name);
    }

    [Fact]
    public void Fused_GradientsMatchFiniteDifferences_AndSecondDerivativesMatchTheComposite()
    {
        // Random inputs: a central difference straddles the kink at 0 only if an output lies within eps of it.
        Tensor w = FunctionalGradCheck.Param(21, 3, 2, 3, 3), b = FunctionalGradCheck.Param(22, 3);
        Tensor x = FunctionalGradCheck.Param(23, 2, 2, 5, 5);
        int[] one = [1, 1], zero = [0, 0];
        Tensor Fused(Tensor[] t) => (Functional.Conv2dRelu(t[0], t[1], t[2], one, zero, one, 1) * 1.5).Sum();
        FunctionalGradCheck.AssertGradients(Fused, x, w, b);
        FunctionalGradCheck.AssertHessianVectorProduct(t => Functional.Conv2dRelu(t[0], t[1], t[2], one, zero, one, 1).Pow(2).Sum(), x, w, b);

        // Double backward through the fused node equals double backward through the two recorded ops.
        Tensor[] Grads(bool fused)
        {
            Tensor[] p = [x.Detach(), w.Detach(), b.Detach()];
            foreach (Tensor t in p) t.RequiresGrad = true;
            Tensor y = fused ? Functional.Conv2dRelu(p[0], p[1], p[2], one, zero, one, 1) : Functional.Conv2d(p[0], p[1], p[2], one, zero, one, 1).Relu();
            Tensor?[] g = Autograd.Grad([y.Pow(2).Sum()], p, createGraph: true);
            Tensor gg = g[0]!.Pow(2).Sum() + g[1]!.Pow(2).Sum() + g[2]!.Pow(2).Sum();
            return Autograd.Grad([gg], p).Select(t => t!).ToArray();
        }
        Tensor[] fusedSecond = Grads(true), compositeSecond = Grads(false);
        for (int i = 0; i < 3; i++) FunctionalGradCheck.AssertAll(compositeSecond[i].ToDoubleArray(), fusedSecond[i]);
    }
}
