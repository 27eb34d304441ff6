using static Nabla.Tests.IndexConvGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>Conv2d, Conv1d, Unfold and Fold (Ops/Conv.cs): hand-computed values, gradients, second derivatives and errors.</summary>
public class ConvTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    private static Tensor Range(int n, params int[] shape) => Tensor.Arange(1, n + 1, 1, DType.Float64).Reshape(shape);

    // A vertical-edge kernel [[1, 0, -1]] x 3 over the image 1..9 (row-major 3x3).
    private static Tensor EdgeKernel() => D([1, 0, -1, 1, 0, -1, 1, 0, -1], 1, 1, 3, 3);

    // ---- conv2d ----

    [Fact]
    public void Conv2d_EdgeKernelNoPadding_GivesSingleValue()
    {
        Tensor y = Functional.Conv2d(Range(9, 1, 1, 3, 3), EdgeKernel());
        Assert.Equal(new Shape(1, 1, 1, 1), y.Shape);
        AssertClose([(1 + 4 + 7) - (3 + 6 + 9)], y);
    }

    [Fact]
    public void Conv2d_EdgeKernelPadding1_MatchesHandComputed()
    {
        Tensor y = Functional.Conv2d(Range(9, 1, 1, 3, 3), EdgeKernel(), padding: [1, 1]);
        Assert.Equal(new Shape(1, 1, 3, 3), y.Shape);
        AssertClose([-7, -4, 7, -15, -6, 15, -13, -4, 13], y);
    }

    [Fact]
    public void Conv2d_Stride2Padding1WithBias_PicksCornersPlusBias()
    {
        Tensor y = Functional.Conv2d(Range(9, 1, 1, 3, 3), EdgeKernel(), D([0.5], 1), stride: [2, 2], padding: [1, 1]);
        AssertClose([-6.5, 7.5, -12.5, 13.5], y);
    }

    [Fact]
    public void Conv2d_Dilation2_SkipsEveryOtherPixel()
    {
        // A 2x2 kernel of ones dilated by 2 over the 3x3 image 1..9 sums the four corners.
        Tensor y = Functional.Conv2d(Range(9, 1, 1, 3, 3), Tensor.Ones([1, 1, 2, 2], DType.Float64), dilation: [2, 2]);
        AssertClose([1 + 3 + 7 + 9], y);
    }

    [Fact]
    public void Conv2d_DepthwiseGroups_KeepsChannelsSeparate()
    {
        // Channel 0 is 1..4, channel 1 is 5..8; filter 0 doubles, filter 1 negates (1x1 kernels).
        Tensor x = Range(8, 1, 2, 2, 2);
        Tensor w = D([2, -1], 2, 1, 1, 1);
        Tensor y = Functional.Conv2d(x, w, groups: 2);
        AssertClose([2, 4, 6, 8, -5, -6, -7, -8], y);
    }

    [Fact]
    public void Conv2d_TwoInputChannels_SumsOverChannels()
    {
        Tensor x = Range(8, 1, 2, 2, 2);
        Tensor w = Tensor.Ones([1, 2, 2, 2], DType.Float64);
        AssertClose([36], Functional.Conv2d(x, w));
    }

    [Fact]
    public void Conv2d_UnbatchedInput_MatchesBatched()
    {
        var gen = new Generator(11);
        Tensor x = Tensor.Randn([3, 5, 5], DType.Float64, gen), w = Tensor.Randn([2, 3, 3, 3], DType.Float64, gen);
        Tensor y = Functional.Conv2d(x, w, padding: [1, 1]);
        Assert.Equal(new Shape(2, 5, 5), y.Shape);
        AssertClose(Functional.Conv2d(x.Unsqueeze(0), w, padding: [1, 1]).ToDoubleArray(), y);
    }

    [Fact]
    public void Conv2d_EmptyBatch_GivesEmptyOutput()
    {
        Tensor y = Functional.Conv2d(Tensor.Zeros([0, 2, 4, 4], DType.Float64), Tensor.Zeros([3, 2, 3, 3], DType.Float64));
        Assert.Equal(new Shape(0, 3, 2, 2), y.Shape);
    }

    [Fact]
    public void Conv2d_Float32_MatchesFloat64()
    {
        var gen = new Generator(12);
        Tensor x = Tensor.Randn([2, 2, 5, 4], DType.Float64, gen), w = Tensor.Randn([4, 1, 2, 3], DType.Float64, gen);
        double[] expected = Functional.Conv2d(x, w, stride: [2, 1], groups: 2).ToDoubleArray();
        double[] actual = Functional.Conv2d(x.Float(), w.Float(), stride: [2, 1], groups: 2).ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 4);
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 1, 1, 1, true)]
    [InlineData(2, 1, 1, 0, 1, 2, 1, true)]
    [InlineData(1, 2, 1, 2, 2, 1, 1, false)]
    [InlineData(1, 1, 1, 1, 2, 2, 2, true)]
    [InlineData(2, 2, 0, 1, 1, 1, 4, false)]
    public void Conv2d_Gradient_MatchesFiniteDifference(int sh, int sw, int ph, int pw, int dh, int dw, int groups, bool withBias)
    {
        var gen = new Generator(13);
        Tensor x = IndexConvGradCheck.Leaf(gen, 2, 4, 6, 5);
        Tensor w = IndexConvGradCheck.Leaf(gen, 4, 4 / groups, 3, 2);
        Tensor[] inputs = withBias ? [x, w, IndexConvGradCheck.Leaf(gen, 4)] : [x, w];
        IndexConvGradCheck.Check(t => Functional.Conv2d(t[0], t[1], withBias ? t[2] : null, [sh, sw], [ph, pw], [dh, dw], groups), inputs);
    }

    [Fact]
    public void Conv2d_NonContiguousInput_MatchesContiguous()
    {
        var gen = new Generator(14);
        Tensor x = Tensor.Randn([1, 2, 5, 4], DType.Float64, gen), w = Tensor.Randn([3, 2, 2, 2], DType.Float64, gen);
        Tensor xt = x.Transpose(2, 3).Contiguous().Transpose(2, 3);
        Assert.False(xt.IsContiguous);
        AssertClose(Functional.Conv2d(x, w).ToDoubleArray(), Functional.Conv2d(xt, w));
    }

    [Fact]
    public void Conv2d_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(15);
        Tensor x = IndexConvGradCheck.Leaf(gen, 2, 4, 4, 5), w = IndexConvGradCheck.Leaf(gen, 4, 2, 2, 3), b = IndexConvGradCheck.Leaf(gen, 4);
        IndexConvGradCheck.CheckSecondOrder(t =>
        {
            Tensor y = Functional.Conv2d(t[0], t[1], t[2], stride: [1, 2], padding: [1, 1], dilation: [2, 1], groups: 2);
            return y * y;
        }, x, w, b);
    }

    [Fact]
    public void Conv2d_InputRank2_ThrowsNamingShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([4, 4]), Tensor.Zeros([1, 1, 3, 3])));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("[4, 4]", ex.Message);
    }

    [Fact]
    public void Conv2d_WeightRank2_ThrowsNamingShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([1, 2, 4, 4]), Tensor.Zeros([3, 2])));
        Assert.Contains("conv2d: expected weight of rank 4 [C_out, C_in/groups, kH, kW], got shape [3, 2]", ex.Message);
    }

    [Fact]
    public void Conv2d_ChannelMismatch_ThrowsNamingBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([1, 3, 4, 4]), Tensor.Zeros([2, 2, 3, 3])));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("[1, 3, 4, 4]", ex.Message);
        Assert.Contains("[2, 2, 3, 3]", ex.Message);
    }

    [Fact]
    public void Conv2d_GroupsNotDividingOutChannels_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([1, 4, 4, 4]), Tensor.Zeros([3, 2, 3, 3]), groups: 2));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("[3, 2, 3, 3]", ex.Message);
        Assert.Contains("groups=2", ex.Message);
    }

    [Fact]
    public void Conv2d_GroupsNotDividingInChannels_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([1, 3, 4, 4]), Tensor.Zeros([4, 1, 3, 3]), groups: 2));
        Assert.Contains("[1, 3, 4, 4]", ex.Message);
        Assert.Contains("groups=2", ex.Message);
    }

    [Fact]
    public void Conv2d_BiasWrongSize_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([1, 2, 4, 4]), Tensor.Zeros([3, 2, 3, 3]), Tensor.Zeros([2])));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("bias", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Conv2d_KernelLargerThanPaddedInput_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([1, 1, 2, 2]), Tensor.Zeros([1, 1, 3, 3])));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("[1, 1, 2, 2]", ex.Message);
    }

    [Fact]
    public void Conv2d_ZeroStrideOrWrongLength_Throws()
    {
        Assert.Contains("stride", Assert.Throws<ArgumentOutOfRangeException>(
            () => Functional.Conv2d(Tensor.Zeros([1, 1, 4, 4]), Tensor.Zeros([1, 1, 3, 3]), stride: [0, 1])).Message);
        Assert.Contains("padding", Assert.Throws<ArgumentException>(
            () => Functional.Conv2d(Tensor.Zeros([1, 1, 4, 4]), Tensor.Zeros([1, 1, 3, 3]), padding: [1])).Message);
    }

    [Fact]
    public void Conv2d_DTypeMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros([1, 1, 4, 4]), Tensor.Zeros([1, 1, 3, 3], DType.Float64)));
        Assert.Contains("conv2d", ex.Message);
        Assert.Contains("float64", ex.Message);
    }

    // ---- conv1d ----

    [Fact]
    public void Conv1d_KnownKernel_MatchesHandComputed()
    {
        Tensor y = Functional.Conv1d(Range(5, 1, 1, 5), D([1, 2, 3], 1, 1, 3));
        AssertClose([14, 20, 26], y);
    }

    [Fact]
    public void Conv1d_Stride2Padding1_MatchesHandComputed()
    {
        // Padded signal 0 1 2 3 4 5 0; windows start at 0, 2, 4.
        Tensor y = Functional.Conv1d(Range(5, 1, 1, 5), D([1, 2, 3], 1, 1, 3), D([1], 1), stride: 2, padding: 1);
        AssertClose([8 + 1, 20 + 1, 14 + 1], y);
    }

    [Fact]
    public void Conv1d_UnbatchedInput_ReturnsUnbatched()
    {
        Tensor y = Functional.Conv1d(Range(5, 1, 5), D([1, 2, 3], 1, 1, 3));
        Assert.Equal(new Shape(1, 3), y.Shape);
    }

    [Theory]
    [InlineData(1, 0, 1, 1, true)]
    [InlineData(2, 1, 1, 1, true)]
    [InlineData(1, 2, 2, 1, false)]
    [InlineData(3, 1, 2, 2, true)]
    public void Conv1d_Gradient_MatchesFiniteDifference(int stride, int padding, int dilation, int groups, bool withBias)
    {
        var gen = new Generator(16);
        Tensor x = IndexConvGradCheck.Leaf(gen, 2, 4, 9), w = IndexConvGradCheck.Leaf(gen, 6, 4 / groups, 3);
        Tensor[] inputs = withBias ? [x, w, IndexConvGradCheck.Leaf(gen, 6)] : [x, w];
        IndexConvGradCheck.Check(t => Functional.Conv1d(t[0], t[1], withBias ? t[2] : null, stride, padding, dilation, groups), inputs);
    }

    [Fact]
    public void Conv1d_WeightRank4_ThrowsNamingShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv1d(Tensor.Zeros([1, 2, 8]), Tensor.Zeros([3, 2, 3, 3])));
        Assert.Contains("conv1d", ex.Message);
        Assert.Contains("[3, 2, 3, 3]", ex.Message);
    }

    [Fact]
    public void Conv1d_ChannelMismatch_ThrowsNamingShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv1d(Tensor.Zeros([1, 2, 8]), Tensor.Zeros([3, 4, 3])));
        Assert.Contains("conv1d", ex.Message);
        Assert.Contains("[1, 2, 8]", ex.Message);
    }

    // ---- unfold / fold ----

    [Fact]
    public void Unfold_2x2Blocks_LaysOutColumns()
    {
        Tensor y = Functional.Unfold(Range(9, 1, 1, 3, 3), [2, 2]);
        Assert.Equal(new Shape(1, 4, 4), y.Shape);
        AssertClose([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9], y);
    }

    [Fact]
    public void Fold_OfUnfold_CountsOverlaps()
    {
        Tensor y = Functional.Fold(Functional.Unfold(Tensor.Ones([1, 1, 3, 3], DType.Float64), [2, 2]), [3, 3], [2, 2]);
        AssertClose([1, 2, 1, 2, 4, 2, 1, 2, 1], y);
    }

    [Fact]
    public void UnfoldFold_Gradients_MatchFiniteDifference()
    {
        var gen = new Generator(17);
        IndexConvGradCheck.Check(t => Functional.Unfold(t[0], [2, 3], [2, 1], [1, 1], [1, 2]), IndexConvGradCheck.Leaf(gen, 2, 2, 5, 6));
        IndexConvGradCheck.Check(t => Functional.Fold(t[0], [5, 6], [2, 3], [2, 1], [1, 1], [1, 2]), IndexConvGradCheck.Leaf(gen, 2, 12, 15));
    }

    [Fact]
    public void Fold_WrongBlockCount_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Fold(Tensor.Zeros([1, 4, 5]), [3, 3], [2, 2]));
        Assert.Contains("fold", ex.Message);
        Assert.Contains("[1, 4, 5]", ex.Message);
    }
}
