using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The vectorised sigmoid (blocks of exponentials, then a sign select): against the closed form evaluated in higher
/// precision, at lengths around the block and vector widths, with the edge values, in place, and the 0-d path equal to
/// a long one (Note in UnaryKernel: every length goes through the span form).
/// </summary>
public class ScalarOpsTests
{
    // The exact logistic function in double (float inputs) or via e^-|x| with Math.Exp (double inputs).
    private static double Reference(double x)
    {
        double e = Math.Exp(-Math.Abs(x));
        return x < 0 ? e / (1 + e) : 1 / (1 + e);
    }

    private static float[] FloatInputs(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 40 - 20)).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(1000)]
    public void Float32_AllLengths_WithinTwoUlpsOfTheExactValue(int n)
    {
        float[] x = FloatInputs(n, n);
        var y = new float[n];
        SigmoidOp<float>.Invoke(x, y);
        for (int i = 0; i < n; i++)
        {
            float expected = (float)Reference(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 2.5e-7 * Math.Abs(expected) + 1e-44f,
                $"sigmoid({x[i]}) = {y[i]}, expected {expected} (index {i} of {n})");
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(300)]
    public void Float64_MatchesTheClosedFormTo1e15(int n)
    {
        var rng = new Random(n);
        double[] x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 60 - 30).ToArray();
        var y = new double[n];
        SigmoidOp<double>.Invoke(x, y);
        for (int i = 0; i < n; i++)
            Assert.Equal(Reference(x[i]), y[i], 1e-15 * Math.Max(1e-300, Reference(x[i])) + 1e-300);
    }

    [Fact]
    public void EdgeValues_KeepLimitsSubnormalsAndNaN()
    {
        float[] x = [float.NegativeInfinity, -100f, -88f, -0f, 0f, 88f, 100f, float.PositiveInfinity, float.NaN, -1e-30f, 1e-30f];
        var y = new float[x.Length];
        SigmoidOp<float>.Invoke(x, y);
        Assert.Equal(0f, y[0]);
        Assert.True(y[1] > 0 && y[1] < 1e-43f, $"sigmoid(-100) = {y[1]}, expected the subnormal 3.78e-44");
        Assert.Equal((float)Reference(-88), y[2], 1e-44f);
        Assert.Equal(0.5f, y[3]);
        Assert.Equal(0.5f, y[4]);
        Assert.Equal(1f, y[5]);
        Assert.Equal(1f, y[6]);
        Assert.Equal(1f, y[7]);
        Assert.True(float.IsNaN(y[8]));
        Assert.Equal(0.5f, y[9]);
        Assert.Equal(0.5f, y[10]);
    }

    [Fact]
    public void InPlace_GivesTheSameAsOutOfPlace()
    {
        float[] x = FloatInputs(700, 5);
        var y = new float[x.Length];
        SigmoidOp<float>.Invoke(x, y);
        SigmoidOp<float>.Invoke(x, x);
        Assert.Equal(y, x);
    }

    [Fact]
    public void ZeroDimAndLongTensors_GiveBitIdenticalValues()
    {
        float[] values = FloatInputs(37, 9);
        float[] whole = Tensor.From(values).Sigmoid().ToArray<float>();
        for (int i = 0; i < values.Length; i++)
            Assert.Equal(whole[i], Tensor.Scalar(values[i]).Sigmoid().ToArray<float>()[0]);
    }
}
