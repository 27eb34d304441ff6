using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>Bmm and Outer (Ops/Products.cs): values, the node's name and shape errors.</summary>
public class ProductsTests
{
    [Fact]
    public void Bmm_TwoBatches_MultipliesEachPair()
    {
        Tensor a = Tensor.From([1.0, 2, 3, 4, 1, 0, 0, 1], [2, 2, 2], dtype: DType.Float64);
        Tensor b = Tensor.From([1.0, 1, 0, 1, 5, 6, 7, 8], [2, 2, 2], dtype: DType.Float64);
        AssertAll([1, 3, 3, 7, 5, 6, 7, 8], a.Bmm(b), rtol: 0, atol: 0);
    }

    [Fact]
    public void Bmm_TransposedViews_MatchMatMul()
    {
        Tensor a = Randn(1, 3, 4, 2), b = Randn(2, 3, 5, 4);
        AssertAll(a.MT.MatMul(b.MT).ToDoubleArray(), a.MT.Bmm(b.MT), rtol: 1e-14, atol: 1e-14);
    }

    [Fact]
    public void Bmm_GradFn_IsBmmBackward()
        => Assert.Equal("BmmBackward", Param(3, 2, 2, 3).Bmm(Randn(4, 2, 3, 2)).GradFn!.Name);

    [Fact]
    public void Bmm_SecondDerivative_MatchesFiniteDifference()
        => AssertHessianVectorProduct(x => x[0].Bmm(x[1]).Tanh().Sum(), Param(5, 2, 2, 3), Param(6, 2, 3, 2));

    [Fact]
    public void Bmm_BatchSizesDiffer_ErrorSaysNoBroadcasting()
    {
        var ex = Assert.Throws<ArgumentException>(() => Randn(7, 2, 3, 4).Bmm(Randn(8, 1, 4, 5)));
        AssertMessage(ex, "bmm", "[2, 3, 4]", "[1, 4, 5]", "does not broadcast");
    }

    [Fact]
    public void Bmm_InnerDimsDiffer_ErrorNamesBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => Randn(9, 2, 3, 4).Bmm(Randn(10, 2, 5, 5)));
        AssertMessage(ex, "bmm", "inner dimensions 4 and 5");
    }

    [Fact]
    public void Bmm_NotThreeDimensional_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Randn(11, 3, 4).Bmm(Randn(12, 4, 5)));
        AssertMessage(ex, "bmm", "3-D", "[3, 4]");
    }

    [Fact]
    public void Outer_TwoVectors_GivesAllProducts()
    {
        Tensor a = Tensor.From([1.0, 2], dtype: DType.Float64), b = Tensor.From([3.0, 4, 5], dtype: DType.Float64);
        Tensor y = a.Outer(b);
        Assert.Equal([2, 3], y.Shape.ToArray());
        AssertAll([3, 4, 5, 6, 8, 10], y, rtol: 0, atol: 0);
    }

    [Fact]
    public void Outer_Matrix_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Randn(13, 2, 2).Outer(Randn(14, 3)));
        AssertMessage(ex, "outer", "1-D", "[2, 2]");
    }
}
