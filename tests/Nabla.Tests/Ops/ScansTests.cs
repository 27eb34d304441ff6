using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.Ops.Float64Tensors;

namespace Nabla.Tests.Ops;

/// <summary>
/// CumSum, CumProd and Prod (Ops/Scans.cs): closed forms, dtypes, other dims, and exact gradients (first and second
/// order) with zeros in the input. Gradient checks and PyTorch vectors: OpInfo.Scans.cs.
/// </summary>
public class ScansTests
{
    [Fact]
    public void CumSum_AlongEachDim_RunsTheSums()
    {
        Tensor x = F64([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal([1.0, 3, 6, 4, 9, 15], x.CumSum(1).ToDoubleArray());
        Assert.Equal([1.0, 2, 3, 5, 7, 9], x.CumSum(0).ToDoubleArray());
        Assert.Equal([1.0, 2, 3, 5, 7, 9], x.MT.CumSum(-1).MT.Contiguous().ToDoubleArray()); // a transposed view
        Assert.Equal(7.0, Tensor.Scalar(7.0, DType.Float64).CumSum(0).Item());
    }

    [Fact]
    public void CumSum_BoolAndInt64Inputs_GiveInt64()
    {
        Tensor fromBool = Tensor.From([true, false, true, true]).CumSum(0);
        Assert.Equal(DType.Int64, fromBool.DType);
        Assert.Equal([1L, 1, 2, 3], fromBool.ToArray<long>());
        Assert.Equal([2L, 6, 24], Tensor.From([2L, 3, 4]).CumProd(0).ToArray<long>());
        Assert.Equal(DType.Int64, Tensor.From([true, true]).CumProd(0).DType);
    }

    [Fact]
    public void CumSum_Gradient_IsTheReversedRunningSum()
    {
        Tensor x = F64Leaf([1, 2, 3], 3);
        Tensor y = x.CumSum(0);
        (y * F64([1, 10, 100], 3)).Sum().Backward();
        Assert.Equal([111.0, 110, 100], x.Grad!.ToDoubleArray());
        Assert.Equal("CumsumBackward", y.GradFn!.Name);
    }

    [Fact]
    public void CumProd_ZerosInTheInput_GiveTheExactGradient()
    {
        // PyTorch 1.13: cumprod([2, 0, 3, 4, 5]).sum().backward() -> [1, 152, 0, 0, 0]; with [2, 0, 3, 0, 5] -> [1, 8, 0, 0, 0]
        Tensor x = F64Leaf([2, 0, 3, 4, 5, 2, 0, 3, 0, 5], 2, 5);
        Tensor y = x.CumProd(1);
        y.Sum().Backward();
        Assert.Equal([2.0, 0, 0, 0, 0, 2, 0, 0, 0, 0], y.ToDoubleArray());
        Assert.Equal([1.0, 152, 0, 0, 0, 1, 8, 0, 0, 0], x.Grad!.ToDoubleArray());
        Assert.Equal("CumprodBackward", y.GradFn!.Name);
        // Along dim 0 (the column path) and with the zero first.
        Tensor z = F64Leaf([0, 2, 3, 4], 4, 1);
        z.CumProd(0).Sum().Backward();
        Assert.Equal([1.0 + 2 + 6 + 24, 0, 0, 0], z.Grad!.ToDoubleArray());
    }

    [Fact]
    public void CumProdAndProd_WithZeros_SecondDerivativesMatchFiniteDifferences()
    {
        Tensor w = F64([0.3, -1.2, 0.7, 2, 0.5, -0.4, 1.1, 0.9, -2, 0.6], 2, 5);
        FunctionalGradCheck.AssertHessianVectorProduct(x => (x[0].CumProd(1) * w).Sum(), F64Leaf([2, 0, 3, 4, 5, 2, 0, 3, 0, 5], 2, 5));
        FunctionalGradCheck.AssertHessianVectorProduct(x => (x[0].CumProd(0) * w.MT).Sum(), F64Leaf([1.5, 0, 0, 2, -1, 0.5, 0.7, 1, 2, 3], 5, 2));
        FunctionalGradCheck.AssertHessianVectorProduct(x => (x[0].Prod(1) * F64([1, 2, 3], 3)).Sum(), F64Leaf([0, 2, 3, 0, 0, 1.5, 1, -2, 3], 3, 3));
        FunctionalGradCheck.AssertHessianVectorProduct(x => (x[0].CumProd(1) * w).Sum(), F64Leaf([2, 1.5, 3, 0.5, -1, 2, 0.25, 3, -1, 5], 2, 5));
    }

    [Fact]
    public void Prod_ZerosInAGroup_GiveTheProductOfTheOthersOrZero()
    {
        Tensor x = F64Leaf([0, 2, 3, 0, 0, 1.5, 1, -2, 3], 3, 3);
        Tensor y = x.Prod(1);
        Assert.Equal([0.0, 0, -6], y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal([6.0, 0, 0, 0, 0, 0, -6, 3, -2], x.Grad!.ToDoubleArray());
        Assert.Equal("ProdBackward", y.GradFn!.Name);
    }

    [Fact]
    public void Prod_DimsKeepDimAndDTypes_FollowPyTorch()
    {
        Tensor x = F64([1, 2, 3, 4, 5, 6], 2, 3);
        Assert.Equal(720.0, x.Prod().Item());
        Assert.Equal([1, 1], x.Prod(null, keepDim: true).Shape.ToArray());
        Assert.Equal([4.0, 10, 18], x.Prod(0).ToDoubleArray());
        Assert.Equal([6.0, 120], x.Prod(-1).ToDoubleArray());
        Assert.Equal([1.0, 1], Tensor.Zeros([2, 0], DType.Float64).Prod(1).ToDoubleArray()); // the empty product
        Assert.Equal(24L, Tensor.From([2L, 3, 4]).Prod().Item<long>());
        Tensor fromBool = Tensor.From([true, false]).Prod();
        Assert.Equal(DType.Int64, fromBool.DType);
        Assert.Equal(0L, fromBool.Item<long>());
    }

    [Fact]
    public void Scans_BadDim_ThrowNamingTheOp()
    {
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).CumSum(2)), "cumsum", "dimension 2", "rank 2");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).CumProd(-3)), "cumprod", "dimension -3");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).Prod(5)), "prod", "dimension 5");
    }
}
