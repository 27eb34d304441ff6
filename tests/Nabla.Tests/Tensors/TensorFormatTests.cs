using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Tensors;

/// <summary>Reading a tensor back (Tensor.Format.cs): Item, ToArray and the PyTorch-like printing.</summary>
public class TensorFormatTests
{
    [Fact]
    public void ToArray_WrongElementType_Throws()
        => AssertMessage(Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([2]).ToArray<double>()), "float32");

    [Fact]
    public void Item_OnMultiElementTensor_Throws()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([2]).Item());
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void ToString_PrintsLikePyTorch()
    {
        Assert.Equal("tensor([1., 2., 3.])", Tensor.From([1f, 2f, 3f]).ToString());
        Assert.Equal("tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]])", Tensor.From([1.5f, 2f, 3f, 4f], [2, 2]).ToString());
        Assert.Equal("tensor([1., 2.], dtype=torch.float64)", Tensor.From([1.0, 2.0], dtype: DType.Float64).ToString());
        Assert.Equal("tensor([1, 2, 3])", Tensor.From([1L, 2L, 3L]).ToString());
        Assert.Equal("tensor([True, False])", Tensor.From([true, false]).ToString());
        var w = Tensor.Scalar(2f, requiresGrad: true);
        Assert.Equal("tensor(2., requires_grad=True)", w.ToString());
        Assert.Equal("tensor(4., grad_fn=<MulBackward>)", (w * w).ToString());
        Assert.Equal("tensor([1.0000e-05, 1.0000e+00])", Tensor.From([1e-5f, 1f]).ToString());
    }

    [Fact]
    public void ToString_LargeTensor_IsSummarised()
    {
        string s = Tensor.Arange(0, 2000, 1, DType.Float32).ToString();
        Assert.Equal("tensor([   0.,    1.,    2.,  ..., 1997., 1998., 1999.])", s);
    }
}
