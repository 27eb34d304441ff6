using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Tensors;

/// <summary>The default dtype of tensors made from C# doubles and of Arange (Note [Default dtype] in Tensor.Creation.cs).</summary>
public class TensorCreationDTypeTests
{
    [Fact]
    public void From_Doubles_DefaultToFloat32AsTorchTensor()
    {
        double[] values = [2.0, 3.0];
        Assert.Equal(DType.Float32, Tensor.From(values).DType);
        Assert.Equal(DType.Float32, Tensor.From([2.0, 3.0]).DType);
        Assert.Equal(DType.Float32, Tensor.From((ReadOnlySpan<double>)values).DType);
        Assert.Equal(DType.Float32, Tensor.From(new double[,] { { 1, 2 }, { 3, 4 } }).DType);
        Assert.Equal(DType.Float32, Tensor.Scalar(2.0).DType);
        Assert.Equal([2f, 3f], Tensor.From(values).ToArray<float>());
        Assert.Equal([0.1f], Tensor.From([0.1]).ToArray<float>());
    }

    [Fact]
    public void From_Doubles_Float64OnRequestKeepsEveryBit()
    {
        Assert.Equal([0.1, Math.PI], Tensor.From([0.1, Math.PI], dtype: DType.Float64).ToArray<double>());
        Assert.Equal([1.0, 2, 3, 4], Tensor.From(new double[,] { { 1, 2 }, { 3, 4 } }, dtype: DType.Float64).ToArray<double>());
        Assert.Equal(Math.E, Tensor.Scalar(Math.E, dtype: DType.Float64).Item());
        Assert.Equal(Math.E, Tensor.Scalar(Math.E, DType.Float64).Item());
        Assert.Equal([2L, -2L], Tensor.From([2.7, -2.7], dtype: DType.Int64).ToArray<long>());
    }

    [Fact]
    public void Scalar_RequiresGrad_IsALeafOfTheAskedDType()
    {
        Tensor w = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor v = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Assert.True(w.RequiresGrad && w.IsLeaf && w.Rank == 0);
        Assert.Equal(DType.Float32, w.DType);
        Assert.True(v.RequiresGrad);
        Assert.Equal(DType.Float64, v.DType);
        Assert.Throws<InvalidOperationException>(() => Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Int64));
    }

    [Fact]
    public void From_DoublesWithFloat32Parameters_TrainWithoutDTypeErrors()
    {
        // The reason for the default: a constant written as doubles meets float32 parameters without a To().
        Tensor w = Tensor.Ones([2], requiresGrad: true);
        Tensor loss = (w * Tensor.From([2.0, 3.0]) - Tensor.Scalar(1.0)).Pow(2).Sum();
        loss.Backward();
        Assert.Equal([4f, 12f], w.Grad!.ToArray<float>());
    }

    [Fact]
    public void ReadmeTaste_ScalarsFromDoubles_PrintAsFloat32()
    {
        var w = Tensor.Scalar(2.0, requiresGrad: true);
        var x = Tensor.Scalar(3.0);
        var y = Tensor.Scalar(10.0);
        Tensor loss = (w * x - y).Pow(2);
        Assert.Equal("tensor(16., grad_fn=<PowBackward>)", loss.ToString());
        loss.Backward();
        Assert.Equal("tensor(-24.)", w.Grad!.ToString());
    }

    [Fact]
    public void Arange_IntegerArguments_AreInt64AndAgreeWithTheOneArgumentForm()
    {
        Tensor a = Tensor.Arange(0, 5, 1), b = Tensor.Arange(5), c = Tensor.Arange(0, 5);
        Assert.Equal(DType.Int64, a.DType);
        Assert.Equal(DType.Int64, b.DType);
        Assert.Equal(DType.Int64, c.DType);
        Assert.Equal([0L, 1, 2, 3, 4], a.ToArray<long>());
        Assert.Equal(a.ToArray<long>(), b.ToArray<long>());
        Assert.Equal(a.ToArray<long>(), c.ToArray<long>());
        Assert.Equal([5L, 3, 1], Tensor.Arange(5, 0, -2).ToArray<long>());
        Assert.Equal([0L, 3, 6], Tensor.Arange(0, 7, 3).ToArray<long>());
        Assert.Empty(Tensor.Arange(3, 3).ToArray<long>());
    }

    [Fact]
    public void Arange_AnyDoubleArgument_IsFloat32()
    {
        Assert.Equal(DType.Float32, Tensor.Arange(5.0).DType);
        Assert.Equal(DType.Float32, Tensor.Arange(0, 5.0).DType);
        Assert.Equal(DType.Float32, Tensor.Arange(0.0, 5, 1).DType);
        Assert.Equal([0f, 0.5f, 1f, 1.5f], Tensor.Arange(0, 2, 0.5).ToArray<float>());
        Assert.Equal([0.0, 1, 2], Tensor.Arange(0, 3, 1, DType.Float64).ToArray<double>());
        Assert.Equal([0.0, 1, 2], Tensor.Arange(3, DType.Float64).ToArray<double>());
    }

    [Fact]
    public void Arange_Int64_IsExactBeyondDoublePrecision()
    {
        long start = (1L << 60) + 1;
        Assert.Equal([start, start + 1, start + 2], Tensor.Arange(start, start + 3).ToArray<long>());
        Assert.Equal([long.MinValue, -1L, long.MaxValue - 1], Tensor.Arange(long.MinValue, long.MaxValue, long.MaxValue).ToArray<long>());
    }

    [Fact]
    public void Arange_BadRanges_ThrowNamingTheArguments()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 5, 0)), "arange", "step", "0");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 5.0, 0)), "arange", "step");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(5, 0, 1)), "arange", "[5, 0)", "step 1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(5.0, 0, 1)), "arange", "[5, 0)", "step 1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(0, double.PositiveInfinity)), "arange", "finite");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(0, long.MaxValue)), "arange", "more than a tensor holds");
    }

    [Fact]
    public void Eye_RequiresGrad_IsALeafThatTrains()
    {
        Tensor eye = Tensor.Eye(2, requiresGrad: true);
        Assert.True(eye.RequiresGrad && eye.IsLeaf);
        (eye * 3.0).Sum().Backward();
        Assert.Equal([3f, 3f, 3f, 3f], eye.Grad!.ToArray<float>());
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Eye(-1)), "eye", "-1");
    }
}
