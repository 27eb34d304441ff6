using static Nabla.Tests.IndexConvGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>AdaptiveMaxPool2d (Ops/AdaptiveMaxPool.cs): bins, indices, overlapping bins, NaN, gradients and errors.</summary>
public class AdaptiveMaxPoolTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    [Fact]
    public void AdaptiveMaxPool2d_Bins_PickMaximaAndTheirFlatIndices()
    {
        // 3x4 -> 2x2: row bins [0, 2) and [1, 3), column bins [0, 2) and [2, 4).
        Tensor x = D([1, 8, 2, 3, 4, 0, 9, 5, 7, 6, 1, 2], 1, 1, 3, 4);
        var (values, indices) = Functional.AdaptiveMaxPool2dWithIndices(x, [2, 2]);
        AssertClose([8, 9, 7, 9], values);
        Assert.Equal(DType.Int64, indices.DType);
        Assert.Equal(new Shape(1, 1, 2, 2), indices.Shape);
        Assert.Equal([1L, 6L, 8L, 6L], indices.ToArray<long>());
        AssertClose(values.ToDoubleArray(), Functional.AdaptiveMaxPool2d(x, [2, 2]));
    }

    [Fact]
    public void AdaptiveMaxPool2d_OverlappingBins_AccumulateGradient()
    {
        var x = Tensor.From(new double[] { 1, 8, 2, 3, 4, 0, 9, 5, 7, 6, 1, 2 }, [1, 1, 3, 4], requiresGrad: true, dtype: DType.Float64);
        Functional.AdaptiveMaxPool2d(x, [2, 2]).Sum().Backward();
        AssertClose([0, 1, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0], x.Grad!);
    }

    [Fact]
    public void AdaptiveMaxPool2d_OutputLargerThanInput_RepeatsPixels()
    {
        // 2 -> 3 columns: bins [0, 1), [0, 2), [1, 2).
        AssertClose([1, 5, 5], Functional.AdaptiveMaxPool2d(D([1, 5], 1, 1, 1, 2), [1, 3]));
    }

    [Fact]
    public void AdaptiveMaxPool2d_NaNInBin_Propagates()
    {
        // Column bins of [[1, 3], [NaN, 2]]: {1, NaN} and {3, 2}.
        Tensor y = Functional.AdaptiveMaxPool2d(D([1, 3, double.NaN, 2], 1, 1, 2, 2), [1, 2]);
        double[] v = y.ToDoubleArray();
        Assert.True(double.IsNaN(v[0]));
        Assert.Equal(3, v[1]);
    }

    [Fact]
    public void AdaptiveMaxPool2d_UnbatchedAndSingleSize_MatchBatched()
    {
        Tensor x = Tensor.Randn([2, 5, 7], DType.Float64, new Generator(71));
        var (values, indices) = Functional.AdaptiveMaxPool2dWithIndices(x, [3]);
        Assert.Equal(new Shape(2, 3, 3), values.Shape);
        Assert.Equal(new Shape(2, 3, 3), indices.Shape);
        var (bv, bi) = Functional.AdaptiveMaxPool2dWithIndices(x.Unsqueeze(0), [3, 3]);
        AssertClose(bv.ToDoubleArray(), values);
        Assert.Equal(bi.ToArray<long>(), indices.ToArray<long>());
    }

    [Fact]
    public void AdaptiveMaxPool2d_Float32AndNonContiguous_MatchFloat64Contiguous()
    {
        Tensor x = Tensor.Randn([2, 3, 6, 5], DType.Float64, new Generator(72));
        double[] expected = Functional.AdaptiveMaxPool2d(x, [4, 3]).ToDoubleArray();
        Tensor single = Functional.AdaptiveMaxPool2d(x.Float(), [4, 3]);
        Assert.Equal(DType.Float32, single.DType);
        double[] s = single.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], s[i], 6);
        AssertClose(expected, Functional.AdaptiveMaxPool2d(x.Transpose(2, 3).Contiguous().Transpose(2, 3), [4, 3]));
    }

    [Fact]
    public void AdaptiveMaxPool2d_Gradients_MatchFiniteDifferenceToSecondOrder()
    {
        var gen = new Generator(73);
        Check(t => Functional.AdaptiveMaxPool2d(t[0], [3, 5]), Leaf(gen, 2, 2, 4, 3));
        CheckSecondOrder(t =>
        {
            Tensor y = Functional.AdaptiveMaxPool2d(t[0], [2, 3]);
            return y * y;
        }, Leaf(gen, 1, 2, 5, 4));
    }

    [Fact]
    public void AdaptiveMaxPool2d_EmptyPlaneBadSizeOrRank_ThrowClearly()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.AdaptiveMaxPool2d(Tensor.Zeros([1, 2, 0, 3], DType.Float64), [2, 2])),
            "adaptive_max_pool2d", "non-empty", "[1, 2, 0, 3]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Functional.AdaptiveMaxPool2d(Tensor.Zeros([1, 2, 3, 3], DType.Float64), [0, 2])),
            "adaptive_max_pool2d", "output_size");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.AdaptiveMaxPool2d(Tensor.Zeros([3, 3], DType.Float64), [2, 2])),
            "adaptive_max_pool2d", "rank 4", "[3, 3]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.AdaptiveMaxPool2d(Tensor.Zeros([1, 1, 3, 3], DType.Float64), [1, 2, 3])),
            "adaptive_max_pool2d", "output_size");
    }
}
