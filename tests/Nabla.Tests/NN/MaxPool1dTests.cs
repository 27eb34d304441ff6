using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The MaxPool1d layer: forward and repr.</summary>
public class MaxPool1dTests
{
    [Fact]
    public void MaxPool1d_Forward_IsTheFunctionalOp()
    {
        Tensor x = Tensor.Randn([2, 3, 9], DType.Float64, new Generator(7));
        Assert.Equal(Functional.MaxPool1d(x, 3, 2, 1, 2, true).ToDoubleArray(), new MaxPool1d(3, 2, 1, 2, ceilMode: true).Forward(x).ToDoubleArray());
        Assert.Equal(new Shape(2, 3, 3), new MaxPool1d(3).Forward(x).Shape);
    }

    [Fact]
    public void MaxPool1d_Repr_IsPyTorchs()
    {
        Assert.Equal("MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)", new MaxPool1d(3).ToString());
        Assert.Equal("MaxPool1d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)", new MaxPool1d(3, 2, 1, 2, true).ToString());
    }
}
