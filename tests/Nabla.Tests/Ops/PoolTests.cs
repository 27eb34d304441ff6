using static Nabla.Tests.IndexConvGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>MaxPool2d, AvgPool2d and AdaptiveAvgPool2d (Ops/Pool.cs): hand-computed windows, gradients, second derivatives and errors.</summary>
public class PoolTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    private static Tensor Range(int n, params int[] shape) => Tensor.Arange(1, n + 1, 1, DType.Float64).Reshape(shape);

    // ---- max_pool2d ----

    [Fact]
    public void MaxPool2d_2x2Stride2_PicksWindowMaxima()
    {
        Tensor x = D([1, 5, 2, 0, 3, 4, 8, 6, 7, -1, -2, 9, -3, 6.5, 10, 4.5], 1, 1, 4, 4);
        AssertClose([5, 8, 7, 10], Functional.MaxPool2d(x, [2, 2]));
    }

    [Fact]
    public void MaxPool2d_PaddingWithNegativeInputs_NeverPicksPadding()
    {
        Tensor x = D([-1, -2, -3, -4], 1, 1, 2, 2);
        Tensor y = Functional.MaxPool2d(x, [2, 2], [2, 2], [1, 1]);
        Assert.Equal(new Shape(1, 1, 2, 2), y.Shape);
        AssertClose([-1, -2, -3, -4], y);
    }

    [Fact]
    public void MaxPool2d_CeilMode_AddsPartialWindow()
    {
        Tensor y = Functional.MaxPool2d(Range(25, 1, 1, 5, 5), [2, 2], ceilMode: true);
        Assert.Equal(new Shape(1, 1, 3, 3), y.Shape);
        AssertClose([7, 9, 10, 17, 19, 20, 22, 24, 25], y);
    }

    [Fact]
    public void MaxPool2d_CeilModeWindowStartingInRightPadding_IsDropped()
    {
        // L=5, k=2, s=2, p=1: ceil gives 4 windows, but the 4th would start at 5, inside the right padding, so 3 remain.
        Tensor y = Functional.MaxPool2d(Range(25, 1, 1, 5, 5), [2, 2], [2, 2], [1, 1], ceilMode: true);
        Assert.Equal(new Shape(1, 1, 3, 3), y.Shape);
        AssertClose([1, 3, 5, 11, 13, 15, 21, 23, 25], y);
    }

    [Fact]
    public void MaxPool2d_Dilation2_ComparesSpacedTaps()
    {
        Tensor x = D([9, 0, 1, 0, 0, 0, 2, 0, 3], 1, 1, 3, 3);
        AssertClose([9], Functional.MaxPool2d(x, [2, 2], [1, 1], [0, 0], [2, 2]));
    }

    [Fact]
    public void MaxPool2d_OverlappingWindows_AccumulateGradientAtSharedMaximum()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 100, 5, 6, 7, 8 }, [1, 1, 3, 3], requiresGrad: true, dtype: DType.Float64);
        Functional.MaxPool2d(x, [2, 2], [1, 1]).Sum().Backward();
        Assert.Equal([0, 0, 0, 0, 4, 0, 0, 0, 0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MaxPool2d_UnbatchedInput_ReturnsUnbatched()
    {
        Tensor y = Functional.MaxPool2d(Range(16, 1, 4, 4), [2, 2]);
        Assert.Equal(new Shape(1, 2, 2), y.Shape);
        AssertClose([6, 8, 14, 16], y);
    }

    [Theory]
    [InlineData(2, 2, 2, 2, 0, 0, 1, 1, false)]
    [InlineData(3, 3, 2, 2, 1, 1, 1, 1, false)]
    [InlineData(2, 3, 1, 2, 0, 1, 1, 1, true)]
    [InlineData(2, 2, 1, 1, 1, 0, 2, 2, false)]
    [InlineData(3, 2, 2, 3, 1, 1, 1, 2, true)]
    public void MaxPool2d_Gradient_MatchesFiniteDifference(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, bool ceilMode)
    {
        var gen = new Generator(18);
        IndexConvGradCheck.Check(t => Functional.MaxPool2d(t[0], [kh, kw], [sh, sw], [ph, pw], [dh, dw], ceilMode), IndexConvGradCheck.Leaf(gen, 2, 2, 7, 6));
    }

    [Fact]
    public void MaxPool2d_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(19);
        IndexConvGradCheck.CheckSecondOrder(t => Functional.MaxPool2d(t[0], [3, 3], [2, 2], [1, 1]).Pow(3), IndexConvGradCheck.Leaf(gen, 1, 2, 5, 5));
    }

    [Fact]
    public void MaxPool2d_PaddingMoreThanHalfKernel_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros([1, 1, 4, 4]), [2, 2], padding: [2, 0]));
        Assert.Contains("max_pool2d", ex.Message);
        Assert.Contains("[2, 0]", ex.Message);
    }

    [Fact]
    public void MaxPool2d_InputRank2_ThrowsNamingShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros([4, 4]), [2, 2]));
        Assert.Contains("max_pool2d", ex.Message);
        Assert.Contains("[4, 4]", ex.Message);
    }

    [Fact]
    public void MaxPool2d_KernelLargerThanInput_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros([1, 1, 2, 2]), [3, 3]));
        Assert.Contains("max_pool2d", ex.Message);
        Assert.Contains("[1, 1, 2, 2]", ex.Message);
    }

    [Fact]
    public void MaxPool2d_ZeroKernel_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.MaxPool2d(Tensor.Zeros([1, 1, 4, 4]), [0, 2]));
        Assert.Contains("kernel_size", ex.Message);
    }

    // ---- avg_pool2d ----

    [Fact]
    public void AvgPool2d_2x2Stride2_AveragesBlocks()
    {
        AssertClose([3.5, 5.5, 11.5, 13.5], Functional.AvgPool2d(Range(16, 1, 1, 4, 4), [2, 2]));
    }

    [Fact]
    public void AvgPool2d_PaddingCountIncludePad_DividesByFullWindow()
    {
        Tensor y = Functional.AvgPool2d(Range(9, 1, 1, 3, 3), [3, 3], [1, 1], [1, 1]);
        Assert.Equal(new Shape(1, 1, 3, 3), y.Shape);
        AssertClose([12.0 / 9, 21.0 / 9, 16.0 / 9, 27.0 / 9, 45.0 / 9, 33.0 / 9, 24.0 / 9, 39.0 / 9, 28.0 / 9], y);
    }

    [Fact]
    public void AvgPool2d_PaddingExcludedFromCount_DividesByValidElements()
    {
        Tensor y = Functional.AvgPool2d(Range(9, 1, 1, 3, 3), [3, 3], [1, 1], [1, 1], countIncludePad: false);
        AssertClose([12.0 / 4, 21.0 / 6, 16.0 / 4, 27.0 / 6, 45.0 / 9, 33.0 / 6, 24.0 / 4, 39.0 / 6, 28.0 / 4], y);
    }

    [Fact]
    public void AvgPool2d_CeilModeNoPadding_DividesByClippedWindow()
    {
        Tensor y = Functional.AvgPool2d(Range(9, 1, 1, 3, 3), [2, 2], ceilMode: true);
        Assert.Equal(new Shape(1, 1, 2, 2), y.Shape);
        AssertClose([3, 4.5, 7.5, 9], y);
    }

    [Theory]
    [InlineData(true, new[] { 4.0 / 9, 6.0 / 9, 2.0 / 6, 6.0 / 9, 1, 0.5, 2.0 / 6, 0.5, 0.25 })]
    [InlineData(false, new[] { 1.0, 1, 1, 1, 1, 1, 1, 1, 1 })]
    public void AvgPool2d_CeilModeWithPadding_CountsPaddingButNotBeyond(bool countIncludePad, double[] expected)
    {
        // H = W = 4, k = 3, s = 2, p = 1, ceil: windows start at -1, 1, 3; the last spans rows 3..5 but only 3..4 is padded input.
        Tensor y = Functional.AvgPool2d(Tensor.Ones([1, 1, 4, 4], DType.Float64), [3, 3], [2, 2], [1, 1], ceilMode: true, countIncludePad: countIncludePad);
        Assert.Equal(new Shape(1, 1, 3, 3), y.Shape);
        AssertClose(expected, y);
    }

    [Theory]
    [InlineData(2, 2, 2, 2, 0, 0, false, true)]
    [InlineData(3, 3, 2, 2, 1, 1, false, true)]
    [InlineData(3, 3, 2, 2, 1, 1, false, false)]
    [InlineData(2, 3, 2, 2, 0, 1, true, true)]
    [InlineData(3, 2, 2, 3, 1, 1, true, false)]
    public void AvgPool2d_Gradient_MatchesFiniteDifference(int kh, int kw, int sh, int sw, int ph, int pw, bool ceilMode, bool countIncludePad)
    {
        var gen = new Generator(20);
        IndexConvGradCheck.Check(t => Functional.AvgPool2d(t[0], [kh, kw], [sh, sw], [ph, pw], ceilMode, countIncludePad), IndexConvGradCheck.Leaf(gen, 2, 2, 7, 6));
    }

    [Fact]
    public void AvgPool2d_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(21);
        IndexConvGradCheck.CheckSecondOrder(t => Functional.AvgPool2d(t[0], [3, 3], [2, 2], [1, 1], ceilMode: true, countIncludePad: false).Pow(3),
            IndexConvGradCheck.Leaf(gen, 1, 2, 6, 6));
    }

    [Fact]
    public void AvgPool2d_PaddingMoreThanHalfKernel_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.AvgPool2d(Tensor.Zeros([1, 1, 4, 4]), [3, 3], padding: [1, 2]));
        Assert.Contains("avg_pool2d", ex.Message);
        Assert.Contains("[1, 2]", ex.Message);
    }

    [Fact]
    public void AvgPool2d_IntegerInput_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.AvgPool2d(Tensor.Zeros([1, 1, 4, 4], DType.Int64), [2, 2]));
        Assert.Contains("avg_pool2d", ex.Message);
        Assert.Contains("int64", ex.Message);
    }

    // ---- adaptive_avg_pool2d ----

    [Fact]
    public void AdaptiveAvgPool2d_OverlappingAndUpsampledBins_MatchHandComputed()
    {
        // x[r, c] = 2r + c over 5x2. Row bins for 5 -> 3: {0,1}, {1,2,3}, {3,4}; column bins for 2 -> 3: {0}, {0,1}, {1}.
        Tensor x = Tensor.Arange(0, 10, 1, DType.Float64).Reshape(1, 1, 5, 2);
        Tensor y = Functional.AdaptiveAvgPool2d(x, [3, 3]);
        Assert.Equal(new Shape(1, 1, 3, 3), y.Shape);
        AssertClose([1, 1.5, 2, 4, 4.5, 5, 7, 7.5, 8], y);
    }

    [Fact]
    public void AdaptiveAvgPool2d_OutputOneByOne_IsGlobalMean()
    {
        AssertClose([2.5, 6.5], Functional.AdaptiveAvgPool2d(Range(8, 1, 2, 2, 2), [1, 1]));
    }

    [Fact]
    public void AdaptiveAvgPool2d_SameSize_IsACopy()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4 }, [1, 1, 2, 2], requiresGrad: true, dtype: DType.Float64);
        Tensor y = Functional.AdaptiveAvgPool2d(x, [2, 2]);
        Assert.NotSame(x, y);
        AssertClose([1, 2, 3, 4], y);
    }

    [Theory]
    [InlineData(3, 3)]
    [InlineData(2, 4)]
    [InlineData(7, 1)]
    [InlineData(5, 6)]
    public void AdaptiveAvgPool2d_Gradient_MatchesFiniteDifference(int oh, int ow)
    {
        var gen = new Generator(22);
        IndexConvGradCheck.Check(t => Functional.AdaptiveAvgPool2d(t[0], [oh, ow]), IndexConvGradCheck.Leaf(gen, 2, 2, 5, 6));
    }

    [Fact]
    public void AdaptiveAvgPool2d_ZeroOutputSize_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.AdaptiveAvgPool2d(Tensor.Zeros([1, 1, 4, 4]), [0, 2]));
        Assert.Contains("adaptive_avg_pool2d", ex.Message);
        Assert.Contains("[0, 2]", ex.Message);
    }

    [Fact]
    public void AdaptiveAvgPool2d_InputRank5_ThrowsNamingShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.AdaptiveAvgPool2d(Tensor.Zeros([1, 1, 1, 4, 4]), [2, 2]));
        Assert.Contains("adaptive_avg_pool2d", ex.Message);
        Assert.Contains("[1, 1, 1, 4, 4]", ex.Message);
    }
}
