using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Elementwise unary ops (Ops/Unary.cs): Log1p's accuracy and IEEE edge values, and the dtype error.</summary>
public class UnaryTests
{
    [Fact]
    public void Log1p_TinyAndOrdinaryInputs_KeepFullRelativeAccuracy()
    {
        double[] x = [1e-20, 3e-12, 1e-10, -1e-10, 1e-5, 0.3, -0.5, -0.999, 10.0, 1e10];
        double[] expected = [1e-20, 2.9999999999955003e-12, 9.999999999500001e-11, -1.00000000005e-10, 9.999950000333332e-06,
            0.26236426446749106, -0.6931471805599453, -6.907755278982136, 2.3978952727983707, 23.025850930040455];
        double[] actual = Tensor.From(x, dtype: DType.Float64).Log1p().ToDoubleArray();
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 4e-16 * Math.Abs(expected[i]), $"log1p({x[i]:R}): expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Log1p_EdgeValues_FollowIeee()
    {
        double[] actual = Tensor.From([-1.0, double.PositiveInfinity, -2.0, 0.0], dtype: DType.Float64).Log1p().ToDoubleArray();
        Assert.Equal(double.NegativeInfinity, actual[0]);
        Assert.Equal(double.PositiveInfinity, actual[1]);
        Assert.True(double.IsNaN(actual[2]));
        Assert.Equal(0.0, actual[3]);
    }

    [Fact]
    public void Exp_OnIntegerTensor_NamesDType()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(3).Exp()), "exp", "int64");
}
