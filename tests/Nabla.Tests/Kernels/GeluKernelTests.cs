using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The float32 GELU kernel (Note [Fast exact GELU]) against the double-precision erf form rounded to float32: the value
/// within 8 float32 ulps and the derivative within 8 ulps of the size of its two terms, over the whole range where they
/// are not 0 or x (subnormal results included), and the special values.
/// </summary>
public class GeluKernelTests
{
    private const double SqrtHalf = 0.70710678118654752440, InvSqrtTwoPi = 0.39894228040143267794;

    // Φ(x) from erfc's continued fraction and erf's series in double (SpecialFunctions), with relative accuracy for x < 0.
    private static double Phi(double x) => x < -4 ? 0.5 * Erfc(-x * SqrtHalf) : 0.5 * (1 + SpecialFunctions.Erf(x * SqrtHalf));

    private static double Erfc(double a)
    {
        double f = a;
        for (int n = 200; n >= 1; n--) f = a + n * 0.5 / f;
        return Math.Exp(-a * a) / Math.Sqrt(Math.PI) / f;
    }

    private static float[] Grid()
    {
        var values = new List<float>();
        for (double v = -16; v <= 16; v += 1.0 / 512) values.Add((float)v);
        var rng = new Random(5);
        for (int i = 0; i < 4000; i++) values.Add((float)(rng.NextDouble() * 30 - 15));
        values.AddRange([1e-30f, -1e-30f, 1e-6f, -1e-6f, 0f]);
        return [.. values];
    }

    private const int Ulps = 8;

    // Within Ulps spacings of float32 at the given scale (the expected value's magnitude, or a larger one).
    private static void AssertWithinUlps(float expected, float actual, double scale, string what)
    {
        float s = (float)Math.Max(Math.Abs(expected), scale);
        float gap = Math.Max(Math.Abs(MathF.BitIncrement(s) - s), Math.Abs(s - MathF.BitDecrement(s)));
        Assert.True(Math.Abs(actual - expected) <= Ulps * gap, $"{what}: expected {expected:R}, got {actual:R}");
    }

    [Fact]
    public void Forward_OverTheRange_WithinEightUlpsOfTheDoubleForm()
    {
        float[] x = Grid(), y = new float[x.Length];
        GeluKernel.Forward(x, y);
        for (int i = 0; i < x.Length; i++) AssertWithinUlps((float)(x[i] * Phi(x[i])), y[i], 0, $"gelu({x[i]:R})");
    }

    [Fact]
    public void Backward_OverTheRange_WithinEightUlpsOfItsTerms()
    {
        float[] x = Grid(), g = [.. x.Select((_, i) => i % 3 == 0 ? 1f : -0.75f)], dx = new float[x.Length];
        GeluKernel.Backward(x, g, dx);
        for (int i = 0; i < x.Length; i++)
        {
            // gelu' = Φ + x·φ: the two terms cancel near x = -0.75, where float32 cannot hold the difference's digits.
            double phi = Phi(x[i]), density = Math.Exp(-0.5 * (double)x[i] * x[i]) * InvSqrtTwoPi;
            AssertWithinUlps((float)(g[i] * (phi + x[i] * density)), dx[i], Math.Abs(g[i]) * (phi + Math.Abs(x[i]) * density), $"gelu'({x[i]:R})");
        }
    }

    [Theory]
    [InlineData(-5.0, -1.4332578593401202e-06)]
    [InlineData(-9.0, -1.0157296e-18)]
    [InlineData(-12.0, -2.1317785e-32)]
    public void Forward_FarBelowZero_KeepsRelativeAccuracy(double x, double expected)
    {
        // float32 PyTorch forms 1 + erf(x/√2) and gives -1.490e-6 at -5 (4% off); the erfc form keeps every digit.
        float[] y = new float[1];
        GeluKernel.Forward([(float)x], y);
        Assert.True(Math.Abs(y[0] - expected) <= 1e-6 * Math.Abs(expected), $"gelu({x}) = {y[0]:R}, expected {expected:R}");
    }

    [Fact]
    public void Forward_SpecialValues_MatchTheLimits()
    {
        float[] x = [float.PositiveInfinity, float.NaN, -100f, 100f, -30f], y = new float[x.Length];
        GeluKernel.Forward(x, y);
        Assert.Equal(float.PositiveInfinity, y[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(0f, y[2]);
        Assert.Equal(100f, y[3]);
        Assert.Equal(0f, y[4]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(1000)]
    public void Forward_AnyLength_SameAsElementByElement(int n)
    {
        float[] x = [.. Enumerable.Range(0, n).Select(i => (float)Math.Sin(i) * 5)], y = new float[n], one = new float[1];
        GeluKernel.Forward(x, y);
        for (int i = 0; i < n; i++)
        {
            GeluKernel.Forward(x.AsSpan(i, 1), one);
            Assert.Equal(y[i], one[0]);
        }
    }

    [Fact]
    public void SixteenAndEightLanes_GiveTheSameBits()
    {
        // Note [Sixteen-lane GELU]: where 512-bit vectors run, both widths are compared; elsewhere the eight-lane
        // kernel runs in either setting and the test compares it with itself.
        float[] x = Grid(), g = [.. x.Select((v, i) => (float)Math.Sin(i) * 3)];
        var results = new List<(float[] Y, float[] D)>();
        foreach (bool wide in (bool[])[false, true])
        {
            float[] y = new float[x.Length], d = new float[x.Length];
            GeluKernel.Forward(x, y, sixteenLanes: wide);
            GeluKernel.Backward(x, g, d, sixteenLanes: wide);
            results.Add((y, d));
        }
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(results[0].Y[i]), BitConverter.SingleToInt32Bits(results[1].Y[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(results[0].D[i]), BitConverter.SingleToInt32Bits(results[1].D[i]));
        }
    }
}
