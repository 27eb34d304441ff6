using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The ConvTranspose2d layer: PyTorch's weight layout, initialisation bounds, state_dict names, repr and construction errors.</summary>
public class ConvTranspose2dTests
{
    [Fact]
    public void ConvTranspose2d_DefaultInit_UsesFanInOfOutChannelsPerGroup()
    {
        // weight [64, 32, 3, 3]: PyTorch's fan_in is size(1) * 9 = 288 (bound 0.0589), not C_in * 9 = 576 (bound 0.0417).
        var layer = new ConvTranspose2d(64, 32, 3, generator: new Generator(1));
        Assert.Equal(new Shape(64, 32, 3, 3), layer.Weight.Shape);
        double bound = 1 / Math.Sqrt(288);
        double[] w = layer.Weight.ToDoubleArray(), b = layer.Bias!.ToDoubleArray();
        Assert.All(w, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.InRange(w.Max(Math.Abs), 0.99 * bound, bound);
        Assert.All(b, v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.InRange(b.Max(Math.Abs), 0.8 * bound, bound);
    }

    [Fact]
    public void ConvTranspose2d_StateDictAndGroups_FollowPyTorch()
    {
        var layer = new ConvTranspose2d(4, 6, 3, groups: 2);
        Assert.Equal(["weight", "bias"], layer.StateDict().Keys.ToArray());
        Assert.Equal(new Shape(4, 3, 3, 3), layer.Weight.Shape);
        Assert.Equal(["weight"], new ConvTranspose2d(4, 6, 3, bias: false).StateDict().Keys.ToArray());
    }

    [Fact]
    public void ConvTranspose2d_Forward_IsTheFunctionalOpWithTheLayersArguments()
    {
        var layer = new ConvTranspose2d(2, 4, [3, 2], [2, 1], [1, 0], [1, 0], groups: 2, dilation: [1, 2], dtype: DType.Float64);
        Tensor x = Tensor.Randn([2, 2, 4, 3], DType.Float64, new Generator(2));
        Tensor y = layer.Forward(x);
        Assert.Equal(new Shape(2, 4, 8, 5), y.Shape);
        Assert.Equal(Functional.ConvTranspose2d(x, layer.Weight, layer.Bias, [2, 1], [1, 0], [1, 0], 2, [1, 2]).ToDoubleArray(), y.ToDoubleArray());
    }

    [Fact]
    public void ConvTranspose2d_Repr_IsPyTorchs()
    {
        Assert.Equal("ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1), groups=2, bias=False)",
            new ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, bias: false).ToString());
        Assert.Equal("ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(1, 1), dilation=(2, 1))", new ConvTranspose2d(4, 6, [3, 2], dilation: [2, 1]).ToString());
    }

    [Fact]
    public void ConvTranspose2d_OutputPaddingNotBelowStrideOrDilation_ThrowsAtConstruction()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ConvTranspose2d(4, 6, 3, stride: 2, outputPadding: 2));
        ErrorAssert.AssertMessage(ex, "ConvTranspose2d", "output_padding (2, 2)", "max(stride, dilation)", "stride (2, 2)");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new ConvTranspose2d(4, 6, 3, groups: 4)), "ConvTranspose2d", "divisible by groups 4");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new ConvTranspose2d(4, 6, 3, padding: -1)), "ConvTranspose2d", "padding (-1, -1)");
    }
}
