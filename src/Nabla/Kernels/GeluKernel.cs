using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Note [Fast exact GELU]
// float32 GELU and its derivative are computed in double lanes from one formula, so they round to within an ulp of
// the exact values (and almost always to the same float as a double erf would) without erf's series:
//   gelu(x) = x·Φ(x),  2Φ(x) = erfc(a) for x < 0, 2 - erfc(a) for x ≥ 0,  a = |x|/√2,
//   erfc(a) = t·exp(P(s) - a²),  t = 3/(3 + a),  s = (18t - 11)/7 ∈ [-1, 1] for a ∈ [0, 10.5],
//   gelu'(x) = Φ(x) + x·exp(-a²)/√(2π).
// P is a degree-18 least-squares Chebyshev fit of ln(erfc(a)·e^{a²}/t) at 600 Chebyshev nodes of s (reference values
// from mpmath at 40 digits), converted to powers of s; erfc's relative error is below 2e-14 on [0, 10.5]. Beyond
// 10.5, Φ(-x) < 1e-48 underflows float32 anyway. Using erfc (not 1 + erf) keeps the relative accuracy of Φ for
// negative x. Every element, the tail included, goes through the same vector code, so a result does not depend on
// where a chunk starts.

/// <summary>The float32 exact GELU and its derivative (see Note [Fast exact GELU]).</summary>
internal static class GeluKernel
{
    private const double SqrtHalf = 0.70710678118654752440, InvSqrtTwoPi = 0.39894228040143267794;

    // P(s) = Σ Ck·s^k
    private const double C0 = -0.8338073834605544, C1 = 0.7145755671694421, C2 = 0.1325256930967937,
        C3 = -0.0004702425932524776, C4 = -0.011808468642151933, C5 = -0.0024996537124914488, C6 = 0.001098991366242369,
        C7 = 0.0005541447762775752, C8 = -8.518038200100247e-05, C9 = -0.0001004376596518529, C10 = 1.397665646370738e-06,
        C11 = 1.6701609735216816e-05, C12 = 1.5198764558074783e-06, C13 = -2.567126733722978e-06,
        C14 = -4.7476011195475164e-07, C15 = 3.394036997452559e-07, C16 = 9.170472117200229e-08,
        C17 = -2.8680378657483746e-08, C18 = -9.651703137861361e-09;

    private const int Lanes = 8;

    /// <summary><c>y[i] = gelu(x[i])</c>.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => Run(x, default, y, backward: false);

    /// <summary><c>dx[i] = g[i]·gelu'(x[i])</c>.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx) => Run(x, g, dx, backward: true);

    private static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> y, bool backward)
    {
        int n = x.Length, i = 0;
        for (; i + Lanes <= n; i += Lanes)
        {
            Vector256<float> gv = backward ? Vector256.Create(g.Slice(i, Lanes)) : default;
            Eval(Vector256.Create(x.Slice(i, Lanes)), gv, backward).CopyTo(y.Slice(i, Lanes));
        }
        if (i == n) return;
        // NOTE: the tail goes through the vector code too, padded with zeros.
        Span<float> xt = stackalloc float[Lanes], gt = stackalloc float[Lanes], yt = stackalloc float[Lanes];
        xt.Clear();
        gt.Clear();
        x[i..].CopyTo(xt);
        if (backward) g[i..].CopyTo(gt);
        Eval(Vector256.Create((ReadOnlySpan<float>)xt), Vector256.Create((ReadOnlySpan<float>)gt), backward).CopyTo(yt);
        yt[..(n - i)].CopyTo(y[i..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Eval(Vector256<float> x, Vector256<float> g, bool backward)
    {
        var (xl, xh) = Vector256.Widen(x);
        if (!backward) return Vector256.Narrow(Gelu(xl, default, false), Gelu(xh, default, false));
        var (gl, gh) = Vector256.Widen(g);
        return Vector256.Narrow(Gelu(xl, gl, true), Gelu(xh, gh, true));
    }

    // NOTE: four independent Horner chains in s⁴ (P = A + s·B + s²·(C + s·D)): one chain of 18 dependent FMAs would
    // leave the FMA units idle for most of their latency.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Poly(Vector256<double> s)
    {
        Vector256<double> s2 = s * s, u = s2 * s2;
        Vector256<double> a = Fma(Fma(Fma(Fma(V(C16), u, V(C12)), u, V(C8)), u, V(C4)), u, V(C0));
        Vector256<double> b = Fma(Fma(Fma(Fma(V(C17), u, V(C13)), u, V(C9)), u, V(C5)), u, V(C1));
        Vector256<double> c = Fma(Fma(Fma(Fma(V(C18), u, V(C14)), u, V(C10)), u, V(C6)), u, V(C2));
        Vector256<double> d = Fma(Fma(Fma(V(C15), u, V(C11)), u, V(C7)), u, V(C3));
        return Fma(s2, Fma(s, d, c), Fma(s, b, a));
    }

    private static Vector256<double> V(double c) => Vector256.Create(c);

    private static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Gelu(Vector256<double> x, Vector256<double> g, bool backward)
    {
        Vector256<double> a = Vector256.Abs(x) * SqrtHalf, a2 = a * a;
        Vector256<double> t = Vector256.Create(3.0) / (a + Vector256.Create(3.0));
        Vector256<double> s = (t * 18.0 - Vector256.Create(11.0)) * (1.0 / 7);
        Vector256<double> p = Poly(s);
        Vector256<double> erfc = t * Vector256.Exp(p - a2);
        // 2Φ(x): erfc(a) below zero, 2 - erfc(a) from zero on (a NaN stays NaN through erfc).
        Vector256<double> twoPhi = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.Zero),
            Vector256.Create(2.0) - erfc, erfc);
        if (!backward) return x * 0.5 * twoPhi;
        Vector256<double> density = Vector256.Exp(-a2) * InvSqrtTwoPi;
        return g * Vector256.FusedMultiplyAdd(x, density, twoPhi * 0.5);
    }
}
