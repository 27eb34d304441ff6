using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Functional.Pad (Ops/Padding.cs): constant padding and cropping, reflect and replicate borders, their gradients and errors.</summary>
public class PaddingTests
{
    private static Tensor Row(params double[] values) => Tensor.From(values, [1, 1, values.Length], dtype: DType.Float64);

    [Fact]
    public void Pad_Constant_FillsBeforeAndAfterEachTrailingDim()
    {
        Tensor x = Tensor.From(new double[] { 1, 2, 3, 4 }, [2, 2], dtype: DType.Float64);
        Tensor y = Functional.Pad(x, [1, 0, 0, 1], value: -1);
        Assert.Equal(new Shape(3, 3), y.Shape);
        Assert.Equal([-1.0, 1, 2, -1, 3, 4, -1, -1, -1], y.ToDoubleArray());
    }

    [Fact]
    public void Pad_NegativeConstantPads_CropThatSide()
    {
        Tensor y = Functional.Pad(Tensor.Arange(0, 4, 1, DType.Float64), [-2, 3], value: 9);
        Assert.Equal([2.0, 3, 9, 9, 9], y.ToDoubleArray());
        Assert.Equal(new Shape(0), Functional.Pad(Tensor.Arange(0, 4, 1, DType.Float64), [-4, 0]).Shape);
    }

    [Fact]
    public void Pad_EmptyOrFullyCroppedRows_AreAllFill()
    {
        Assert.Equal([0.0, 0, 0, 0], Functional.Pad(Tensor.Zeros([2, 0], DType.Float64), [1, 1]).ToDoubleArray());
        Tensor x = Tensor.Arange(0, 6, 1, DType.Float64).Reshape(3, 2).Transpose(0, 1);
        Assert.Equal([7.0, 7, 7, 7], Functional.Pad(x, [-3, 2], value: 7).ToDoubleArray());
        Assert.Equal(new Shape(3, 2), Functional.Pad(Tensor.Zeros([0, 2], DType.Float64), [0, 0, 1, 2]).Shape);
    }

    [Fact]
    public void Pad_CropBelowZero_NamesPadsDimAndSize()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Tensor.Zeros([4], DType.Float64), [-5, 0])),
            "pad", "(-5, 0)", "dimension 0", "size 4", "-1");

    [Fact]
    public void Pad_EmptyPadding_CopiesAnyTensor()
    {
        Tensor x = Tensor.Scalar(3.0, DType.Float64);
        Tensor y = Functional.Pad(x, []);
        Assert.Equal(3.0, y.Item());
        Assert.False(y.SharesStorage(x));
    }

    [Fact]
    public void Pad_Reflect_MirrorsWithoutTheEdge()
        => Assert.Equal([2.0, 1, 0, 1, 2, 3, 2, 1], Functional.Pad(Row(0, 1, 2, 3), [2, 2], PaddingMode.Reflect).ToDoubleArray());

    [Fact]
    public void Pad_ReflectWithACrop_ReflectsAboutTheOriginalEdges()
    {
        Assert.Equal([1.0, 2, 3, 2, 1], Functional.Pad(Row(0, 1, 2, 3), [-1, 2], PaddingMode.Reflect).ToDoubleArray());
        Assert.Equal([3.0, 2, 1, 0, 1, 2, 3, 2, 1, 0], Functional.Pad(Row(0, 1, 2, 3), [3, 3], PaddingMode.Reflect).ToDoubleArray());
    }

    [Fact]
    public void Pad_Reflect2d_MirrorsRowsAndColumns()
    {
        Tensor x = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, [1, 1, 2, 3], dtype: DType.Float64);
        Tensor y = Functional.Pad(x, [1, 0, 1, 0], PaddingMode.Reflect);
        Assert.Equal(new Shape(1, 1, 3, 4), y.Shape);
        Assert.Equal([5.0, 4, 5, 6, 2, 1, 2, 3, 5, 4, 5, 6], y.ToDoubleArray());
    }

    [Fact]
    public void Pad_ReflectPadNotSmallerThanSize_NamesPadsAndSize()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Row(0, 1, 2, 3), [4, 0], PaddingMode.Reflect)),
            "pad", "reflect", "(4, 0)", "dimension 2", "size 4");

    [Fact]
    public void Pad_Replicate_RepeatsTheEdgeAnyNumberOfTimes()
    {
        Assert.Equal([0.0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3], Functional.Pad(Row(0, 1, 2, 3), [6, 1], PaddingMode.Replicate).ToDoubleArray());
        Assert.Equal([1.0, 2, 3, 3, 3], Functional.Pad(Row(0, 1, 2, 3), [-1, 2], PaddingMode.Replicate).ToDoubleArray());
    }

    [Fact]
    public void Pad_ReplicateAnEmptyDimension_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Tensor.Zeros([1, 1, 0], DType.Float64), [1, 1], PaddingMode.Replicate)),
            "pad", "replicate", "empty", "[1, 1, 0]");

    [Fact]
    public void Pad_ReplicateGradient_AccumulatesAtTheEdges()
    {
        Tensor x = Row(5, 6, 7);
        x.RequiresGrad = true;
        Functional.Pad(x, [2, 1], PaddingMode.Replicate).Sum().Backward();
        Assert.Equal([3.0, 1, 2], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Pad_ReflectGradient_AccumulatesAtTheMirroredElements()
    {
        Tensor x = Row(5, 6, 7, 8);
        x.RequiresGrad = true;
        Tensor y = Functional.Pad(x, [2, 2], PaddingMode.Reflect);
        y.Backward(Tensor.Arange(1, 9, 1, DType.Float64).Reshape(1, 1, 8));
        // y = [7 6 | 5 6 7 8 | 7 6] with upstream 1..8: x0 <- 3, x1 <- 2+4+8, x2 <- 1+5+7, x3 <- 6.
        Assert.Equal([3.0, 14, 13, 6], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Pad_ConstantGradient_IsTheUpstreamGradientCropped()
    {
        Tensor x = Tensor.From(new double[] { 1, 2, 3, 4 }, [4], requiresGrad: true, dtype: DType.Float64);
        Tensor y = Functional.Pad(x, [-1, 2], value: 5);
        y.Backward(Tensor.From(new double[] { 10, 20, 30, 40, 50 }, [5], dtype: DType.Float64));
        Assert.Equal([0.0, 10, 20, 30], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Pad_GradFn_HasPyTorchsName()
    {
        Tensor x = Tensor.Zeros([1, 2, 3, 3], DType.Float64, requiresGrad: true);
        Assert.Equal("ConstantPadNdBackward", Functional.Pad(x, [1, 1]).GradFn!.Name);
        Assert.Equal("ReflectionPad2DBackward", Functional.Pad(x, [1, 1, 1, 1], PaddingMode.Reflect).GradFn!.Name);
        Assert.Equal("ReplicationPad1DBackward", Functional.Pad(x, [1, 1], PaddingMode.Replicate).GradFn!.Name);
    }

    [Fact]
    public void Pad_Int64AndBool_PadWithTheValueInTheirDType()
    {
        Assert.Equal([7L, 0, 1, 2, 7], Functional.Pad(Tensor.Arange(3), [1, 1], value: 7).ToArray<long>());
        Assert.Equal([true, false, true], Functional.Pad(Tensor.From([false]), [1, 1], value: 1).ToArray<bool>());
        Assert.Equal([0L, 0, 1, 2, 2], Functional.Pad(Tensor.Arange(3).Reshape(1, 3), [1, 1], PaddingMode.Replicate).ToArray<long>());
    }

    [Fact]
    public void Pad_FractionalValueForInt64_ThrowsInsteadOfTruncating()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Tensor.Arange(3), [1, 1], value: 2.5)), "pad", "2.5", "int64");

    [Fact]
    public void Pad_OddNumberOfEntries_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Tensor.Zeros([3], DType.Float64), [1])), "pad", "[1]", "odd");

    [Fact]
    public void Pad_MorePairsThanDimensions_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Tensor.Zeros([3], DType.Float64), [1, 1, 1, 1])), "pad", "2 (before, after) pairs", "[3]");

    [Fact]
    public void Pad_ValueWithReflect_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Row(0, 1, 2), [1, 1], PaddingMode.Reflect, value: 2)), "pad", "reflect", "no value");

    [Fact]
    public void Pad_ResultTooLarge_ThrowsBeforeAllocating()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Pad(Tensor.Zeros([2, 2], DType.Float64), [int.MaxValue - 1, 0])), "pad", "more than one tensor can hold");
}
