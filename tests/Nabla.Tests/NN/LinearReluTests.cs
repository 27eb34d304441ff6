using Nabla.Graph;
using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>
/// Linear is one op (AddmmBackward), and Module.Fuse() makes a Linear followed by a Relu one op (Note [Fused linear],
/// Note [Fusion]); these tests hold both to the separate ops (matmul with the transposed weight, bias add, relu) bit for
/// bit, forward and backward, and check when they must not fuse.
/// </summary>
public class LinearReluTests
{
    private static Tensor Leaf(ulong seed, DType dtype, params int[] shape)
    {
        Tensor t = Tensor.Randn(shape, dtype, new Generator(seed)).Detach();
        t.RequiresGrad = true;
        return t;
    }

    private static void AssertBitIdentical(Tensor? expected, Tensor? actual)
    {
        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected!.Shape, actual!.Shape);
        Assert.Equal(expected.ToDoubleArray(), actual.ToDoubleArray());
    }

    /// <summary>The separate ops Linear used to record: a transposed view, a matmul, a broadcast add, a relu.</summary>
    private static Tensor Separate(Tensor x, Tensor w, Tensor? b, bool relu)
    {
        Tensor y = x.Rank <= 2
            ? x.MatMul(w.MT)
            : x.Reshape(-1, x.Dims[^1]).MatMul(w.MT).Reshape([.. x.Dims[..^1], w.Dims[0]]);
        if (b is not null) y += b;
        return relu ? y.Relu() : y;
    }

    [Theory]
    [InlineData(new[] { 128, 784 }, 512, true, true, true)]
    [InlineData(new[] { 128, 512 }, 256, true, false, true)]
    [InlineData(new[] { 7, 5 }, 3, false, true, true)]
    [InlineData(new[] { 1, 9 }, 4, true, true, false)]
    [InlineData(new[] { 33, 17 }, 10, true, true, false)]
    [InlineData(new[] { 2, 3, 6 }, 5, true, true, true)]
    [InlineData(new[] { 4, 1, 3, 8 }, 2, false, true, false)]
    public void Fused_OutputAndGradients_AreBitIdenticalToTheSeparateOps(int[] inputShape, int outFeatures, bool bias, bool relu, bool inputNeedsGrad)
    {
        foreach (DType dtype in new[] { DType.Float32, DType.Float64 })
        {
            int inFeatures = inputShape[^1];
            Tensor x1 = Leaf(3, dtype, inputShape), x2 = Leaf(3, dtype, inputShape);
            x1.RequiresGrad = x2.RequiresGrad = inputNeedsGrad;
            Tensor w1 = Leaf(5, dtype, outFeatures, inFeatures), w2 = Leaf(5, dtype, outFeatures, inFeatures);
            Tensor? b1 = bias ? Leaf(7, dtype, outFeatures) : null, b2 = bias ? Leaf(7, dtype, outFeatures) : null;

            Tensor y1 = relu ? Functional.LinearRelu(x1, w1, b1) : Functional.Linear(x1, w1, b1);
            string node = (bias ? "Addmm" : "Mm") + (relu ? "Relu" : "") + "Backward";
            // A higher-rank input is folded into rows, so its result is a reshape of the fused op's.
            Assert.Equal(node, inputShape.Length == 2 ? y1.GradFn!.Name : y1.GradFn!.NextFunctions()[0]!.Name);
            Tensor y2 = Separate(x2, w2, b2, relu);
            AssertBitIdentical(y2, y1);

            Tensor weights = Tensor.Randn(y1.Dims, dtype, new Generator(11));
            (y1 * weights).Sum().Backward();
            (y2 * weights).Sum().Backward();
            AssertBitIdentical(w2.Grad, w1.Grad);
            if (bias) AssertBitIdentical(b2!.Grad, b1!.Grad);
            if (inputNeedsGrad) AssertBitIdentical(x2.Grad, x1.Grad);
            else Assert.Null(x1.Grad);
            if (relu) Assert.Contains(y1.ToDoubleArray(), v => v == 0); // some outputs were clamped, so the mask mattered
        }
    }

    [Fact]
    public void Linear_RecordsOneNode_OverTheInputTheWeightAndTheBias()
    {
        Tensor x = Leaf(1, DType.Float32, 4, 3), w = Leaf(2, DType.Float32, 5, 3), b = Leaf(3, DType.Float32, 5);
        Tensor y = Functional.Linear(x, w, b);
        Assert.Equal("AddmmBackward", y.GradFn!.Name);
        Assert.Equal(3, y.GradFn.NextFunctions().Count);
        Assert.Equal("MmBackward", Functional.Linear(x, w).GradFn!.Name);
        using (Autograd.NoGrad()) Assert.Null(Functional.Linear(x, w, b).GradFn);
    }

    [Fact]
    public void Fuse_ALinearDirectlyFollowedByARelu_Only()
    {
        var gen = new Generator(3);
        var model = new Sequential(new Linear(4, 6, generator: gen), new Tanh(), new Linear(6, 5, generator: gen), new Relu(), new Relu(),
            new Linear(5, 2, generator: gen));
        Assert.Equal("AddmmBackward", model.Forward(Leaf(1, DType.Float32, 3, 4)).GradFn!.NextFunctions()[0]!.NextFunctions()[0]!.NextFunctions()[0]!.Name);
        string[] names = [.. model.StateDict().Keys];
        Assert.Same(model, model.Fuse());
        Assert.Equal(names, model.StateDict().Keys);
        Assert.IsType<LinearRelu>(model[2]);
        Assert.IsType<Identity>(model[3]);
        Assert.Contains("(2): LinearReLU(in_features=6, out_features=5, bias=True)", model.ToString());
        Tensor y = model.Forward(Leaf(1, DType.Float32, 3, 4));
        Node last = y.GradFn!;
        Assert.Equal("AddmmBackward", last.Name);
        Node secondRelu = last.NextFunctions()[0]!;
        Assert.Equal("ReluBackward", secondRelu.Name);
        Assert.Equal("AddmmReluBackward", secondRelu.NextFunctions()[0]!.Name);
    }

    [Fact]
    public void Hooks_OnEitherModule_KeepTheOpsSeparate_AndTheHooksSeeTheIntermediate()
    {
        foreach (bool hookOnLinear in new[] { false, true })
        {
            var linear = new Linear(3, 8, generator: new Generator(2));
            var relu = new Relu();
            var model = new Sequential(linear, relu);
            Tensor? seen = null;
            using IDisposable hook = (hookOnLinear ? (Module)linear : relu).RegisterForwardHook((_, input, output) => seen = hookOnLinear ? output : input);
            model.Fuse();
            Tensor y = model.Forward(Leaf(4, DType.Float32, 5, 3));
            Assert.Equal("ReluBackward", y.GradFn!.Name);
            Assert.Equal("AddmmBackward", seen!.GradFn!.Name);
            Assert.Contains(seen.ToDoubleArray(), v => v < 0); // the pre-activation, which fusion would not have made
        }
    }

    [Fact]
    public void AnomalyMode_RunsTheSameOps_AndNamesTheFusedOpAndItsModule()
    {
        Tensor x = Leaf(1, DType.Float32, 2, 3), w = Leaf(2, DType.Float32, 4, 3), b = Leaf(3, DType.Float32, 4);
        var model = new Sequential(new Linear(3, 4, generator: new Generator(4)), new Relu()).Fuse();
        using (Autograd.DetectAnomaly())
        {
            Assert.Equal("AddmmBackward", Functional.Linear(x, w, b).GradFn!.Name);
            Assert.Equal("AddmmReluBackward", model.Forward(x).GradFn!.Name);
            using (Autograd.NoGrad()) model.Parameters().First().CopyFrom(Tensor.Ones([4, 3]));
            var e = Assert.Throws<AnomalyException>(() => model.Forward(Tensor.Full([2, 3], 3e38, DType.Float32)));
            Assert.Equal("AddmmRelu", e.OpName);
            Assert.Contains("in module LinearReLU(in_features=3, out_features=4, bias=True), inside Sequential", e.Message);
        }
        Assert.Equal("AddmmReluBackward", model.Forward(x).GradFn!.Name);
    }

    [Fact]
    public void Fused_NaNStaysNaN_AsInTheSeparateRelu_AndMixedDTypesGiveTheMatmulError()
    {
        Tensor x = Tensor.From(new[] { 1.0, double.NaN, 2.0, 0.5, -1.0, 3.0 }, [2, 3], dtype: DType.Float64);
        Tensor w = Tensor.Randn([4, 3], DType.Float64, new Generator(1)), b = Tensor.Randn([4], DType.Float64, new Generator(2));
        Tensor fused = Functional.LinearRelu(x, w, b), separate = Separate(x, w, b, relu: true);
        Assert.Contains(fused.ToDoubleArray(), double.IsNaN);
        Assert.Equal(separate.ToDoubleArray(), fused.ToDoubleArray());

        var e = Assert.ThrowsAny<ArgumentException>(() => Functional.Linear(Tensor.Zeros([2, 3]), w, b));
        Assert.Contains("float32", e.Message);
        Assert.Contains("float64", e.Message);
    }

    [Fact]
    public void Fused_GradientsMatchFiniteDifferences_AndSecondDerivativesMatchTheComposite()
    {
        Tensor w = FunctionalGradCheck.Param(21, 4, 3), b = FunctionalGradCheck.Param(22, 4), x = FunctionalGradCheck.Param(23, 5, 3);
        FunctionalGradCheck.AssertGradients(t => (Functional.LinearRelu(t[0], t[1], t[2]) * 1.5).Sum(), x, w, b);
        FunctionalGradCheck.AssertGradients(t => Functional.Linear(t[0], t[1], t[2]).Tanh().Sum(), x, w, b);
        FunctionalGradCheck.AssertHessianVectorProduct(t => Functional.Linear(t[0], t[1], t[2]).Pow(3).Sum(), x, w, b);

        Tensor[] Grads(bool fused)
        {
            Tensor[] p = [x.Detach(), w.Detach(), b.Detach()];
            foreach (Tensor t in p) t.RequiresGrad = true;
            Tensor y = fused ? Functional.LinearRelu(p[0], p[1], p[2]) : Separate(p[0], p[1], p[2], relu: true);
            Tensor?[] g = Autograd.Grad([y.Pow(3).Sum()], p, createGraph: true);
            Tensor gg = g[0]!.Pow(2).Sum() + g[1]!.Pow(2).Sum() + g[2]!.Pow(2).Sum();
            return Autograd.Grad([gg], p).Select(t => t!).ToArray();
        }
        Tensor[] fusedSecond = Grads(true), compositeSecond = Grads(false);
        for (int i = 0; i < 3; i++) FunctionalGradCheck.AssertAll(compositeSecond[i].ToDoubleArray(), fusedSecond[i]);
    }
}
