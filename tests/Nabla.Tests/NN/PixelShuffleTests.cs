using Nabla.NN;
using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.NN;

/// <summary>The PixelShuffle and PixelUnshuffle modules (NN/PixelShuffle.cs, NN/PixelUnshuffle.cs).</summary>
public class PixelShuffleTests
{
    [Fact]
    public void PixelShuffle_Forward_IsTheFunctionalOp()
    {
        Tensor x = Tensor.Arange(0, 36, 1, DType.Float64).Reshape(1, 9, 2, 2);
        Tensor y = new PixelShuffle(3).Forward(x);
        Assert.Equal(new Shape(1, 1, 6, 6), y.Shape);
        Assert.Equal(Functional.PixelShuffle(x, 3).ToDoubleArray(), y.ToDoubleArray());
        Assert.Equal(x.ToDoubleArray(), new PixelUnshuffle(3).Forward(y).ToDoubleArray());
    }

    [Fact]
    public void PixelShuffle_ToString_ShowsPyTorchsRepr()
    {
        Assert.Equal("PixelShuffle(upscale_factor=3)", new PixelShuffle(3).ToString());
        Assert.Equal("PixelUnshuffle(downscale_factor=2)", new PixelUnshuffle(2).ToString());
    }

    [Fact]
    public void PixelShuffle_NonPositiveFactor_Throws()
    {
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => new PixelShuffle(0)), "PixelShuffle", "upscale_factor", "0");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => new PixelUnshuffle(-1)), "PixelUnshuffle", "downscale_factor", "-1");
    }
}
