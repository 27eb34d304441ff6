using Nabla.NN;

namespace Nabla.Tests.Ops;

/// <summary>Pooling sizes given as one number (Ops/Pool.cs, NN/Pooling.cs), as <c>max_pool2d(x, 2)</c> and <c>nn.MaxPool2d(2)</c>.</summary>
public class PoolSizeTests
{
    private static Tensor Images() => Tensor.Randn([2, 3, 6, 6], generator: new Generator(5));

    [Fact]
    public void MaxPool2d_OneNumber_EqualsTheSquarePairs()
    {
        Tensor x = Images();
        Assert.Equal(Functional.MaxPool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], ceilMode: true).ToArray<float>(),
            Functional.MaxPool2d(x, 3, stride: 2, padding: 1, ceilMode: true).ToArray<float>());
        Assert.Equal(Functional.MaxPool2d(x, [2, 2]).ToArray<float>(), new MaxPool2d(2).Forward(x).ToArray<float>());
        Assert.Equal(Functional.MaxPool2d(x, [3, 3], [1, 1], [1, 1]).ToArray<float>(), new MaxPool2d(3, stride: 1, padding: 1).Forward(x).ToArray<float>());
    }

    [Fact]
    public void AvgPool2d_OneNumber_EqualsTheSquarePairs()
    {
        Tensor x = Images();
        Assert.Equal(Functional.AvgPool2d(x, [3, 3], [2, 2], [1, 1], countIncludePad: false).ToArray<float>(),
            Functional.AvgPool2d(x, 3, stride: 2, padding: 1, countIncludePad: false).ToArray<float>());
        Assert.Equal(Functional.AvgPool2d(x, [2, 2]).ToArray<float>(), new AvgPool2d(2).Forward(x).ToArray<float>());
        Assert.Equal([2, 3, 1, 1], new AdaptiveAvgPool2d(1).Forward(x).Shape.ToArray());
        Assert.Equal(Functional.AdaptiveAvgPool2d(x, [2, 2]).ToArray<float>(), Functional.AdaptiveAvgPool2d(x, 2).ToArray<float>());
    }
}
