using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The Upsample layer: forward, repr and construction errors.</summary>
public class UpsampleTests
{
    [Fact]
    public void Upsample_Forward_IsInterpolate()
    {
        Tensor x = Tensor.Randn([1, 2, 3, 4], DType.Float64, new Generator(5));
        Assert.Equal(Functional.Interpolate(x, scaleFactor: [2.0]).ToDoubleArray(), new Upsample(2.0).Forward(x).ToDoubleArray());
        Assert.Equal(Functional.Interpolate(x, [5, 7], mode: InterpolationMode.Bilinear, alignCorners: true).ToDoubleArray(),
            new Upsample([5, 7], mode: InterpolationMode.Bilinear, alignCorners: true).Forward(x).ToDoubleArray());
    }

    [Fact]
    public void Upsample_Repr_IsPyTorchs()
    {
        Assert.Equal("Upsample(scale_factor=2.0, mode=nearest)", new Upsample(2).ToString());
        Assert.Equal("Upsample(size=(4, 5), mode=bilinear)", new Upsample([4, 5], mode: InterpolationMode.Bilinear, alignCorners: true).ToString());
        Assert.Equal("Upsample(scale_factor=(1.5, 2.0), mode=bilinear)", new Upsample(scaleFactor: [1.5, 2.0], mode: InterpolationMode.Bilinear).ToString());
        Assert.Equal("Upsample(size=4, mode=nearest)", new Upsample([4]).ToString());
    }

    [Fact]
    public void Upsample_BadArguments_ThrowAtConstruction()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Upsample([4, 4], [2.0])), "only one of size or scale_factor");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Upsample()), "either size or scale_factor");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Upsample(2.0, alignCorners: true)), "align_corners");
    }
}
