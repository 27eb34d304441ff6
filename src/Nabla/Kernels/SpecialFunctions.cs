namespace Nabla.Kernels;

/// <summary>Special functions in double precision, which .NET's Math lacks.</summary>
internal static class SpecialFunctions
{
    private const double TwoOverSqrtPi = 1.1283791670955126; // 2/sqrt(pi)
    private const double OneOverSqrtPi = 0.5641895835477563;

    /// <summary>The error function, accurate to a few ulps over the whole real line.</summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax >= 6) return Math.Sign(x);
        double r = ax <= 3 ? ErfSeries(ax) : 1 - ErfcContinuedFraction(ax);
        return x < 0 ? -r : r;
    }

    /// <summary>ln(1 + x), accurate to a few ulps also for tiny x (where .NET's <c>double.LogP1</c>, which is <c>Log(x + 1)</c>, returns 0).</summary>
    public static double Log1p(double x)
    {
        // NOTE: Goldberg's trick (1991, Theorem 4): u = fl(1 + x) is exact up to its rounding, and
        // log(u) * x / (u - 1) corrects for that rounding, so the result keeps full relative accuracy.
        double u = 1 + x;
        if (u == 1) return x;
        if (double.IsPositiveInfinity(u)) return u;
        return Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x - 1, accurate to a few ulps also for tiny x (where .NET's <c>double.ExpM1</c>, which is <c>Exp(x) - 1</c>, returns 0).</summary>
    public static double Expm1(double x)
    {
        // NOTE: Kahan's trick, the counterpart of Log1p's: u = fl(e^x) is exact up to its rounding, and
        // (u - 1) * x / ln(u) corrects for that rounding, so expm1(1e-300) is 1e-300 and not 0.
        double u = Math.Exp(x);
        if (u == 1) return x;
        double um1 = u - 1;
        if (um1 == -1 || double.IsPositiveInfinity(u)) return um1;
        return um1 * x / Math.Log(u);
    }

    // NOTE: erf(x) = 2/sqrt(pi) e^{-x^2} sum_n x (2x^2)^n / (1*3*...*(2n+1)). Every term is positive, so the
    // sum has no cancellation (unlike the alternating Taylor series) and stays accurate to x = 3.
    private static double ErfSeries(double x)
    {
        double x2 = x * x, term = x, sum = x;
        for (int n = 1; n < 200; n++)
        {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return TwoOverSqrtPi * Math.Exp(-x2) * sum;
    }

    // erfc(x) = e^{-x^2}/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated from the tail.
    private static double ErfcContinuedFraction(double x)
    {
        double f = x;
        for (int n = 80; n >= 1; n--) f = x + n * 0.5 / f;
        return OneOverSqrtPi * Math.Exp(-x * x) / f;
    }
}
