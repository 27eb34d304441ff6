using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The AdaptiveMaxPool2d layer: forward with and without indices, and repr.</summary>
public class AdaptiveMaxPool2dTests
{
    [Fact]
    public void AdaptiveMaxPool2d_Forward_IsTheFunctionalOpAndIndicesMatch()
    {
        Tensor x = Tensor.Randn([2, 3, 7, 5], DType.Float64, new Generator(9));
        var layer = new AdaptiveMaxPool2d([3, 2]);
        var (values, indices) = Functional.AdaptiveMaxPool2dWithIndices(x, [3, 2]);
        Assert.Equal(values.ToDoubleArray(), layer.Forward(x).ToDoubleArray());
        var (v2, i2) = layer.ForwardWithIndices(x);
        Assert.Equal(values.ToDoubleArray(), v2.ToDoubleArray());
        Assert.Equal(indices.ToArray<long>(), i2.ToArray<long>());
        Assert.Equal(new Shape(2, 3, 4, 4), new AdaptiveMaxPool2d(4).Forward(x).Shape);
    }

    [Fact]
    public void AdaptiveMaxPool2d_Repr_IsPyTorchs()
    {
        Assert.Equal("AdaptiveMaxPool2d(output_size=3)", new AdaptiveMaxPool2d(3).ToString());
        Assert.Equal("AdaptiveMaxPool2d(output_size=(3, 4))", new AdaptiveMaxPool2d([3, 4]).ToString());
    }
}
