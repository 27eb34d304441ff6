using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>MaskedFill, Scatter, OneHot and tensor indexing (Ops/Masking.cs): values, gradients and errors.</summary>
public class MaskingTests
{
    private static Tensor Seq(params int[] shape) => Tensor.Arange(0, (int)new Shape(shape).Numel(), 1, DType.Float64).Reshape(shape);

    private static Tensor Mask(bool[] values, params int[] shape) => Tensor.From(values, shape);

    // ---- masked_fill ----

    [Fact]
    public void MaskedFill_BroadcastMask_WritesTheValueWhereTrue()
    {
        Tensor y = Seq(2, 3).MaskedFill(Mask([true, false, true], 3), -1.5);
        Assert.Equal([-1.5, 1, -1.5, -1.5, 4, -1.5], y.ToDoubleArray());
        Assert.Equal([0.0, 1, 2, 3, 4, 5], Seq(2, 3).MaskedFill(Mask([false], 1), 9).ToDoubleArray());
        Assert.Equal(double.NegativeInfinity, Seq(2).MaskedFill(Mask([true, false], 2), double.NegativeInfinity)[0].Item());
    }

    [Fact]
    public void MaskedFill_Gradient_IsZeroWhereTheMaskWrote()
    {
        Tensor x = Seq(2, 2);
        x.RequiresGrad = true;
        Tensor y = x.MaskedFill(Mask([true, false, false, true], 2, 2), 0);
        Assert.Equal("MaskedFillBackward", y.GradFn!.Name);
        y.Backward(Tensor.Full([2, 2], 3, DType.Float64));
        Assert.Equal([0.0, 3, 3, 0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MaskedFill_MaskNotBool_NamesItsDType()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Seq(2, 2).MaskedFill(Tensor.Ones([2, 2], DType.Float32), 0)),
            "masked_fill", "bool", "float32", "[2, 2]");

    [Fact]
    public void MaskedFill_MaskThatDoesNotBroadcastToTheInput_NamesBothShapes()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(3, 4).MaskedFill(Mask([true, false, true], 3), 0)), "masked_fill", "[3]", "[3, 4]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(4).MaskedFill(Tensor.Ones([2, 4], DType.Bool), 0)), "masked_fill", "[2, 4]", "[4]");
    }

    [Fact]
    public void MaskedFill_IntegerAndBoolInputs_KeepTheirDType()
    {
        Assert.Equal([7L, 1, 7], Tensor.Arange(3).MaskedFill(Mask([true, false, true], 3), 7).ToArray<long>());
        Assert.Equal([true, true], Tensor.From([false, true]).MaskedFill(Mask([true, false], 2), 0.5).ToArray<bool>());
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(3).MaskedFill(Mask([true], 1), 1.5)), "masked_fill", "1.5", "int64");
    }

    [Fact]
    public void MaskedFillInPlace_ContiguousAndStrided_WritesAndBumpsTheVersion()
    {
        Tensor x = Seq(2, 3);
        int version = x.Version;
        Assert.Same(x, x.MaskedFillInPlace(Mask([false, true, false], 3), -2));
        Assert.Equal([0.0, -2, 2, 3, -2, 5], x.ToDoubleArray());
        Assert.True(x.Version > version);
        Tensor t = Seq(2, 3).Transpose(0, 1);
        t.MaskedFillInPlace(Mask([true, false], 2), 9);
        Assert.Equal([9.0, 3, 9, 4, 9, 5], t.ToDoubleArray());
    }

    [Fact]
    public void MaskedFillInPlace_OnATensorThatRequiresGrad_IsRefused()
    {
        Tensor x = Seq(2);
        x.RequiresGrad = true;
        AssertMessage(Assert.Throws<InvalidOperationException>(() => x.MaskedFillInPlace(Mask([true, false], 2), 0)), "masked_fill_");
    }

    // ---- scatter ----

    [Fact]
    public void Scatter_WritesTheSourceAtTheIndexedPositions()
    {
        Tensor src = Tensor.From(new double[] { 10, 20, 30, 40 }, [2, 2], dtype: DType.Float64);
        Tensor y = Tensor.Zeros([2, 3], DType.Float64).Scatter(1, Tensor.From([2L, 0L, 1L, 2L], [2, 2]), src);
        Assert.Equal([20.0, 0, 10, 0, 30, 40], y.ToDoubleArray());
        Tensor rows = Tensor.Zeros([3, 2], DType.Float64).Scatter(0, Tensor.From([2L, 0L], [1, 2]), src);
        Assert.Equal([0.0, 20, 0, 0, 10, 0], rows.ToDoubleArray());
    }

    [Fact]
    public void Scatter_Value_WritesItAtTheIndexedPositions()
    {
        Assert.Equal([0.0, 2.5, 0], Tensor.Zeros([3], DType.Float64).Scatter(0, Tensor.From([1L]), 2.5).ToDoubleArray());
        Assert.Equal([0L, 1, 1], Tensor.Zeros([3], DType.Int64).Scatter(0, Tensor.From([2L, 1L]), 1).ToArray<long>());
    }

    [Fact]
    public void Scatter_RepeatedIndex_LastWriteWins()
        => Assert.Equal([0.0, 6, 0], Tensor.Zeros([3], DType.Float64).Scatter(0, Tensor.From([1L, 1L]), Tensor.From(new double[] { 5, 6 }, [2], dtype: DType.Float64)).ToDoubleArray());

    [Fact]
    public void Scatter_Gradients_ZeroTheWrittenPositionsAndGatherForTheSource()
    {
        Tensor x = Seq(2, 3);
        Tensor src = Tensor.From(new double[] { 1, 2 }, [2, 1], requiresGrad: true, dtype: DType.Float64);
        x.RequiresGrad = true;
        Tensor y = x.Scatter(1, Tensor.From([2L, 0L], [2, 1]), src);
        Assert.Equal("ScatterBackward", y.GradFn!.Name);
        y.Backward(Seq(2, 3) + 1.0);
        Assert.Equal([1.0, 2, 0, 0, 5, 6], x.Grad!.ToDoubleArray());
        Assert.Equal([3.0, 4], src.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Scatter_ZeroDimensional_WritesTheOneElement()
        => Assert.Equal(5.0, Tensor.Scalar(1.0, DType.Float64).Scatter(0, Tensor.From([0L], []), Tensor.Scalar(5.0, DType.Float64)).Item());

    [Fact]
    public void Scatter_BadIndex_NamesTheProblem()
    {
        Tensor x = Tensor.Zeros([3], DType.Float64);
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => x.Scatter(0, Tensor.From([3L]), 1)), "scatter", "index 3", "size 3");
        AssertMessage(Assert.Throws<ArgumentException>(() => x.Scatter(0, Tensor.From([1.0], [1], dtype: DType.Float64), 1)), "scatter", "int64", "float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([3, 2], DType.Float64).Scatter(0, Tensor.From([1L]), 1)), "scatter", "same rank");
        AssertMessage(Assert.Throws<ArgumentException>(() => x.Scatter(0, Tensor.From([1L, 2L]), Tensor.Zeros([1], DType.Float64))), "scatter", "exceeds source shape [1]");
        AssertMessage(Assert.Throws<ArgumentException>(() => x.Scatter(0, Tensor.From([1L]), Tensor.Zeros([1], DType.Float32))), "scatter", "float64", "float32");
    }

    // ---- one_hot ----

    [Fact]
    public void OneHot_GivenClasses_MarksEachIndex()
    {
        Tensor y = Functional.OneHot(Tensor.From([0L, 2L]), 4);
        Assert.Equal(DType.Int64, y.DType);
        Assert.Equal(new Shape(2, 4), y.Shape);
        Assert.Equal([1L, 0, 0, 0, 0, 0, 1, 0], y.ToArray<long>());
        Assert.Equal([0L, 0, 1], Functional.OneHot(Tensor.From([2L], []), 3).ToArray<long>());
        Assert.Equal(new Shape(0, 3), Functional.OneHot(Tensor.Zeros([0], DType.Int64), 3).Shape);
    }

    [Fact]
    public void OneHot_MinusOne_InfersTheLargestClassPlusOne()
    {
        Tensor y = Functional.OneHot(Tensor.From([1L, 1L, 0L, 2L], [2, 2]));
        Assert.Equal(new Shape(2, 2, 3), y.Shape);
        Assert.Equal([0L, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1], y.ToArray<long>());
    }

    [Fact]
    public void OneHot_BadInput_NamesTheProblem()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.OneHot(Tensor.From([1.0], [1], dtype: DType.Float64), 3)), "one_hot", "int64", "float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.OneHot(Tensor.From([-1L]), 3)), "one_hot", "non-negative", "-1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.OneHot(Tensor.From([3L]), 3)), "one_hot", "class value 3", "num_classes 3");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.OneHot(Tensor.Zeros([0], DType.Int64))), "one_hot", "empty");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.OneHot(Tensor.From([1L]), -2)), "one_hot", "-2");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.OneHot(Tensor.From([1L, 3_000_000_000L]))), "one_hot", "more than one tensor can hold");
    }

    // ---- x[mask], x[indices] ----

    [Fact]
    public void MaskIndex_FullMask_GivesTheSelectedElementsIn1d()
    {
        Tensor x = Seq(3, 4);
        Tensor y = x[x > 5.0];
        Assert.Equal(new Shape(6), y.Shape);
        Assert.Equal([6.0, 7, 8, 9, 10, 11], y.ToDoubleArray());
    }

    [Fact]
    public void MaskIndex_LeadingMask_SelectsSubTensors()
    {
        Tensor y = Seq(3, 4)[Mask([true, false, true], 3)];
        Assert.Equal(new Shape(2, 4), y.Shape);
        Assert.Equal([0.0, 1, 2, 3, 8, 9, 10, 11], y.ToDoubleArray());
        Assert.Equal(new Shape(1, 3, 4), Seq(3, 4)[Tensor.From([true], [])].Shape);
        Assert.Equal(new Shape(0, 3, 4), Seq(3, 4)[Tensor.From([false], [])].Shape);
    }

    [Fact]
    public void MaskIndex_Gradient_ScattersBackToTheSelectedElements()
    {
        Tensor x = Seq(2, 2);
        x.RequiresGrad = true;
        Tensor y = x[Mask([false, true, true, false], 2, 2)];
        Assert.Equal("IndexBackward", y.GradFn!.Name);
        y.Backward(Tensor.From(new double[] { 5, 7 }, [2], dtype: DType.Float64));
        Assert.Equal([0.0, 5, 7, 0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MaskIndex_ShapeMismatch_NamesBothShapes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Seq(3, 4)[Mask([true, false], 2)]), "index", "mask of shape [2]", "[3, 4]");

    [Fact]
    public void TensorIndex_Int64_PicksRowsIncludingNegativeAndRepeated()
    {
        Tensor y = Seq(3, 2)[Tensor.From([2L, -3L, 2L, 1L], [2, 2])];
        Assert.Equal(new Shape(2, 2, 2), y.Shape);
        Assert.Equal([4.0, 5, 0, 1, 4, 5, 2, 3], y.ToDoubleArray());
        Assert.Equal([2.0, 3], Seq(3, 2).Index(Tensor.From([1L], [])).ToDoubleArray());
    }

    [Fact]
    public void TensorIndex_RepeatedRows_AccumulateTheirGradients()
    {
        Tensor x = Seq(3, 2);
        x.RequiresGrad = true;
        x[Tensor.From([0L, 0L, 2L])].Sum().Backward();
        Assert.Equal([2.0, 2, 0, 0, 1, 1], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void TensorIndex_BadIndex_NamesTheProblem()
    {
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Seq(3, 2)[Tensor.From([3L])]), "index", "index 3", "size 3", "-3 to 2");
        AssertMessage(Assert.Throws<ArgumentException>(() => Seq(3, 2)[Tensor.From([1f], [1])]), "index", "int64", "bool", "float32");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1.0, DType.Float64)[Tensor.From([0L])]), "index", "0-d");
    }

    // ---- x[^1], x[.., 1..^1] ----

    [Fact]
    public void IndexFromEnd_SelectsCountingFromTheEnd()
    {
        Tensor x = Seq(3, 4);
        Assert.Equal([8.0, 9, 10, 11], x[^1].ToDoubleArray());
        Assert.Equal(7.0, x[1, ^1].Item());
        Assert.Equal(0.0, x[^3, 0].Item());
    }

    [Fact]
    public void IndexFromEnd_OutOfRange_NamesIndexAndSize()
    {
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Seq(3, 4)[^4]), "index", "^4", "dimension 0", "size 3");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Seq(3, 4)[0, ^0]), "index", "^0", "dimension 1", "size 4");
    }

    [Fact]
    public void RangesOnSeveralDims_SliceEach()
    {
        Tensor y = Seq(3, 4)[1.., 1..^1];
        Assert.Equal(new Shape(2, 2), y.Shape);
        Assert.Equal([5.0, 6, 9, 10], y.ToDoubleArray());
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Seq(3, 4)[.., 2..5]), "index", "2..5", "dimension 1", "size 4");
    }
}
