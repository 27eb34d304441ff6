using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Any, All, CountNonzero (Ops/LogicalReductions.cs), and Sum/Mean of bool tensors (the accuracy line).</summary>
public class LogicalReductionsTests
{
    [Fact]
    public void AnyAndAll_OverAllAndAlongDims_ReturnBool()
    {
        Tensor m = Tensor.From([true, false, false, false, true, true], [2, 3]);
        Assert.Equal(DType.Bool, m.Any().DType);
        Assert.True(m.Any().Item<bool>());
        Assert.False(m.All().Item<bool>());
        Assert.Equal([true, true, true], m.Any(0).ToArray<bool>());
        Assert.Equal([false, false, false], m.All(0).ToArray<bool>());
        Assert.Equal([false, false], m.All(1).ToArray<bool>());
        Assert.Equal([true, false], Tensor.From([true, true, false, true], [2, 2]).All(1).ToArray<bool>());
        Assert.Equal([2, 1], m.Any(1, keepDim: true).Shape.ToArray());
        Assert.Equal([true, true], m.Any(-1, keepDim: true).ToArray<bool>());
        Assert.True(m.MT.Any([0, 1]).Item<bool>());
    }

    [Fact]
    public void AnyAndAll_NumbersAndEmptyGroups_FollowPyTorch()
    {
        Tensor x = Tensor.From([0.0, double.NaN, 0, 2], [2, 2], dtype: DType.Float64);
        Assert.Equal([true, true], x.Any(1).ToArray<bool>()); // NaN is non-zero
        Assert.Equal([false, true], x.Any(0).ToArray<bool>());
        Assert.Equal([false, false], x.All(1).ToArray<bool>());
        Assert.Equal([false, true], Tensor.From([0L, 0, 3, 1], [2, 2]).All(1).ToArray<bool>());
        Tensor empty = Tensor.Zeros([3, 0]);
        Assert.Equal([false, false, false], empty.Any(1).ToArray<bool>());
        Assert.Equal([true, true, true], empty.All(1).ToArray<bool>());
        Assert.False(Tensor.Zeros([0]).Any().Item<bool>());
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => empty.All(2)), "all", "dimension 2");
    }

    [Fact]
    public void CountNonzero_CountsAsInt64()
    {
        Tensor x = Tensor.From([1.0, 0, double.NaN, 0], [2, 2], dtype: DType.Float64);
        Assert.Equal(2L, x.CountNonzero().Item<long>());
        Assert.Equal([2L, 0], x.CountNonzero(0).ToArray<long>());
        Assert.Equal(DType.Int64, Tensor.From([true, true]).CountNonzero().DType);
        Assert.False(Tensor.Ones([2], DType.Float64, requiresGrad: true).CountNonzero().RequiresGrad);
    }

    [Fact]
    public void SumAndMean_OfABoolTensor_AreAnInt64CountAndAFloat32Fraction()
    {
        Tensor pred = Tensor.From([1L, 2, 0, 1]), y = Tensor.From([1L, 0, 0, 1]);
        Tensor correct = pred.Eq(y).Sum();
        Assert.Equal(DType.Int64, correct.DType);
        Assert.Equal(3L, correct.Item<long>());
        Tensor accuracy = pred.Eq(y).Mean();
        Assert.Equal(DType.Float32, accuracy.DType);
        Assert.Equal(0.75f, accuracy.Item<float>());
        Tensor m = Tensor.From([true, false, true, true, true, true], [2, 3]);
        Assert.Equal([1.0f, 0.5f, 1.0f], m.Mean(0).ToArray<float>());
        Assert.Equal([2, 1], m.Mean(1, keepDim: true).Shape.ToArray());
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.From([1L, 2]).Mean()), "mean", "int64");
    }
}
