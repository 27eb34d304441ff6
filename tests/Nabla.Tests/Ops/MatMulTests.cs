using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>MatMul's errors name the shapes it got.</summary>
public class MatMulTests
{
    [Fact]
    public void MatMul_InnerDimensionMismatch_NamesShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([4, 5])));
        Assert.Equal("matmul: cannot multiply [2, 3] by [4, 5]: inner dimensions 3 and 4 differ", ex.Message);
    }

    [Fact]
    public void MatMul_ZeroDimOperand_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).MatMul(Tensor.Zeros([2]))), "matmul", "[]");
}
