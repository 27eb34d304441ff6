namespace Nabla.Tests.Ops;

/// <summary>
/// Cat, Stack, Gather, ScatterAdd, IndexSelect and IndexAdd (Ops/Indexing.cs): values, accumulated gradients, second
/// derivatives and errors.
/// </summary>
public class IndexingTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    private static Tensor I(long[] values, params int[] shape) => Tensor.From(values, shape);

    // ---- cat ----

    [Fact]
    public void Cat_TwoMatricesAlongDim0_AppendsRows()
    {
        Tensor y = Tensor.Cat([D([1, 2, 3, 4], 2, 2), D([5, 6], 1, 2)], 0);
        Assert.Equal(new Shape(3, 2), y.Shape);
        Assert.Equal([1, 2, 3, 4, 5, 6], y.ToDoubleArray());
    }

    [Fact]
    public void Cat_NegativeDim_AppendsColumns()
    {
        Tensor y = Tensor.Cat([D([1, 2, 3, 4], 2, 2), D([5, 6], 2, 1)], -1);
        Assert.Equal(new Shape(2, 3), y.Shape);
        Assert.Equal([1, 2, 5, 3, 4, 6], y.ToDoubleArray());
    }

    [Fact]
    public void Cat_PieceOfSizeZeroAlongDim_ContributesNothing()
    {
        var a = Tensor.Zeros([0, 3], DType.Float64, requiresGrad: true);
        var b = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3], requiresGrad: true, dtype: DType.Float64);
        Tensor y = Tensor.Cat([a, b], 0);
        Assert.Equal(new Shape(2, 3), y.Shape);
        y.Sum().Backward();
        Assert.Equal(new Shape(0, 3), a.Grad!.Shape);
        Assert.Equal([1, 1, 1, 1, 1, 1], b.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Cat_Legacy1dEmptyTensor_IsSkipped()
    {
        Tensor y = Tensor.Cat([Tensor.Zeros([0], DType.Float64), D([1, 2, 3, 4], 2, 2)], 1);
        Assert.Equal(new Shape(2, 2), y.Shape);
        Assert.Equal([1, 2, 3, 4], y.ToDoubleArray());
    }

    [Fact]
    public void Cat_NonContiguousPieces_CopyInLogicalOrder()
    {
        Tensor a = D([1, 2, 3, 4], 2, 2).MT;
        Tensor y = Tensor.Cat([a, a], 1);
        Assert.Equal([1, 3, 1, 3, 2, 4, 2, 4], y.ToDoubleArray());
    }

    [Fact]
    public void Cat_Int64Tensors_Concatenates()
    {
        Tensor y = Tensor.Cat([I([1, 2], 2), I([3], 1)], 0);
        Assert.Equal(DType.Int64, y.DType);
        Assert.Equal([1L, 2, 3], y.ToArray<long>());
    }

    [Fact]
    public void Cat_Gradient_MatchesFiniteDifference()
    {
        var gen = new Generator(1);
        IndexConvGradCheck.Check(t => Tensor.Cat(t, 1), IndexConvGradCheck.Leaf(gen, 2, 3, 2), IndexConvGradCheck.Leaf(gen, 2, 1, 2),
            IndexConvGradCheck.Leaf(gen, 2, 4, 2));
    }

    [Fact]
    public void Cat_ShapeMismatchOutsideDim_ThrowsNamingBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros([2, 3]), Tensor.Zeros([2, 4])], 0));
        Assert.Contains("cat", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
    }

    [Fact]
    public void Cat_RankMismatch_ThrowsNamingShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros([2, 3]), Tensor.Zeros([2, 3, 1])], 0));
        Assert.Contains("cat", ex.Message);
        Assert.Contains("[2, 3, 1]", ex.Message);
    }

    [Fact]
    public void Cat_DTypeMismatch_ThrowsNamingDTypes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros([2]), Tensor.Zeros([2], DType.Float64)], 0));
        Assert.Contains("cat", ex.Message);
        Assert.Contains("float64", ex.Message);
    }

    [Fact]
    public void Cat_EmptyListOrZeroDimTensor_Throws()
    {
        Assert.Contains("cat", Assert.Throws<ArgumentException>(() => Tensor.Cat([], 0)).Message);
        Assert.Contains("zero-dimensional", Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Scalar(1.0, dtype: DType.Float64)], 0)).Message);
    }

    [Fact]
    public void Cat_DimOutOfRange_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Cat([Tensor.Zeros([2, 3])], 2));
        Assert.Contains("cat", ex.Message);
    }

    // ---- stack ----

    [Fact]
    public void Stack_Dim0_AddsLeadingDimension()
    {
        Tensor y = Tensor.Stack([D([1, 2], 2), D([3, 4], 2)], 0);
        Assert.Equal(new Shape(2, 2), y.Shape);
        Assert.Equal([1, 2, 3, 4], y.ToDoubleArray());
    }

    [Fact]
    public void Stack_LastDim_Interleaves()
    {
        Tensor y = Tensor.Stack([D([1, 2, 3], 3), D([4, 5, 6], 3)], -1);
        Assert.Equal(new Shape(3, 2), y.Shape);
        Assert.Equal([1, 4, 2, 5, 3, 6], y.ToDoubleArray());
    }

    [Fact]
    public void Stack_ZeroDimTensors_GivesVector()
    {
        Tensor y = Tensor.Stack([Tensor.Scalar(1.0, dtype: DType.Float64), Tensor.Scalar(2.0, dtype: DType.Float64)], 0);
        Assert.Equal(new Shape(2), y.Shape);
    }

    [Fact]
    public void Stack_Gradient_MatchesFiniteDifference()
    {
        var gen = new Generator(2);
        IndexConvGradCheck.Check(t => Tensor.Stack(t, 1), IndexConvGradCheck.Leaf(gen, 2, 3), IndexConvGradCheck.Leaf(gen, 2, 3),
            IndexConvGradCheck.Leaf(gen, 2, 3));
    }

    [Fact]
    public void Stack_ShapeMismatch_ThrowsNamingShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Stack([Tensor.Zeros([2, 3]), Tensor.Zeros([3, 2])], 0));
        Assert.Contains("stack", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
    }

    [Fact]
    public void Stack_DimBeyondRankPlusOne_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Stack([Tensor.Zeros([2, 3])], 3));
        Assert.Contains("stack", ex.Message);
    }

    // ---- gather / scatter_add ----

    [Fact]
    public void Gather_Dim1_PicksPerRow()
    {
        Tensor x = D([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor y = x.Gather(1, I([2, 0, 1, 1], 2, 2));
        Assert.Equal([3, 1, 5, 5], y.ToDoubleArray());
    }

    [Fact]
    public void Gather_Dim0_PicksPerColumn()
    {
        Tensor x = D([1, 2, 3, 4, 5, 6], 2, 3);
        Tensor y = x.Gather(0, I([1, 0, 1], 1, 3));
        Assert.Equal([4, 2, 6], y.ToDoubleArray());
    }

    [Fact]
    public void Gather_IndexSmallerThanInputOutsideDim_UsesLeadingPositions()
    {
        Tensor x = D([1, 2, 3, 4, 5, 6, 7, 8, 9], 3, 3);
        Tensor y = x.Gather(1, I([2, 0], 2, 1));
        Assert.Equal(new Shape(2, 1), y.Shape);
        Assert.Equal([3, 4], y.ToDoubleArray());
    }

    [Fact]
    public void Gather_NonContiguousInput_ReadsLogicalLayout()
    {
        Tensor x = D([1, 2, 3, 4, 5, 6], 2, 3).MT; // [[1,4],[2,5],[3,6]]
        Tensor y = x.Gather(1, I([1, 0, 1], 3, 1));
        Assert.Equal([4, 2, 6], y.ToDoubleArray());
    }

    [Fact]
    public void Gather_ZeroDimInput_ReturnsScalar()
    {
        Tensor y = Tensor.Scalar(7.0, dtype: DType.Float64).Gather(0, Tensor.From(new long[] { 0 }, []));
        Assert.Equal(0, y.Rank);
        Assert.Equal(7.0, y.Item());
    }

    [Fact]
    public void Gather_RepeatedIndices_AccumulateGradient()
    {
        var x = Tensor.From(new double[] { 1, 2, 3 }, requiresGrad: true, dtype: DType.Float64);
        x.Gather(0, I([0, 0, 2, 0], 4)).Sum().Backward();
        Assert.Equal([3, 0, 1], x.Grad!.ToDoubleArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-1)]
    public void Gather_Gradient_MatchesFiniteDifference(int dim)
    {
        var gen = new Generator(3);
        Tensor x = IndexConvGradCheck.Leaf(gen, 3, 4, 2);
        int d = dim < 0 ? dim + 3 : dim;
        int[] idxShape = [2, 3, 2];
        idxShape[d] = 5;
        Tensor index = Tensor.RandInt(0, x.Size(d), idxShape, gen);
        IndexConvGradCheck.Check(t => t[0].Gather(dim, index), x);
    }

    [Fact]
    public void Gather_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(4);
        Tensor x = IndexConvGradCheck.Leaf(gen, 3, 4);
        Tensor index = Tensor.RandInt(0, 4, [3, 6], gen);
        IndexConvGradCheck.CheckSecondOrder(t => { Tensor g = t[0].Gather(1, index); return g * g * g; }, x);
    }

    [Fact]
    public void Gather_IndexOutOfRange_ThrowsNamingIndexAndRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 4]).Gather(1, I([0, 5], 2, 1)));
        Assert.Contains("gather", ex.Message);
        Assert.Contains("index 5", ex.Message);
        Assert.Contains("0 to 3", ex.Message);
    }

    [Fact]
    public void Gather_NegativeIndex_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 4]).Gather(1, I([-1, 0], 2, 1)));
        Assert.Contains("index -1", ex.Message);
    }

    [Fact]
    public void Gather_FloatIndex_ThrowsRequiringInt64()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 4]).Gather(1, Tensor.Zeros([2, 1], DType.Float64)));
        Assert.Contains("gather", ex.Message);
        Assert.Contains("int64", ex.Message);
        Assert.Contains("float64", ex.Message);
    }

    [Fact]
    public void Gather_RankMismatch_ThrowsNamingShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 4]).Gather(1, I([0, 1], 2)));
        Assert.Contains("gather", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Gather_IndexLargerThanInputOutsideDim_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 4]).Gather(1, Tensor.Zeros([3, 1], DType.Int64)));
        Assert.Contains("[3, 1]", ex.Message);
    }

    [Fact]
    public void ScatterAdd_RepeatedTargets_Accumulate()
    {
        Tensor y = Tensor.Zeros([2, 3], DType.Float64).ScatterAdd(1, I([0, 0, 2, 1, 1, 1], 2, 3), D([1, 2, 3, 4, 5, 6], 2, 3));
        Assert.Equal([3, 0, 3, 0, 15, 0], y.ToDoubleArray());
    }

    [Fact]
    public void ScatterAdd_Gradient_MatchesFiniteDifference()
    {
        var gen = new Generator(5);
        Tensor index = Tensor.RandInt(0, 3, [4, 2], gen);
        IndexConvGradCheck.Check(t => t[0].ScatterAdd(0, index, t[1]), IndexConvGradCheck.Leaf(gen, 3, 2), IndexConvGradCheck.Leaf(gen, 5, 2));
    }

    // ---- index_select / index_add ----

    [Fact]
    public void IndexSelect_Dim0_PicksRowsWithRepeats()
    {
        Tensor y = D([1, 2, 3, 4, 5, 6], 3, 2).IndexSelect(0, I([2, 0, 2], 3));
        Assert.Equal(new Shape(3, 2), y.Shape);
        Assert.Equal([5, 6, 1, 2, 5, 6], y.ToDoubleArray());
    }

    [Fact]
    public void IndexSelect_Dim1_PicksColumns()
    {
        Tensor y = D([1, 2, 3, 4, 5, 6], 2, 3).IndexSelect(-1, I([1], 1));
        Assert.Equal([2, 5], y.ToDoubleArray());
    }

    [Fact]
    public void IndexSelect_RepeatedIndices_AccumulateGradient()
    {
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, [3, 2], requiresGrad: true, dtype: DType.Float64);
        x.IndexSelect(0, I([2, 0, 2], 3)).Sum().Backward();
        Assert.Equal([1, 1, 0, 0, 2, 2], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void IndexSelect_Gradient_MatchesFiniteDifference()
    {
        var gen = new Generator(6);
        IndexConvGradCheck.Check(t => t[0].IndexSelect(1, I([3, 0, 3, 1, 3], 5)), IndexConvGradCheck.Leaf(gen, 2, 4, 3));
    }

    [Fact]
    public void IndexSelect_DoubleBackward_MatchesFiniteDifference()
    {
        var gen = new Generator(7);
        IndexConvGradCheck.CheckSecondOrder(t => t[0].IndexSelect(0, I([1, 1, 0], 3)).Pow(3), IndexConvGradCheck.Leaf(gen, 2, 3));
    }

    [Fact]
    public void IndexSelect_IndexOutOfRange_ThrowsNamingIndexAndRange()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([3, 2]).IndexSelect(0, I([0, 3], 2)));
        Assert.Contains("index_select", ex.Message);
        Assert.Contains("index 3", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
    }

    [Fact]
    public void IndexSelect_TwoDimensionalIndex_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([3, 2]).IndexSelect(0, Tensor.Zeros([2, 2], DType.Int64)));
        Assert.Contains("index_select", ex.Message);
        Assert.Contains("[2, 2]", ex.Message);
    }

    [Fact]
    public void IndexSelect_BoolIndex_ThrowsRequiringInt64()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([3, 2]).IndexSelect(0, Tensor.From(new[] { true })));
        Assert.Contains("int64", ex.Message);
    }

    [Fact]
    public void IndexAdd_RepeatedIndices_Accumulate()
    {
        Tensor y = Tensor.Ones([3, 2], DType.Float64).IndexAdd(0, I([2, 2], 2), D([1, 2, 3, 4], 2, 2));
        Assert.Equal([1, 1, 1, 1, 5, 7], y.ToDoubleArray());
    }

    [Fact]
    public void IndexAdd_Gradient_MatchesFiniteDifference()
    {
        var gen = new Generator(8);
        IndexConvGradCheck.Check(t => t[0].IndexAdd(1, I([0, 2, 0], 3), t[1]), IndexConvGradCheck.Leaf(gen, 2, 3), IndexConvGradCheck.Leaf(gen, 2, 3));
    }

    [Fact]
    public void IndexAdd_SourceShapeMismatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([3, 2]).IndexAdd(0, I([0, 1], 2), Tensor.Zeros([3, 2])));
        Assert.Contains("index_add", ex.Message);
        Assert.Contains("[3, 2]", ex.Message);
    }
}
