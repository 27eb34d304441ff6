namespace Nabla.Tests.Ops;

/// <summary>Every class of bad input gets an exception naming the op, what it got and what it expected.</summary>
public class ViewsTests
{
    private static void AssertMessage(Exception ex, params string[] parts)
    {
        foreach (string p in parts) Assert.Contains(p, ex.Message);
    }

    [Fact]
    public void MatMul_InnerDimensionMismatch_NamesShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).MatMul(Tensor.Zeros([4, 5])));
        Assert.Equal("matmul: cannot multiply [2, 3] by [4, 5]: inner dimensions 3 and 4 differ", ex.Message);
    }

    [Fact]
    public void MatMul_ZeroDimOperand_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Scalar(1f).MatMul(Tensor.Zeros([2]))), "matmul", "[]");

    [Fact]
    public void Add_ShapesThatDoNotBroadcast_NamesBothShapes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]) + Tensor.Zeros([4])), "add", "[2, 3]", "[4]", "broadcast");

    [Fact]
    public void Mul_DTypeMismatch_NamesBothDTypes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2]) * Tensor.Zeros([2], DType.Float64)), "mul", "float32", "float64");

    [Fact]
    public void Exp_OnIntegerTensor_NamesDType()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(3).Exp()), "exp", "int64");

    [Fact]
    public void Sum_DimOutOfRange_NamesDimAndRank()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).Sum(2)), "sum", "dimension 2", "rank 2");

    [Fact]
    public void Transpose_DimOutOfRange_Throws()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3]).Transpose(0, -3)), "transpose", "-3");

    [Fact]
    public void Select_IndexOutOfRange_NamesIndexAndSize()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, 3])[5]), "select", "index 5", "size 2");

    [Fact]
    public void Narrow_OutOfRange_Throws()
        => AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([4]).Narrow(0, 2, 5)), "narrow", "size 4");

    [Fact]
    public void Reshape_WrongElementCount_NamesShapes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Reshape(4, 2)), "reshape", "[4, 2]", "[2, 3]");

    [Fact]
    public void Reshape_TwoInferredDims_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([6]).Reshape(-1, -1)), "reshape", "-1");

    [Fact]
    public void Permute_RepeatedDim_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Permute(0, 0)), "permute", "repeats");

    [Fact]
    public void Expand_NonSingletonDim_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Expand(4, 3)), "expand", "[2, 3]", "[4, 3]");

    [Fact]
    public void Max_OverEmptyDim_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([0, 3]).Max(0)), "max", "empty");

    [Fact]
    public void Where_NonBoolCondition_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Where(Tensor.Zeros([2]), Tensor.Zeros([2]), Tensor.Zeros([2]))), "where", "bool", "float32");

    [Fact]
    public void Backward_TensorWithoutGrad_Throws()
        => AssertMessage(Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([1]).Sum().Backward()), "backward", "does not require a gradient");

    [Fact]
    public void Backward_GradientShapeMismatch_Throws()
    {
        var x = Tensor.Zeros([2], requiresGrad: true);
        AssertMessage(Assert.Throws<ArgumentException>(() => (x * 2.0).Backward(Tensor.Zeros([3]))), "backward", "[3]", "[2]");
    }

    [Fact]
    public void Backward_SecondTimeThroughFreedGraph_Throws()
    {
        var x = Tensor.Zeros([2], requiresGrad: true);
        Tensor y = (x.Exp() * 2.0).Sum();
        y.Backward();
        AssertMessage(Assert.Throws<InvalidOperationException>(() => y.Backward()), "second time", "retainGraph");
    }

    [Fact]
    public void Backward_AfterInPlaceChangeToSavedTensor_NamesNodeAndVersions()
    {
        var x = Tensor.Ones([2], requiresGrad: true);
        var c = Tensor.Ones([2]);
        Tensor y = (x * c).Sum();
        c.MulInPlace(3.0);
        AssertMessage(Assert.Throws<InvalidOperationException>(() => y.Backward()), "MulBackward", "in-place", "version");
    }

    [Fact]
    public void Creation_NegativeDimension_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, -1])), "zeros", "[2, -1]");

    [Fact]
    public void Arange_ZeroStep_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0)), "arange", "step");

    [Fact]
    public void ToArray_WrongElementType_Throws()
        => AssertMessage(Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([2]).ToArray<double>()), "float32");
}
