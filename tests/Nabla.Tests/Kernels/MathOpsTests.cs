using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The vectorised span forms of Kernels/MathOps.cs equal their scalar forms bit for bit at lengths 0, 1, around the
/// vector widths and large (so a 0-d result equals the same element of a long tensor), for float and double.
/// </summary>
public class MathOpsTests
{
    public static TheoryData<int> Lengths() => [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000];

    private static double[] Inputs(int n, int seed)
    {
        var rng = new Random(seed);
        // Halves and integers mixed in, so the rounding ops meet their ties and fixed points.
        return Enumerable.Range(0, n).Select(i => i % 7 == 0 ? (i % 11) - 5.5 : i % 5 == 0 ? i - 20 : rng.NextDouble() * 20 - 10).ToArray();
    }

    private static void SpanEqualsScalar<TOp, T>(T[] x) where TOp : IUnaryOp<TOp, T>
    {
        var y = new T[x.Length];
        TOp.Invoke(x, y);
        for (int i = 0; i < x.Length; i++) Assert.Equal(TOp.Invoke(x[i]), y[i]);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SpanForms_EqualScalarForms_Double(int n)
    {
        double[] x = Inputs(n, n);
        double[] positive = x.Select(Math.Abs).ToArray();
        SpanEqualsScalar<RsqrtOp<double>, double>(positive);
        SpanEqualsScalar<ReciprocalOp<double>, double>(x);
        SpanEqualsScalar<SquareOp<double>, double>(x);
        SpanEqualsScalar<FloorOp<double>, double>(x);
        SpanEqualsScalar<CeilOp<double>, double>(x);
        SpanEqualsScalar<RoundOp<double>, double>(x);
        SpanEqualsScalar<TruncOp<double>, double>(x);
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void SpanForms_EqualScalarForms_Float(int n)
    {
        float[] x = Inputs(n, n + 1).Select(v => (float)v).ToArray();
        float[] positive = x.Select(MathF.Abs).ToArray();
        SpanEqualsScalar<RsqrtOp<float>, float>(positive);
        SpanEqualsScalar<ReciprocalOp<float>, float>(x);
        SpanEqualsScalar<SquareOp<float>, float>(x);
        SpanEqualsScalar<FloorOp<float>, float>(x);
        SpanEqualsScalar<CeilOp<float>, float>(x);
        SpanEqualsScalar<RoundOp<float>, float>(x);
        SpanEqualsScalar<TruncOp<float>, float>(x);
    }

    [Fact]
    public void Round_Ties_GoToEvenInBothForms()
    {
        double[] x = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5, 13.5];
        var y = new double[x.Length];
        RoundOp<double>.Invoke(x, y);
        Assert.Equal([-2.0, -2, -0.0, 0, 2, 2, 4, 4, 6, 6, 8, 8, 10, 10, 12, 12, 14], y);
    }

    [Fact]
    public void Expm1_MatchesTheDefinitionAndKeepsTinyArguments()
    {
        var rng = new Random(4);
        for (int i = 0; i < 1000; i++)
        {
            double x = rng.NextDouble() * 40 - 20;
            double expected = Math.Exp(x) - 1;
            Assert.True(Math.Abs(SpecialFunctions.Expm1(x) - expected) <= 1e-15 * Math.Max(1, Math.Abs(expected)), $"expm1({x:R})");
        }
        Assert.Equal(1e-200, SpecialFunctions.Expm1(1e-200));
        Assert.True(double.IsNaN(SpecialFunctions.Expm1(double.NaN)));
        Assert.Equal(-1.0, SpecialFunctions.Expm1(double.NegativeInfinity));
    }
}
