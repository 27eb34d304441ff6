using static Nabla.Tests.IndexConvGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>ConvTranspose1d and ConvTranspose2d (Ops/ConvTranspose.cs): hand-computed values, the README's definition, conv's input gradient, gradients and errors.</summary>
public class ConvTransposeTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    // ---- hand-computed ----

    [Fact]
    public void ConvTranspose1d_Stride2_PlacesScaledKernelPerInputPosition()
    {
        // full[i*2 + k] += x[i] * w[k] with w = [1, 10]: [1, 10, 2, 20, 3, 30].
        Tensor x = D([1, 2, 3], 1, 1, 3), w = D([1, 10], 1, 1, 2);
        AssertClose([1, 10, 2, 20, 3, 30], Functional.ConvTranspose1d(x, w, stride: 2));
    }

    [Fact]
    public void ConvTranspose1d_PaddingAndOutputPadding_CropFrontAndExtendEnd()
    {
        Tensor x = D([1, 2, 3], 1, 1, 3), w = D([1, 10], 1, 1, 2);
        // padding 1 removes one position at each end of the full output [1, 10, 2, 20, 3, 30].
        AssertClose([10, 2, 20, 3], Functional.ConvTranspose1d(x, w, stride: 2, padding: 1));
        // output_padding 1 adds one position at the end: L_out = (3-1)*2 - 2 + 1 + 1 + 1 = 5.
        AssertClose([10.5, 2.5, 20.5, 3.5, 30.5], Functional.ConvTranspose1d(x, w, D([0.5], 1), stride: 2, padding: 1, outputPadding: 1));
    }

    [Fact]
    public void ConvTranspose1d_OutputPaddingBeyondEveryTap_IsBiasOnly()
    {
        // stride 3, kernel 1: taps land on 0, 3; output_padding 2 adds positions 4 and 5 that no tap reaches.
        Tensor y = Functional.ConvTranspose1d(D([1, 2], 1, 1, 2), D([2], 1, 1, 1), D([0.25], 1), stride: 3, outputPadding: 2);
        AssertClose([2.25, 0.25, 0.25, 4.25, 0.25, 0.25], y);
    }

    [Fact]
    public void ConvTranspose2d_Groups_KeepBlocksApart()
    {
        // Two groups of one channel: output channel g sees only input channel g.
        Tensor x = D([1, 2], 1, 2, 1, 1), w = D([3, 4, 5, 6], 2, 2, 1, 1);
        // group 0: input channel 0 (1) times weight[0] = [3, 4] -> output channels 0, 1; group 1: 2 * [5, 6] -> channels 2, 3.
        AssertClose([3, 4, 10, 12], Functional.ConvTranspose2d(x, w, groups: 2));
    }

    // ---- the README's definition, over many configurations ----

    public static TheoryData<int[], int[], int[], int[], int[], int[], int, bool> Configurations() => new()
    {
        // input [N, C_in, H, W], kernel [kH, kW], stride, padding, output_padding, dilation, groups, bias
        { [2, 3, 4, 5], [3, 3], [1, 1], [0, 0], [0, 0], [1, 1], 1, true },
        { [1, 2, 3, 4], [2, 3], [2, 1], [1, 0], [1, 0], [1, 2], 1, true },
        { [2, 4, 3, 3], [3, 2], [1, 2], [0, 1], [1, 1], [2, 1], 2, false },
        { [1, 4, 5, 4], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1], 4, true },
        { [3, 2, 4, 4], [1, 1], [2, 3], [0, 0], [1, 2], [1, 1], 1, false },
        { [1, 3, 3, 3], [2, 2], [3, 2], [2, 3], [2, 1], [1, 1], 3, true },
        { [2, 8, 9, 7], [3, 3], [2, 2], [1, 1], [1, 0], [2, 3], 2, true },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ConvTranspose2d_ManyConfigurations_MatchesDefinition(int[] input, int[] kernel, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
        int groups, bool bias)
    {
        var gen = new Generator(21);
        int cout = 2 * groups;
        Tensor x = Tensor.Randn(input, DType.Float64, gen), w = Tensor.Randn([input[1], cout / groups, kernel[0], kernel[1]], DType.Float64, gen);
        Tensor? b = bias ? Tensor.Randn([cout], DType.Float64, gen) : null;
        Tensor y = Functional.ConvTranspose2d(x, w, b, stride, padding, outputPadding, groups, dilation);
        AssertNear(Definition(x, w, b, stride, padding, outputPadding, groups, dilation), y);
    }

    [Fact]
    public void ConvTranspose2d_LargeBatch_MatchesDefinitionOnTheThreadedPath()
    {
        var gen = new Generator(22);
        Tensor x = Tensor.Randn([8, 16, 12, 12], DType.Float64, gen), w = Tensor.Randn([16, 8, 4, 4], DType.Float64, gen), b = Tensor.Randn([8], DType.Float64, gen);
        Tensor y = Functional.ConvTranspose2d(x, w, b, [2, 2], [1, 1]);
        Assert.Equal(new Shape(8, 8, 24, 24), y.Shape);
        AssertNear(Definition(x, w, b, [2, 2], [1, 1], [0, 0], 1, [1, 1]), y);
    }

    [Theory]
    [InlineData(1, 1, 0, 1, 1)]
    [InlineData(2, 2, 1, 2, 1)]
    [InlineData(3, 1, 2, 1, 2)]
    public void ConvTranspose2d_IsTheInputGradientOfConv2d(int stride, int padding, int outputPadding, int dilation, int groups)
    {
        var gen = new Generator(23);
        Tensor x = Tensor.Randn([2, 4, 3, 4], DType.Float64, gen), w = Tensor.Randn([4, 6 / groups, 3, 2], DType.Float64, gen);
        Tensor y = Functional.ConvTranspose2d(x, w, null, [stride, stride], [padding, padding], [outputPadding, outputPadding], groups, [dilation, dilation]);
        // conv2d maps y's shape back to x's shape; its input gradient for upstream x is the transposed convolution.
        Tensor z = Tensor.Zeros(y.Shape.ToArray(), DType.Float64, requiresGrad: true);
        Tensor c = Functional.Conv2d(z, w, null, [stride, stride], [padding, padding], [dilation, dilation], groups);
        Assert.Equal(x.Shape, c.Shape);
        c.Backward(x);
        AssertNear(z.Grad!.ToDoubleArray(), y);
    }

    [Fact]
    public void ConvTranspose1d_MatchesConvTranspose2dOverHeightOne()
    {
        var gen = new Generator(24);
        Tensor x = Tensor.Randn([2, 4, 5], DType.Float64, gen), w = Tensor.Randn([4, 3, 3], DType.Float64, gen), b = Tensor.Randn([6], DType.Float64, gen);
        Tensor y = Functional.ConvTranspose1d(x, w, b, stride: 2, padding: 1, outputPadding: 1, groups: 2, dilation: 2);
        Tensor expected = Functional.ConvTranspose2d(x.Unsqueeze(2), w.Unsqueeze(2), b, [1, 2], [0, 1], [0, 1], 2, [1, 2]).Squeeze(2);
        Assert.Equal(new Shape(2, 6, 12), y.Shape);
        AssertNear(expected.ToDoubleArray(), y);
    }

    [Fact]
    public void ConvTranspose2d_UnbatchedInput_MatchesBatched()
    {
        var gen = new Generator(25);
        Tensor x = Tensor.Randn([2, 3, 3], DType.Float64, gen), w = Tensor.Randn([2, 3, 2, 2], DType.Float64, gen);
        Tensor y = Functional.ConvTranspose2d(x, w, stride: [2, 2]);
        Assert.Equal(new Shape(3, 6, 6), y.Shape);
        AssertNear(Functional.ConvTranspose2d(x.Unsqueeze(0), w, stride: [2, 2]).ToDoubleArray(), y);
        Assert.Equal(new Shape(3, 4), Functional.ConvTranspose1d(Tensor.Randn([2, 3], DType.Float64, gen), Tensor.Randn([2, 3, 2], DType.Float64, gen)).Shape);
    }

    [Fact]
    public void ConvTranspose2d_EmptyBatch_GivesEmptyOutputAndZeroWeightGradient()
    {
        var w = Tensor.Randn([2, 3, 3, 3], DType.Float64, new Generator(26), requiresGrad: true);
        Tensor y = Functional.ConvTranspose2d(Tensor.Zeros([0, 2, 4, 4], DType.Float64), w);
        Assert.Equal(new Shape(0, 3, 6, 6), y.Shape);
        y.Sum().Backward();
        Assert.All(w.Grad!.ToDoubleArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ConvTranspose2d_NonContiguousInputAndWeight_MatchContiguous()
    {
        var gen = new Generator(27);
        Tensor x = Tensor.Randn([1, 2, 4, 3], DType.Float64, gen), w = Tensor.Randn([2, 3, 2, 2], DType.Float64, gen);
        Tensor xt = x.Transpose(2, 3).Contiguous().Transpose(2, 3), wt = w.Transpose(0, 1).Contiguous().Transpose(0, 1);
        Assert.False(xt.IsContiguous);
        Assert.False(wt.IsContiguous);
        AssertNear(Functional.ConvTranspose2d(x, w, stride: [2, 1]).ToDoubleArray(), Functional.ConvTranspose2d(xt, wt, stride: [2, 1]));
    }

    [Fact]
    public void ConvTranspose2d_Float32_MatchesFloat64()
    {
        var gen = new Generator(28);
        Tensor x = Tensor.Randn([2, 4, 5, 4], DType.Float64, gen), w = Tensor.Randn([4, 1, 2, 3], DType.Float64, gen), b = Tensor.Randn([2], DType.Float64, gen);
        double[] expected = Functional.ConvTranspose2d(x, w, b, [2, 1], groups: 2).ToDoubleArray();
        Tensor actual = Functional.ConvTranspose2d(x.Float(), w.Float(), b.Float(), [2, 1], groups: 2);
        Assert.Equal(DType.Float32, actual.DType);
        double[] a = actual.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], a[i], 4);
    }

    // ---- gradients ----

    [Theory]
    [InlineData(1, 1, 0, 0, 0, 0, 1, 1, 1, true)]
    [InlineData(2, 1, 1, 0, 1, 0, 1, 2, 1, true)]
    [InlineData(1, 2, 1, 2, 0, 1, 2, 1, 2, false)]
    [InlineData(2, 2, 0, 1, 1, 1, 2, 2, 4, true)]
    [InlineData(1, 1, 0, 0, 0, 0, 1, 1, 4, false)]
    public void ConvTranspose2d_Gradient_MatchesFiniteDifference(int sh, int sw, int ph, int pw, int oph, int opw, int dh, int dw, int groups, bool withBias)
    {
        var gen = new Generator(29);
        Tensor x = Leaf(gen, 2, 4, 3, 4);
        Tensor w = Leaf(gen, 4, 8 / groups, 3, 2);
        Tensor[] inputs = withBias ? [x, w, Leaf(gen, 8)] : [x, w];
        Check(t => Functional.ConvTranspose2d(t[0], t[1], withBias ? t[2] : null, [sh, sw], [ph, pw], [oph, opw], groups, [dh, dw]), inputs);
    }

    [Fact]
    public void ConvTranspose2d_OnlyInputOrOnlyWeightRequiresGrad_GivesTheSameGradientAsBoth()
    {
        var gen = new Generator(30);
        Tensor x = Tensor.Randn([2, 2, 3, 3], DType.Float64, gen), w = Tensor.Randn([2, 3, 2, 2], DType.Float64, gen);
        Tensor up = Tensor.Randn([2, 3, 6, 6], DType.Float64, gen);
        Tensor xb = Lift(x), wb = Lift(w);
        Tensor?[] both = Autograd.Grad([(Functional.ConvTranspose2d(xb, wb, stride: [2, 2]) * up).Sum()], [xb, wb]);
        Tensor xl = Lift(x), wl = Lift(w);
        Tensor dx = Autograd.Grad([(Functional.ConvTranspose2d(xl, w, stride: [2, 2]) * up).Sum()], [xl])[0]!;
        Tensor dw = Autograd.Grad([(Functional.ConvTranspose2d(x, wl, stride: [2, 2]) * up).Sum()], [wl])[0]!;
        AssertNear(both[0]!.ToDoubleArray(), dx);
        AssertNear(both[1]!.ToDoubleArray(), dw);
    }

    [Fact]
    public void ConvTranspose2d_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(31);
        Tensor x = Leaf(gen, 2, 2, 3, 3), w = Leaf(gen, 2, 4, 2, 3), b = Leaf(gen, 8);
        // bilinear in (x, w): the Hessian's cross blocks are what double backward must get right
        CheckSecondOrder(t => Functional.ConvTranspose2d(t[0], t[1], t[2], [2, 1], [1, 0], [1, 0], 2, [1, 2]), x, w, b);
    }

    [Fact]
    public void ConvTranspose1d_Gradient_MatchesFiniteDifference()
    {
        var gen = new Generator(32);
        Check(t => Functional.ConvTranspose1d(t[0], t[1], t[2], stride: 3, padding: 1, outputPadding: 2, dilation: 2), Leaf(gen, 2, 3, 4), Leaf(gen, 3, 2, 3), Leaf(gen, 2));
    }

    [Fact]
    public void ConvTranspose2d_GradFn_IsPyTorchsConvolutionBackward()
    {
        var x = Tensor.Randn([1, 1, 2, 2], DType.Float64, new Generator(33), requiresGrad: true);
        Assert.Equal("ConvolutionBackward", Functional.ConvTranspose2d(x, Tensor.Ones([1, 1, 2, 2], DType.Float64)).GradFn!.Name);
    }

    // ---- errors ----

    [Fact]
    public void ConvTranspose2d_OutputPaddingNotBelowStrideOrDilation_ThrowsNamingBoth()
    {
        Tensor x = Tensor.Zeros([1, 2, 3, 3], DType.Float64), w = Tensor.Zeros([2, 1, 3, 3], DType.Float64);
        var ex = Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(x, w, stride: [2, 1], outputPadding: [1, 1]));
        ErrorAssert.AssertMessage(ex, "conv_transpose2d", "output_padding [1, 1]", "max(stride, dilation)", "stride [2, 1]", "dilation [1, 1]");
        // dilation 2 allows output_padding 1 at stride 1.
        Assert.Equal(new Shape(1, 1, 8, 8), Functional.ConvTranspose2d(x, w, outputPadding: [1, 1], dilation: [2, 2]).Shape);
    }

    [Fact]
    public void ConvTranspose1d_WrongChannelCount_ThrowsNamingBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.ConvTranspose1d(Tensor.Zeros([1, 3, 4], DType.Float64), Tensor.Zeros([2, 1, 3], DType.Float64)));
        ErrorAssert.AssertMessage(ex, "conv_transpose1d", "[2, 1, 3]", "expects input with 2 channels", "[1, 3, 4]", "3 channels");
    }

    [Fact]
    public void ConvTranspose2d_BadBiasGroupsRankOrSize_ThrowClearly()
    {
        Tensor x = Tensor.Zeros([1, 4, 3, 3], DType.Float64), w = Tensor.Zeros([4, 2, 3, 3], DType.Float64);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(x, w, Tensor.Zeros([2], DType.Float64), groups: 2)),
            "conv_transpose2d", "expected bias of shape [4]", "[2]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(x, w, groups: 3)), "conv_transpose2d", "in_channels 4", "groups=3");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(Tensor.Zeros([4, 3], DType.Float64), w)),
            "conv_transpose2d", "rank 4", "[4, 3]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(x, w, padding: [3, 0])),
            "conv_transpose2d", "output size [-1]", "positive output size");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(Tensor.Zeros([1, 4, 0, 3], DType.Float64), w)),
            "conv_transpose2d", "non-empty input", "[1, 4, 0, 3]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Functional.ConvTranspose2d(x, w, stride: [0, 1])), "conv_transpose2d", "stride");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.ConvTranspose2d(x, w.Float())), "conv_transpose2d", "dtype");
    }

    // ---- helpers ----

    private static Tensor Lift(Tensor t)
    {
        Tensor leaf = t.Detach();
        leaf.RequiresGrad = true;
        return leaf;
    }

    /// <summary>The reference README's definition, written as loops: scatter every input tap into the full output, then crop and add the bias.</summary>
    private static double[] Definition(Tensor x, Tensor w, Tensor? b, int[] s, int[] p, int[] op, int groups, int[] d)
    {
        int n = x.Dims[0], cin = x.Dims[1], h = x.Dims[2], wd = x.Dims[3], coutG = w.Dims[1], kh = w.Dims[2], kw = w.Dims[3];
        int cout = coutG * groups, cinG = cin / groups;
        int oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1, ow = (wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1;
        double[] xv = x.ToDoubleArray(), wv = w.ToDoubleArray(), bv = b?.ToDoubleArray() ?? new double[cout];
        var y = new double[n * cout * oh * ow];
        for (int i = 0; i < n; i++)
            for (int co = 0; co < cout; co++)
                for (int a = 0; a < oh; a++)
                    for (int c = 0; c < ow; c++)
                        y[((i * cout + co) * oh + a) * ow + c] = bv[co];
        for (int i = 0; i < n; i++)
            for (int ci = 0; ci < cin; ci++)
            {
                int g = ci / cinG;
                for (int col = 0; col < coutG; col++)
                    for (int r = 0; r < h; r++)
                        for (int q = 0; q < wd; q++)
                            for (int u = 0; u < kh; u++)
                                for (int v = 0; v < kw; v++)
                                {
                                    int a = r * s[0] + u * d[0] - p[0], c = q * s[1] + v * d[1] - p[1];
                                    if (a < 0 || a >= oh || c < 0 || c >= ow) continue;
                                    int co = g * coutG + col;
                                    y[((i * cout + co) * oh + a) * ow + c] += xv[((i * cin + ci) * h + r) * wd + q] * wv[((ci * coutG + col) * kh + u) * kw + v];
                                }
            }
        return y;
    }

    private static void AssertNear(double[] expected, Tensor actual)
    {
        double[] a = actual.ToDoubleArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= 1e-10 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {a[i]}");
    }
}
