using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Split, Chunk and Unbind (Ops/Pieces.cs): piece shapes and values, views, gradients of pieces used together, errors.</summary>
public class PiecesTests
{
    private static Tensor Rows(int rows, int cols, bool requiresGrad = false)
    {
        Tensor t = Tensor.Arange(0, rows * cols, 1, DType.Float64).Reshape(rows, cols);
        if (requiresGrad) t.RequiresGrad = true;
        return t;
    }

    private static int[] Sizes(Tensor[] pieces, int dim) => [.. pieces.Select(p => p.Shape[dim])];

    [Fact]
    public void Split_Size_GivesConsecutivePiecesTheLastSmaller()
    {
        Tensor[] p = Rows(5, 2).Split(2);
        Assert.Equal([2, 2, 1], Sizes(p, 0));
        Assert.Equal([4.0, 5, 6, 7], p[1].ToDoubleArray());
        Assert.Equal([8.0, 9], p[2].ToDoubleArray());
    }

    [Fact]
    public void Split_Sections_GivesExactSizesIncludingEmptyPieces()
    {
        Tensor[] p = Rows(2, 6).Split([1, 0, 3, 2], dim: -1);
        Assert.Equal([1, 0, 3, 2], Sizes(p, 1));
        Assert.Equal([1.0, 2, 3, 7, 8, 9], p[2].ToDoubleArray());
        Assert.Equal(new Shape(2, 0), p[1].Shape);
    }

    [Fact]
    public void Split_PiecesAreViewsOfTheInput()
    {
        Tensor x = Rows(4, 3);
        Tensor[] p = x.Split(2, dim: 0);
        using (Autograd.NoGrad()) x.Fill(7);
        Assert.All(p[1].ToDoubleArray(), v => Assert.Equal(7.0, v));
    }

    [Fact]
    public void Split_EmptyDimension_GivesOneEmptyPiece()
    {
        Tensor[] p = Tensor.Zeros([0, 3], DType.Float64).Split(2);
        Assert.Single(p);
        Assert.Equal(new Shape(0, 3), p[0].Shape);
        Assert.Single(Tensor.Zeros([0], DType.Float64).Split(0));
    }

    [Fact]
    public void Split_SectionsNotAddingUp_NamesSizesSumAndDimension()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Rows(5, 2).Split([1, 2])), "split", "[1, 2]", "add up to 3", "dimension 0 has size 5", "[5, 2]");

    [Fact]
    public void Split_NegativeSection_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Rows(5, 2).Split([6, -1])), "split", "non-negative", "[6, -1]");

    [Fact]
    public void Split_NegativeOrZeroSizeOnNonEmptyDim_Throws()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Rows(5, 2).Split(-1)), "split", "-1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Rows(5, 2).Split(0)), "split", "0", "size 5");
    }

    [Fact]
    public void Split_ZeroDimensionalTensor_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.0, DType.Float64).Split(1)), "split", "0-d");

    [Theory]
    [InlineData(6, 4, new[] { 2, 2, 2 })]
    [InlineData(5, 4, new[] { 2, 2, 1 })]
    [InlineData(7, 3, new[] { 3, 3, 1 })]
    [InlineData(2, 5, new[] { 1, 1 })]
    public void Chunk_PiecesOfCeilingSize_MayBeFewerThanAsked(int n, int chunks, int[] sizes)
        => Assert.Equal(sizes, Sizes(Tensor.Zeros([3, n], DType.Float64).Chunk(chunks, 1), 1));

    [Fact]
    public void Chunk_EmptyDimension_GivesChunksEmptyPieces()
        => Assert.Equal([0, 0, 0], Sizes(Tensor.Zeros([0], DType.Float64).Chunk(3), 0));

    [Fact]
    public void Chunk_NonPositiveChunks_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Rows(4, 2).Chunk(0)), "chunk", "positive", "0");

    [Fact]
    public void Unbind_GivesSlicesWithoutTheDimension()
    {
        Tensor[] p = Rows(2, 3).Unbind(-1);
        Assert.Equal(3, p.Length);
        Assert.Equal(new Shape(2), p[1].Shape);
        Assert.Equal([1.0, 4], p[1].ToDoubleArray());
    }

    [Fact]
    public void Unbind_ZeroDimensionalTensor_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.0, DType.Float64).Unbind()), "unbind", "0-d");

    [Fact]
    public void Pieces_GradFn_HasPyTorchsName()
    {
        Tensor x = Rows(4, 2, requiresGrad: true);
        Assert.Equal("SplitBackward", x.Split(2)[0].GradFn!.Name);
        Assert.Equal("SplitBackward", x.Chunk(2)[1].GradFn!.Name);
        Assert.Equal("SplitWithSizesBackward", x.Split([1, 3])[0].GradFn!.Name);
        Assert.Equal("UnbindBackward", x.Unbind(1)[0].GradFn!.Name);
    }

    [Fact]
    public void Unbind_AllRowsOfALeafUsed_GradientsAccumulateIntoTheirRows()
    {
        Tensor x = Rows(6, 3, requiresGrad: true);
        Tensor[] rows = x.Unbind();
        Tensor loss = rows[0].Sum();
        for (int i = 1; i < rows.Length; i++) loss = loss + rows[i].Sum() * (i + 1.0);
        loss.Backward();
        double[] expected = [.. Enumerable.Range(0, 18).Select(k => k / 3 + 1.0)];
        Assert.Equal(expected, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Split_PiecesOfAComputedTensorUsedTogether_GradientsAccumulate()
    {
        Tensor x = Rows(7, 2, requiresGrad: true);
        Tensor[] p = (x * 2.0).Split(2);
        Tensor loss = p[0].Sum() + (p[1] * 3.0).Sum() + (p[2] * 5.0).Sum() + (p[3] * 7.0).Sum() + p[1].Sum();
        loss.Backward();
        Assert.Equal([2.0, 2, 2, 2, 8, 8, 8, 8, 10, 10, 10, 10, 14, 14], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Unbind_SecondBackwardIntoExistingGradient_AddsOnlyIntoEachRow()
    {
        Tensor x = Rows(3, 2, requiresGrad: true);
        for (int pass = 0; pass < 2; pass++)
        {
            Tensor[] rows = x.Unbind(1);
            (rows[0] * -1.0 + rows[1] * 4.0).Sum().Backward();
        }
        Assert.Equal([-2.0, 8, -2, 8, -2, 8], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Unbind_ManyRowsUsedTogether_BackwardAllocatesLinearlyNotQuadratically()
    {
        // Summing a full-size gradient per row would allocate 400 x 800 KB; adding each row into its block does not.
        Tensor x = Tensor.Zeros([400, 250], DType.Float64, requiresGrad: true);
        Tensor h = x * 1.0;
        Tensor[] rows = h.Unbind();
        Tensor loss = rows[0].Sum();
        for (int i = 1; i < rows.Length; i++) loss = loss + rows[i].Sum() * (double)(i + 1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        loss.Backward();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 40_000_000, $"backward allocated {allocated:N0} bytes");
        Assert.Equal(400.0, x.Grad![399, 249].Item());
        Assert.Equal(1.0, x.Grad![0, 0].Item());
    }

    [Fact]
    public void Split_SecondDerivative_FlowsThroughThePieces()
    {
        Tensor x = Tensor.From(new double[] { 1, 2, 3, 4 }, [4], requiresGrad: true, dtype: DType.Float64);
        Tensor[] p = x.Split(2);
        Tensor y = (p[0] * p[0] * p[0]).Sum() + (p[1] * p[1]).Sum();
        Tensor g = Autograd.Grad(y, x, createGraph: true);
        Assert.Equal([3.0, 12, 6, 8], g.ToDoubleArray());
        Assert.Equal([6.0, 12, 2, 2], Autograd.Grad(g.Sum(), x).ToDoubleArray());
    }
}
