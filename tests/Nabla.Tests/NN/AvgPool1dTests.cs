using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The AvgPool1d layer: forward and repr.</summary>
public class AvgPool1dTests
{
    [Fact]
    public void AvgPool1d_Forward_IsTheFunctionalOp()
    {
        Tensor x = Tensor.Randn([2, 3, 9], DType.Float64, new Generator(8));
        Assert.Equal(Functional.AvgPool1d(x, 3, 2, 1, true, false).ToDoubleArray(), new AvgPool1d(3, 2, 1, true, false).Forward(x).ToDoubleArray());
    }

    [Fact]
    public void AvgPool1d_Repr_IsPyTorchs()
    {
        Assert.Equal("AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))", new AvgPool1d(3).ToString());
        Assert.Equal("AvgPool1d(kernel_size=(3,), stride=(2,), padding=(1,))", new AvgPool1d(3, 2, 1, true, false).ToString());
    }
}
