using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Flip, Roll, Repeat, Tile, RepeatInterleave, Tril, Triu and pixel (un)shuffle (Ops/Rearrange.cs): values, gradients, errors.</summary>
public class RearrangeTests
{
    private static Tensor Seq(params int[] shape) => Tensor.Arange(0, (int)new Shape(shape).Numel(), 1, DType.Float64).Reshape(shape);

    // ---- flip ----

    [Fact]
    public void Flip_ListedDims_ReverseTheirOrder()
    {
        Assert.Equal([8.0, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3], Seq(3, 4).Flip(0).ToDoubleArray());
        Assert.Equal([11.0, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], Seq(3, 4).Flip(0, -1).ToDoubleArray());
        Assert.Equal([2.0, 1, 0, 5, 4, 3], Seq(2, 3).Flip(1).ToDoubleArray());
    }

    [Fact]
    public void Flip_NonContiguousInput_FlipsItsLogicalOrder()
        => Assert.Equal([4.0, 2, 0, 5, 3, 1], Seq(3, 2).Transpose(0, 1).Flip(1).ToDoubleArray());

    [Fact]
    public void Flip_RepeatedDim_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Seq(2, 3).Flip(0, -2)), "flip", "dimension 0", "more than once");

    [Fact]
    public void Flip_NoDimsOrZeroDimensional_Copies()
    {
        Assert.Equal([0.0, 1, 2], Seq(3).Flip().ToDoubleArray());
        Assert.Equal(5.0, Tensor.Scalar(5.0, DType.Float64).Flip(0).Item());
    }

    [Fact]
    public void Flip_LargeTensorOverThreads_ReversesEveryRow()
    {
        // 2,100 x 2,100 floats pass the elementwise threading threshold (4 Mi elements).
        Tensor x = Tensor.Arange(0, 2100 * 2100, 1, DType.Float32).Reshape(2100, 2100);
        Tensor y = x.Flip(0, 1);
        Assert.Equal(2100 * 2100 - 1.0, y[0, 0].Item());
        Assert.Equal(2100 * 2098.0 + 5, y[1, 2094].Item());
        Assert.Equal(x.ToArray<float>(), y.Flip(1, 0).ToArray<float>());
    }

    // ---- roll ----

    [Fact]
    public void Roll_OneDim_ElementsWrapAround()
    {
        Assert.Equal([3.0, 4, 0, 1, 2], Seq(5).Roll(2, 0).ToDoubleArray());
        Assert.Equal([2.0, 3, 4, 0, 1], Seq(5).Roll(-2, 0).ToDoubleArray());
        Assert.Equal([4.0, 0, 1, 2, 3], Seq(5).Roll(11, 0).ToDoubleArray());
    }

    [Fact]
    public void Roll_SeveralDims_RollEachAndRepeatedDimsAddUp()
    {
        Assert.Equal([9.0, 10, 11, 8, 1, 2, 3, 0, 5, 6, 7, 4], Seq(3, 4).Roll([1, -1], [0, 1]).ToDoubleArray());
        Assert.Equal(Seq(3, 4).Roll(2, 1).ToDoubleArray(), Seq(3, 4).Roll([1, 1], [1, 1]).ToDoubleArray());
    }

    [Fact]
    public void Roll_WithoutDims_RollsTheFlattenedTensor()
    {
        Tensor y = Seq(3, 4).Roll(5);
        Assert.Equal(new Shape(3, 4), y.Shape);
        Assert.Equal([7.0, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6], y.ToDoubleArray());
        Assert.Equal([5.0, 0, 3, 1, 4, 2], Seq(2, 3).Transpose(0, 1).Roll(1).ToDoubleArray());
    }

    [Fact]
    public void Roll_ExtremeShifts_WrapWithoutOverflow()
    {
        Assert.Equal(Seq(7).Roll(int.MaxValue % 7, 0).ToDoubleArray(), Seq(7).Roll(int.MaxValue, 0).ToDoubleArray());
        Tensor x = Seq(7);
        x.RequiresGrad = true;
        x.Roll(int.MinValue, 0).Backward(Seq(7));
        Assert.Equal(Seq(7).Roll(-(int.MinValue % 7), 0).ToDoubleArray(), x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Roll_Gradient_RollsBack()
    {
        Tensor x = Seq(2, 3);
        x.RequiresGrad = true;
        x.Roll([1, 2], [0, 1]).Backward(Seq(2, 3));
        Assert.Equal(Seq(2, 3).Roll([-1, -2], [0, 1]).ToDoubleArray(), x.Grad!.ToDoubleArray());
        Assert.Equal("RollBackward", x.Roll(1).GradFn!.Name);
    }

    [Fact]
    public void Roll_MismatchedListsOrMissingShifts_Throw()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(3, 4).Roll([1, 2], [0])), "roll", "2 shifts", "1 dims");
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(3, 4).Roll([1, 2])), "roll", "one shift", "[1, 2]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(3, 4).Roll([], [])), "roll", "at least one shift");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.0, DType.Float64).Roll(1, 0)), "roll", "0-d");
    }

    // ---- repeat, tile ----

    [Fact]
    public void Repeat_TilesWholeCopiesAndAddsLeadingDims()
    {
        Tensor y = Tensor.From(new double[] { 1, 2, 3 }, [3], dtype: DType.Float64).Repeat(2, 2);
        Assert.Equal(new Shape(2, 6), y.Shape);
        Assert.Equal([1.0, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3], y.ToDoubleArray());
        Assert.Equal([0.0, 1, 0, 1, 2, 3, 2, 3, 0, 1, 0, 1, 2, 3, 2, 3], Seq(2, 2).Repeat(2, 2).ToDoubleArray());
    }

    [Fact]
    public void Repeat_ZeroDimensionalAndZeroRepeats()
    {
        Assert.Equal(new Shape(2, 3), Tensor.Scalar(4.0, DType.Float64).Repeat(2, 3).Shape);
        Assert.Equal(new Shape(0, 4), Seq(2, 2).Repeat(0, 2).Shape);
        Assert.Equal(4.0, Tensor.Scalar(4.0, DType.Float64).Repeat().Item());
    }

    [Fact]
    public void Repeat_Gradient_SumsTheCopies()
    {
        Tensor x = Seq(2, 3);
        x.RequiresGrad = true;
        x.Repeat(3, 2, 1).Sum().Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(6.0, v));
        Assert.Equal("RepeatBackward", x.Tile(2).GradFn!.Name);
    }

    [Fact]
    public void Repeat_FewerRepeatsThanDimsOrNegative_Throws()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(2, 3).Repeat(2)), "repeat", "[2]", "[2, 3]", "at least one per dimension");
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(2, 3).Repeat(2, -1)), "repeat", "non-negative", "[2, -1]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(2, 3).Repeat(int.MaxValue, 2)), "repeat", "more than one tensor can hold");
    }

    [Fact]
    public void Tile_ShorterDims_PrependOnes()
    {
        Assert.Equal(Seq(2, 3).Repeat(1, 2).ToDoubleArray(), Seq(2, 3).Tile(2).ToDoubleArray());
        Assert.Equal(new Shape(2, 2, 3), Seq(2, 3).Tile(2, 1, 1).Shape);
        Assert.Equal(new Shape(2, 3), Seq(2, 3).Tile().Shape);
    }

    // ---- repeat_interleave ----

    [Fact]
    public void RepeatInterleave_RepeatsEachElementInARow()
    {
        Assert.Equal([0.0, 1, 0, 1, 2, 3, 2, 3], Seq(2, 2).RepeatInterleave(2, 0).ToDoubleArray());
        Assert.Equal([0.0, 0, 1, 1, 2, 2, 3, 3], Seq(2, 2).RepeatInterleave(2, -1).ToDoubleArray());
        Tensor flat = Seq(2, 2).RepeatInterleave(2);
        Assert.Equal(new Shape(8), flat.Shape);
        Assert.Equal([0.0, 0, 1, 1, 2, 2, 3, 3], flat.ToDoubleArray());
        Assert.Equal([7.0, 7, 7], Tensor.Scalar(7.0, DType.Float64).RepeatInterleave(3).ToDoubleArray());
        Assert.Equal(new Shape(0, 2), Seq(2, 2).RepeatInterleave(0, 0).Shape);
    }

    [Fact]
    public void RepeatInterleave_Gradient_SumsEachElementsCopies()
    {
        Tensor x = Seq(2, 2);
        x.RequiresGrad = true;
        x.RepeatInterleave(2, 1).Backward(Seq(2, 4));
        Assert.Equal([1.0, 5, 9, 13], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void RepeatInterleave_NegativeRepeatsOrDimOfZeroDimensional_Throws()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(2).RepeatInterleave(-1)), "repeat_interleave", "non-negative", "-1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.0, DType.Float64).RepeatInterleave(2, 0)), "repeat_interleave", "0-d");
    }

    // ---- tril, triu ----

    [Fact]
    public void Tril_KeepsOnAndBelowTheDiagonal()
    {
        Assert.Equal([0.0, 0, 0, 0, 4, 0, 0, 0, 8, 9, 0, 0], Seq(3, 4).Tril(-1).ToDoubleArray());
        Assert.Equal([0.0, 1, 0, 0, 4, 5, 6, 0, 8, 9, 10, 11], Seq(3, 4).Tril(1).ToDoubleArray());
        Assert.Equal(Seq(3, 4).ToDoubleArray(), Seq(3, 4).Tril(10).ToDoubleArray());
        Assert.All(Seq(3, 4).Tril(-10).ToDoubleArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Triu_KeepsOnAndAboveTheDiagonal_PerMatrixOfABatch()
    {
        Assert.Equal([0.0, 1, 2, 0, 0, 5, 0, 0, 0, 0, 0, 0], Seq(4, 3).Triu(1).ToDoubleArray());
        Assert.Equal([0.0, 1, 2, 3, 0, 5, 6, 7, 8, 9, 0, 11], Seq(2, 3, 2).Triu(-1).ToDoubleArray());
        Assert.Equal([true, true, false, true], Tensor.Ones([2, 2], DType.Bool).Triu().ToArray<bool>());
        Assert.Equal([1L, 0, 1, 1], Tensor.Ones([2, 2], DType.Int64).Tril().ToArray<long>());
    }

    [Fact]
    public void Tril_Gradient_IsTheUpstreamLowerTriangle()
    {
        Tensor x = Seq(3, 3);
        x.RequiresGrad = true;
        x.Tril().Sum().Backward();
        Assert.Equal([1.0, 0, 0, 1, 1, 0, 1, 1, 1], x.Grad!.ToDoubleArray());
        Assert.Equal("TriuBackward", x.Triu().GradFn!.Name);
    }

    [Fact]
    public void Tril_BelowTwoDimensions_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Seq(3).Tril()), "tril", "at least 2 dimensions", "[3]");

    // ---- pixel shuffle ----

    [Fact]
    public void PixelShuffle_MovesChannelBlocksIntoSpace()
    {
        Tensor y = Functional.PixelShuffle(Seq(1, 4, 1, 2), 2);
        Assert.Equal(new Shape(1, 1, 2, 4), y.Shape);
        // out[0, 0, i, 2w + j] = in[0, 2i + j, 0, w]
        Assert.Equal([0.0, 2, 1, 3, 4, 6, 5, 7], y.ToDoubleArray());
        Assert.Equal(Seq(2, 3, 2).ToDoubleArray(), Functional.PixelShuffle(Seq(2, 3, 2), 1).ToDoubleArray());
    }

    [Fact]
    public void PixelUnshuffle_InvertsPixelShuffle()
    {
        Tensor x = Seq(2, 3, 18, 2, 3);
        Tensor y = Functional.PixelShuffle(x, 3);
        Assert.Equal(new Shape(2, 3, 2, 6, 9), y.Shape);
        Assert.Equal(x.ToDoubleArray(), Functional.PixelUnshuffle(y, 3).ToDoubleArray());
    }

    [Fact]
    public void PixelShuffle_Gradient_IsUnshuffled()
    {
        Tensor x = Seq(1, 4, 2, 2);
        x.RequiresGrad = true;
        Functional.PixelShuffle(x, 2).Backward(Seq(1, 1, 4, 4));
        Assert.Equal(Functional.PixelUnshuffle(Seq(1, 1, 4, 4), 2).ToDoubleArray(), x.Grad!.ToDoubleArray());
        Assert.Equal("PixelShuffleBackward", Functional.PixelShuffle(x, 2).GradFn!.Name);
    }

    [Fact]
    public void PixelShuffle_BadShapesOrFactors_Throw()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.PixelShuffle(Tensor.Zeros([1, 3, 2, 2], DType.Float64), 2)),
            "pixel_shuffle", "divisible", "4", "[1, 3, 2, 2]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.PixelShuffle(Tensor.Zeros([4, 2], DType.Float64), 2)), "pixel_shuffle", "rank 3", "[4, 2]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.PixelShuffle(Tensor.Zeros([1, 4, 2, 2], DType.Float64), 0)), "pixel_shuffle", "upscale_factor", "0");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.PixelUnshuffle(Tensor.Zeros([1, 1, 3, 6], DType.Float64), 2)),
            "pixel_unshuffle", "divisible", "[1, 1, 3, 6]");
    }
}
