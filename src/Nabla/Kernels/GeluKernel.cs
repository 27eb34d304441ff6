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

    private const int Lanes = 4;

    /// <summary><c>y[i] = gelu(x[i])</c>.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => Run(x, default, y, backward: false);

    /// <summary><c>dx[i] = g[i]·gelu'(x[i])</c>.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx) => Run(x, g, dx, backward: true);

    // NOTE: the vector body is inlined once per direction (ForwardBlocks, BackwardBlocks) and the tail, padded with
    // zeros, goes through the same methods: a body inlined at several sites exhausts the JIT's inlining budget, and its
    // helpers then become calls that spill every vector register.
    private static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> y, bool backward)
    {
        int n = x.Length, bulk = n / Lanes * Lanes;
        if (backward) BackwardBlocks(x[..bulk], g[..bulk], y[..bulk]);
        else ForwardBlocks(x[..bulk], y[..bulk]);
        if (bulk == n) return;
        Span<float> xt = stackalloc float[Lanes], gt = stackalloc float[Lanes], yt = stackalloc float[Lanes];
        xt.Clear();
        gt.Clear();
        x[bulk..].CopyTo(xt);
        if (backward)
        {
            g[bulk..].CopyTo(gt);
            BackwardBlocks(xt, gt, yt);
        }
        else ForwardBlocks(xt, yt);
        yt[..(n - bulk)].CopyTo(y[bulk..]);
    }

    private static void ForwardBlocks(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i += Lanes)
            Vector256.Narrow(Gelu(Widen(x, i), default, false), default).GetLower().CopyTo(y.Slice(i, Lanes));
    }

    private static void BackwardBlocks(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> y)
    {
        for (int i = 0; i < x.Length; i += Lanes)
            Vector256.Narrow(Gelu(Widen(x, i), Widen(g, i), true), default).GetLower().CopyTo(y.Slice(i, Lanes));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Widen(ReadOnlySpan<float> x, int i) => Vector256.WidenLower(Vector128.Create(x.Slice(i, Lanes)).ToVector256Unsafe());

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
        Vector256<double> erfc = t * Exp(p - a2);
        // 2Φ(x): erfc(a) below zero, 2 - erfc(a) from zero on (a NaN stays NaN through erfc).
        Vector256<double> twoPhi = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.Zero),
            Vector256.Create(2.0) - erfc, erfc);
        if (!backward) return x * 0.5 * twoPhi;
        Vector256<double> density = Exp(-a2) * InvSqrtTwoPi;
        return g * Vector256.FusedMultiplyAdd(x, density, twoPhi * 0.5);
    }

    // Note [GELU's exp]
    // exp for the arguments GELU meets (at most 0; NaN and -inf included), to about 1e-12 relative: the result is rounded
    // to float32, so double's last bits are not needed, and the library's general Vector256.Exp costs several times more.
    // e^v = 2^k·e^r with k = round(v/ln 2), |r| ≤ ln2/2 (ln 2 split in two parts so that r is exact), e^r by a degree-11
    // Taylor polynomial (truncation below 3e-14), 2^k built in the exponent bits. Arguments below -708 are clamped there
    // (e^-708 ≈ 3e-308 is 0 once a float32 product is formed), which keeps 2^k a normal double; a NaN stays NaN because
    // the clamp's comparison is false for it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Exp(Vector256<double> v)
    {
        const double Log2E = 1.4426950408889634, Ln2Hi = 0.693147180369123816490, Ln2Lo = 1.90821492927058770002e-10;
        const double Shifter = 6755399441055744.0; // 1.5·2^52: adding it rounds to an integer held in the low mantissa bits
        v = Vector256.ConditionalSelect(Vector256.LessThan(v, V(-708.0)), V(-708.0), v);
        Vector256<double> shifted = Fma(v, V(Log2E), V(Shifter));
        Vector256<double> k = shifted - V(Shifter);
        Vector256<double> r = Fma(k, V(-Ln2Lo), Fma(k, V(-Ln2Hi), v));
        Vector256<double> r2 = r * r;
        // e^r = Σ r^n/n!, n ≤ 11, as even and odd halves in r² (two shorter dependency chains).
        Vector256<double> even = Fma(Fma(Fma(Fma(Fma(V(1.0 / 3628800), r2, V(1.0 / 40320)), r2, V(1.0 / 720)), r2, V(1.0 / 24)), r2, V(0.5)), r2, V(1.0));
        Vector256<double> odd = Fma(Fma(Fma(Fma(Fma(V(1.0 / 39916800), r2, V(1.0 / 362880)), r2, V(1.0 / 5040)), r2, V(1.0 / 120)), r2, V(1.0 / 6)), r2, V(1.0));
        Vector256<double> er = Fma(r, odd, even);
        Vector256<ulong> bits = Vector256.ShiftLeft(shifted.AsUInt64(), 52) + Vector256.Create(1023UL << 52);
        return er * bits.AsDouble();
    }
}
