using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The ConvTranspose1d layer: weight layout, initialisation bound, forward, repr and construction errors.</summary>
public class ConvTranspose1dTests
{
    [Fact]
    public void ConvTranspose1d_WeightLayoutAndInit_FollowPyTorch()
    {
        var layer = new ConvTranspose1d(16, 8, 5, groups: 2, generator: new Generator(3));
        Assert.Equal(new Shape(16, 4, 5), layer.Weight.Shape);
        Assert.Equal(["weight", "bias"], layer.StateDict().Keys.ToArray());
        double bound = 1 / Math.Sqrt(4 * 5);
        Assert.All(layer.Weight.ToDoubleArray(), v => Assert.InRange(Math.Abs(v), 0, bound));
        Assert.InRange(layer.Weight.ToDoubleArray().Max(Math.Abs), 0.95 * bound, bound);
    }

    [Fact]
    public void ConvTranspose1d_Forward_IsTheFunctionalOp()
    {
        var layer = new ConvTranspose1d(2, 3, 3, stride: 2, padding: 1, outputPadding: 1, dtype: DType.Float64);
        Tensor x = Tensor.Randn([2, 2, 5], DType.Float64, new Generator(4));
        Tensor y = layer.Forward(x);
        Assert.Equal(new Shape(2, 3, 10), y.Shape);
        Assert.Equal(Functional.ConvTranspose1d(x, layer.Weight, layer.Bias, 2, 1, 1).ToDoubleArray(), y.ToDoubleArray());
    }

    [Fact]
    public void ConvTranspose1d_Repr_IsPyTorchs()
    {
        Assert.Equal("ConvTranspose1d(4, 6, kernel_size=(3,), stride=(1,))", new ConvTranspose1d(4, 6, 3).ToString());
        Assert.Equal("ConvTranspose1d(4, 6, kernel_size=(3,), stride=(1,), dilation=(2,), output_padding=(1,), bias=False)",
            new ConvTranspose1d(4, 6, 3, outputPadding: 1, bias: false, dilation: 2).ToString());
    }

    [Fact]
    public void ConvTranspose1d_OutputPaddingTooLarge_ThrowsAtConstruction()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new ConvTranspose1d(4, 6, 3, stride: 2, outputPadding: 2, dilation: 2)),
            "ConvTranspose1d", "output_padding (2,)", "stride (2,)", "dilation (2,)");
    }
}
