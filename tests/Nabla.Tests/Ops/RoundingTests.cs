using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Rounding and classification (Ops/Rounding.cs): PyTorch's half-to-even rounding, zero gradients, bool results.</summary>
public class RoundingTests
{
    private static readonly double[] Values = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, -1.7, 1.2, 3.0];

    [Fact]
    public void Round_Halves_GoToEvenAsTorchRound()
        => Assert.Equal([-2.0, -2, -0.0, 0, 2, 2, -2, 1, 3], Tensor.From(Values, dtype: DType.Float64).Round().ToDoubleArray());

    [Fact]
    public void FloorCeilTrunc_FollowTheirDefinitions()
    {
        Tensor x = Tensor.From(Values, dtype: DType.Float64);
        Assert.Equal(Values.Select(Math.Floor), x.Floor().ToDoubleArray());
        Assert.Equal(Values.Select(Math.Ceiling), x.Ceil().ToDoubleArray());
        Assert.Equal(Values.Select(Math.Truncate), x.Trunc().ToDoubleArray());
        Assert.Equal([-2f, 2f, 0f], Tensor.From([-2.5f, 1.5f, 0.49999997f]).Round().ToArray<float>());
    }

    [Fact]
    public void Rounding_Gradient_IsZeroEverywhereAndNamesTheOp()
    {
        foreach (var (op, expected) in new (Func<Tensor, Tensor>, string)[]
                 { (x => x.Floor(), "FloorBackward"), (x => x.Ceil(), "CeilBackward"), (x => x.Round(), "RoundBackward"), (x => x.Trunc(), "TruncBackward") })
        {
            Tensor x = Tensor.From([0.3, 1.5, 2.0], requiresGrad: true, dtype: DType.Float64);
            Tensor y = op(x);
            Assert.Equal(expected, y.GradFn!.Name);
            (y * 5.0).Sum().Backward();
            Assert.Equal([0.0, 0, 0], x.Grad!.ToDoubleArray());
        }
    }

    [Fact]
    public void Rounding_Int64IsCopiedAndBoolRefused()
    {
        Tensor i = Tensor.From([3L, -4L]);
        Tensor r = i.Floor();
        Assert.Equal([3L, -4L], r.ToArray<long>());
        Assert.False(r.SharesStorage(i));
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.From([true]).Round()), "round", "bool");
    }

    [Fact]
    public void IsNanAndIsInf_ReturnBoolOfEveryDType()
    {
        Tensor x = Tensor.From([double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1, -0.0], dtype: DType.Float64);
        Assert.Equal([true, false, false, false, false], x.IsNan().ToArray<bool>());
        Assert.Equal([false, true, true, false, false], x.IsInf().ToArray<bool>());
        Assert.Equal([true, false], Tensor.From([float.NaN, 2f]).IsNan().ToArray<bool>());
        Assert.Equal(DType.Bool, Tensor.Arange(2).IsNan().DType);
        Assert.Equal([false, false], Tensor.Arange(2).IsInf().ToArray<bool>());
        Assert.Equal([false, false], Tensor.Zeros([2, 2]).MT[0].IsNan().ToArray<bool>());
    }

    [Fact]
    public void LogicalNot_IsTrueWhereZeroForEveryDType()
    {
        Assert.Equal([false, true], Tensor.From([true, false]).LogicalNot().ToArray<bool>());
        Assert.Equal([true, false, false], Tensor.From([0L, 2L, -1L]).LogicalNot().ToArray<bool>());
        Assert.Equal([true, false, false], Tensor.From([-0.0, double.NaN, 0.5], dtype: DType.Float64).LogicalNot().ToArray<bool>());
        Assert.Equal([true, false], Tensor.From([0f, 1f, 2f, 3f], [2, 2]).MT[0].LogicalNot().ToArray<bool>());
    }
}
