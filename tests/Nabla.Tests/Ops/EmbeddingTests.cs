namespace Nabla.Tests.Ops;

/// <summary>Functional.Embedding (Ops/Embedding.cs): lookups, padding_idx, accumulated gradients and errors.</summary>
public class EmbeddingTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    private static Tensor I(long[] values, params int[] shape) => Tensor.From(values, shape);

    [Fact]
    public void Embedding_Lookup_ReturnsRowsInInputShape()
    {
        Tensor w = D([0, 1, 10, 11, 20, 21], 3, 2);
        Tensor y = Functional.Embedding(I([2, 0, 1, 2], 2, 2), w);
        Assert.Equal(new Shape(2, 2, 2), y.Shape);
        Assert.Equal([20, 21, 0, 1, 10, 11, 20, 21], y.ToDoubleArray());
    }

    [Fact]
    public void Embedding_ZeroDimInput_ReturnsOneRow()
    {
        Tensor y = Functional.Embedding(Tensor.From(new long[] { 1 }, []), D([0, 1, 10, 11], 2, 2));
        Assert.Equal(new Shape(2), y.Shape);
        Assert.Equal([10, 11], y.ToDoubleArray());
    }

    [Fact]
    public void Embedding_EmptyInput_ReturnsEmptyRows()
    {
        Tensor y = Functional.Embedding(Tensor.Zeros([0, 3], DType.Int64), D([0, 1, 10, 11], 2, 2));
        Assert.Equal(new Shape(0, 3, 2), y.Shape);
    }

    [Fact]
    public void Embedding_RepeatedIndices_AccumulateGradient()
    {
        var w = Tensor.From(new double[] { 0, 1, 10, 11, 20, 21 }, [3, 2], requiresGrad: true, dtype: DType.Float64);
        Functional.Embedding(I([2, 2, 0], 3), w).Sum().Backward();
        Assert.Equal([1, 1, 0, 0, 2, 2], w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Embedding_PaddingIdx_ForwardReadsRowButGradientSkipsIt()
    {
        var w = Tensor.From(new double[] { 5, 6, 10, 11, 20, 21 }, [3, 2], requiresGrad: true, dtype: DType.Float64);
        Tensor y = Functional.Embedding(I([0, 1, 0, 2], 4), w, paddingIdx: 0);
        Assert.Equal([5, 6, 10, 11, 5, 6, 20, 21], y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal([0, 0, 1, 1, 1, 1], w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Embedding_NegativePaddingIdx_CountsFromTheEnd()
    {
        var w = Tensor.From(new double[] { 5, 6, 10, 11, 20, 21 }, [3, 2], requiresGrad: true, dtype: DType.Float64);
        Functional.Embedding(I([2, 1, 2], 3), w, paddingIdx: -1).Sum().Backward();
        Assert.Equal([0, 0, 1, 1, 0, 0], w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Embedding_Gradient_MatchesFiniteDifference()
    {
        var gen = new Generator(9);
        Tensor input = Tensor.RandInt(0, 5, [3, 4], gen);
        // paddingIdx deliberately departs from the true derivative, so the finite-difference check runs without it.
        IndexConvGradCheck.Check(t => Functional.Embedding(input, t[0]), IndexConvGradCheck.Leaf(gen, 5, 3));
    }

    [Fact]
    public void Embedding_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(10);
        Tensor input = Tensor.RandInt(0, 4, [5], gen);
        IndexConvGradCheck.CheckSecondOrder(t => Functional.Embedding(input, t[0], paddingIdx: 2).Pow(3), IndexConvGradCheck.Leaf(gen, 4, 2));
    }

    [Fact]
    public void Embedding_IndexOutOfRange_ThrowsNamingIndexAndWeightShape()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Embedding(I([0, 6], 2), Tensor.Zeros([6, 3])));
        Assert.Contains("embedding", ex.Message);
        Assert.Contains("index 6", ex.Message);
        Assert.Contains("[6, 3]", ex.Message);
    }

    [Fact]
    public void Embedding_FloatInput_ThrowsRequiringInt64()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Embedding(Tensor.Zeros([2]), Tensor.Zeros([6, 3])));
        Assert.Contains("embedding", ex.Message);
        Assert.Contains("int64", ex.Message);
    }

    [Fact]
    public void Embedding_WeightNotMatrix_ThrowsNamingShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Embedding(I([0], 1), Tensor.Zeros([6])));
        Assert.Contains("embedding", ex.Message);
        Assert.Contains("[6]", ex.Message);
    }

    [Fact]
    public void Embedding_PaddingIdxOutOfRange_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Embedding(I([0], 1), Tensor.Zeros([6, 3]), paddingIdx: 6));
        Assert.Contains("padding_idx 6", ex.Message);
    }
}
