using static Nabla.Tests.IndexConvGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>MaxPool1d and AvgPool1d (Ops/Pool1d.cs): hand-computed windows, the ceil-mode rule, divisors, the 2-D equivalence, gradients and errors.</summary>
public class Pool1dTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    private static Tensor Range(int n, params int[] shape) => Tensor.Arange(1, n + 1, 1, DType.Float64).Reshape(shape);

    [Fact]
    public void MaxPool1d_Kernel2Stride2_PicksWindowMaxima()
    {
        AssertClose([5, 2, 8, 9], Functional.MaxPool1d(D([1, 5, 2, 0, 8, 6, -1, 9], 1, 1, 8), 2));
    }

    [Fact]
    public void MaxPool1d_PaddingWithNegativeInputs_NeverPicksPadding()
    {
        AssertClose([-1, -2, -4], Functional.MaxPool1d(D([-1, -2, -3, -4], 1, 1, 4), 2, 2, 1));
    }

    [Fact]
    public void MaxPool1d_Dilation_ComparesSpacedTaps()
    {
        // k=3, d=2: window i reads i, i+2, i+4.
        AssertClose([9, 3, 7], Functional.MaxPool1d(D([9, 0, 1, 3, 2, -5, 7], 1, 1, 7), 3, 1, dilation: 2));
    }

    [Fact]
    public void MaxPool1d_CeilModeWindowStartingInRightPadding_IsDropped()
    {
        // L=5, k=2, s=2, p=1: ceil gives 4 windows, but the 4th would start at 5 (in the right padding), so 3 remain.
        Tensor y = Functional.MaxPool1d(Range(5, 1, 1, 5), 2, 2, 1, ceilMode: true);
        Assert.Equal(new Shape(1, 1, 3), y.Shape);
        AssertClose([1, 3, 5], y);
        // Without padding the partial last window stays: L=5, k=2, s=2 gives 3 windows, the last one [5].
        AssertClose([2, 4, 5], Functional.MaxPool1d(Range(5, 1, 1, 5), 2, ceilMode: true));
    }

    [Fact]
    public void MaxPool1d_CeilModeDilatedKernelLongerThanInput_KeepsTheWindowStartingInside()
    {
        // L=5, k=4, d=2, s=3: the dilated kernel (7) is longer than the input, so floor mode has no window, but PyTorch's ceil rule
        // (ceil(-2/3) + 1 = 1, and that window starts at 0 < L) keeps one reading taps 0, 2, 4.
        Tensor x = D([1, 9, 2, 8, 3], 1, 1, 5);
        Tensor y = Functional.MaxPool1d(x, 4, 3, 0, 2, ceilMode: true);
        Assert.Equal(new Shape(1, 1, 1), y.Shape);
        AssertClose([3], y);
        AssertClose([3], Functional.MaxPool2d(x.Unsqueeze(2), [1, 4], [1, 3], [0, 0], [1, 2], ceilMode: true));
        Assert.Throws<ArgumentException>(() => Functional.MaxPool1d(x, 4, 3, 0, 2, ceilMode: false));
    }

    [Fact]
    public void AvgPool1d_CeilModeKernelLongerThanInput_DividesByTheClippedWindow()
    {
        // L=3, k=4, s=2: ceil keeps one window [0, 4), clipped to L: divisor min(0 + 4, 3) - 0 = 3 (PyTorch gives 1 for 0, 1, 2).
        Tensor x = D([0, 1, 2], 1, 1, 3);
        AssertClose([1], Functional.AvgPool1d(x, 4, 2, ceilMode: true));
        // With padding 2: windows start at -2, 0, 2; divisors 4, 4 and min(6, 5) - 2 = 3 (PyTorch: 0.25, 0.75, 0.6667).
        AssertClose([0.25, 0.75, 2.0 / 3], Functional.AvgPool1d(x, 4, 2, 2, ceilMode: true));
    }

    [Fact]
    public void AvgPool1d_CountIncludePad_DividesByPaddedWindow()
    {
        // L=4, k=3, s=2, p=1: windows [-1, 2) and [1, 4): sums 1+2 = 3, 2+3+4 = 9.
        Tensor x = Range(4, 1, 1, 4);
        AssertClose([1, 3], Functional.AvgPool1d(x, 3, 2, 1, countIncludePad: true));
        AssertClose([1.5, 3], Functional.AvgPool1d(x, 3, 2, 1, countIncludePad: false));
    }

    [Fact]
    public void AvgPool1d_CeilModePartialWindow_DividesByWindowClippedToRightPadding()
    {
        // L=5, k=3, s=2, p=1, ceil: windows start at -1, 1, 3 (the next would start at 5 = L + p, dropped).
        // The last covers 3..5: pool_size = min(3+3, 5+1) - 3 = 3 with padding, 2 in-range elements (4, 5) without.
        Tensor x = Range(5, 1, 1, 5);
        Tensor y = Functional.AvgPool1d(x, 3, 2, 1, ceilMode: true, countIncludePad: true);
        Assert.Equal(new Shape(1, 1, 3), y.Shape);
        AssertClose([1, 3, 3], y);
        AssertClose([1.5, 3, 4.5], Functional.AvgPool1d(x, 3, 2, 1, ceilMode: true, countIncludePad: false));
        // L=6, k=4, s=3, no padding, ceil: the second window starts at 3 and holds 4, 5, 6 (pool_size min(7, 6) - 3 = 3).
        AssertClose([2.5, 5], Functional.AvgPool1d(Range(6, 1, 1, 6), 4, 3, ceilMode: true));
    }

    [Fact]
    public void Pool1d_MatchTheirTwoDimensionalPoolsOverHeightOne()
    {
        var gen = new Generator(61);
        Tensor x = Tensor.Randn([2, 3, 11], DType.Float64, gen);
        AssertClose(Functional.MaxPool2d(x.Unsqueeze(2), [1, 3], [1, 2], [0, 1], [1, 2], ceilMode: true).Squeeze(2).ToDoubleArray(),
            Functional.MaxPool1d(x, 3, 2, 1, 2, ceilMode: true));
        AssertClose(Functional.AvgPool2d(x.Unsqueeze(2), [1, 4], [1, 3], [0, 2], ceilMode: true, countIncludePad: false).Squeeze(2).ToDoubleArray(),
            Functional.AvgPool1d(x, 4, 3, 2, ceilMode: true, countIncludePad: false));
    }

    [Fact]
    public void Pool1d_UnbatchedInput_MatchesBatched()
    {
        Tensor x = Tensor.Randn([3, 8], DType.Float64, new Generator(62));
        Tensor y = Functional.MaxPool1d(x, 2);
        Assert.Equal(new Shape(3, 4), y.Shape);
        AssertClose(Functional.MaxPool1d(x.Unsqueeze(0), 2).ToDoubleArray(), y);
        AssertClose(Functional.AvgPool1d(x.Unsqueeze(0), 3, 1, 1).ToDoubleArray(), Functional.AvgPool1d(x, 3, 1, 1));
    }

    [Fact]
    public void Pool1d_Gradients_MatchFiniteDifferenceToSecondOrder()
    {
        var gen = new Generator(63);
        Check(t => Functional.MaxPool1d(t[0], 3, 1, 1), Leaf(gen, 2, 2, 7));
        Check(t => Functional.AvgPool1d(t[0], 3, 2, 1, ceilMode: true, countIncludePad: false), Leaf(gen, 2, 2, 8));
        CheckSecondOrder(t =>
        {
            Tensor y = Functional.AvgPool1d(t[0], 2, 1);
            return y * y;
        }, Leaf(gen, 1, 2, 5));
    }

    [Fact]
    public void MaxPool1d_OverlappingWindows_AccumulateGradientAtSharedMaximum()
    {
        var x = Tensor.From(new double[] { 1, 9, 2, 3 }, [1, 1, 4], requiresGrad: true, dtype: DType.Float64);
        Functional.MaxPool1d(x, 2, 1).Sum().Backward();
        AssertClose([0, 2, 0, 1], x.Grad!);
    }

    [Fact]
    public void Pool1d_BadPaddingKernelRankOrStride_ThrowClearly()
    {
        Tensor x = Tensor.Zeros([1, 2, 7], DType.Float64);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.MaxPool1d(x, 3, padding: 2)), "max_pool1d", "at most half", "padding=2", "kernel_size=3");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.AvgPool1d(x, 9)), "avg_pool1d", "too small", "[1, 2, 7]", "kernel_size 9");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.MaxPool1d(Tensor.Zeros([7], DType.Float64), 3)), "max_pool1d", "rank 3", "[7]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Functional.MaxPool1d(x, 3, 0)), "max_pool1d", "stride");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Functional.AvgPool1d(x, 0)), "avg_pool1d", "kernel_size");
    }
}
