using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Note [Fast exact GELU]
// float32 GELU and its derivative are computed in float32 lanes, eight at a time, from one formula with relative
// accuracy for negative x (where x·Φ(x) is tiny and 1 + erf would cancel), within a few ulps of the exact values:
//   gelu(x) = x·Φ(x),  2Φ(x) = erfc(a) for x < 0, 2 - erfc(a) for x ≥ 0,  a = |x|/√2,
//   erfc(a) = t·exp(P(s) - a²),  t = 3/(3 + a),  s = (18t - 11)/7 ∈ [-1, 1] for a ∈ [0, 10.5],
//   gelu'(x) = Φ(x) + x·exp(-a²)/√(2π).
// P is a degree-11 Chebyshev fit (mpmath.chebyfit at 40 digits) of ln(erfc(a)·e^{a²}/t) as a function of s, absolute
// error 9e-10; since the identity holds for whatever t the rounding produced, t's rounding costs nothing. e^P and e^{-a²}
// are taken apart, the latter from a² = x²/2 split exactly with an FMA (a single float a² would lose |a²|·2⁻²⁴
// relative, 10 ulps at x = -4.5), and below zero the derivative's two terms share e^{-a²}. Results are within 8 ulps
// (the derivative: of the size of its two terms, which cancel near x = -0.75); float32 PyTorch forms 1 + erf and loses
// all relative accuracy below x = -4. Every element, the tail included, goes through the same vector code, so a result
// does not depend on where a chunk starts.

/// <summary>The float32 exact GELU and its derivative (see Note [Fast exact GELU]).</summary>
internal static class GeluKernel
{
    private const float SqrtHalf = 0.70710678118654752440f, InvSqrtTwoPi = 0.39894228040143267794f;

    // P(s) = Σ Ck·s^k
    private const float C0 = -0.8338073837190522f, C1 = 0.7145755680044557f, C2 = 0.13252571183240208f,
        C3 = -0.00047030284241933765f, C4 = -0.011808694735427276f, C5 = -0.0024989433247009415f,
        C6 = 0.001100024173762799f, C7 = 0.0005510469250008636f, C8 = -8.743755891271297e-05f,
        C9 = -9.421044248427612e-05f, C10 = 3.956660132904329e-06f, C11 = 1.0665592153182036e-05f;

    private const int Lanes = 8, Lanes512 = 16;

    /// <summary>Sixteen-lane kernels where 512-bit vectors run in hardware (Note [Sixteen-lane GELU]).</summary>
    private static readonly bool s_wide = Vector512.IsHardwareAccelerated;

    /// <summary><c>y[i] = gelu(x[i])</c>.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y) => Run(x, default, y, backward: false, s_wide);

    /// <summary><c>dx[i] = g[i]·gelu'(x[i])</c>.</summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx) => Run(x, g, dx, backward: true, s_wide);

    /// <summary><see cref="Forward(ReadOnlySpan{float}, Span{float})"/> with the lane count chosen (sixteen only where 512-bit vectors run).</summary>
    internal static void Forward(ReadOnlySpan<float> x, Span<float> y, bool sixteenLanes) => Run(x, default, y, backward: false, sixteenLanes && s_wide);

    /// <summary><see cref="Backward(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/> with the lane count chosen.</summary>
    internal static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> dx, bool sixteenLanes) => Run(x, g, dx, backward: true, sixteenLanes && s_wide);

    // NOTE: the vector body is inlined once per direction (ForwardBlocks, BackwardBlocks) and the tail, padded with
    // zeros, goes through the same methods: a body inlined at several sites exhausts the JIT's inlining budget, and its
    // helpers then become calls that spill every vector register.
    private static void Run(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> y, bool backward, bool sixteenLanes)
    {
        if (sixteenLanes)
        {
            int bulk512 = x.Length / Lanes512 * Lanes512;
            if (backward) BackwardBlocks512(x[..bulk512], g[..bulk512], y[..bulk512]);
            else ForwardBlocks512(x[..bulk512], y[..bulk512]);
            x = x[bulk512..];
            y = y[bulk512..];
            if (backward) g = g[bulk512..];
        }
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
            Gelu(Vector256.Create(x.Slice(i, Lanes)), default, false).CopyTo(y.Slice(i, Lanes));
    }

    private static void BackwardBlocks(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> y)
    {
        for (int i = 0; i < x.Length; i += Lanes)
            Gelu(Vector256.Create(x.Slice(i, Lanes)), Vector256.Create(g.Slice(i, Lanes)), true).CopyTo(y.Slice(i, Lanes));
    }

    // NOTE: three independent Horner chains in s³ (P = A + s·B + s²·C): one chain of 11 dependent FMAs would leave the
    // FMA units idle for most of their latency.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Poly(Vector256<float> s)
    {
        Vector256<float> s2 = s * s, u = s2 * s;
        Vector256<float> a = Fma(Fma(Fma(V(C9), u, V(C6)), u, V(C3)), u, V(C0));
        Vector256<float> b = Fma(Fma(Fma(V(C10), u, V(C7)), u, V(C4)), u, V(C1));
        Vector256<float> c = Fma(Fma(Fma(V(C11), u, V(C8)), u, V(C5)), u, V(C2));
        return Fma(s2, c, Fma(s, b, a));
    }

    private static Vector256<float> V(float c) => Vector256.Create(c);

    private static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Gelu(Vector256<float> x, Vector256<float> g, bool backward)
    {
        // |x| is capped at 15.5 (erfc(15.5/√2) < 1e-53 is 0 in float32) so that x² stays finite; a NaN passes (the
        // comparison is false). a² = x²/2 is taken from x, exactly as a float pair: a rounded a would cost |a²|·2⁻²³.
        Vector256<float> ax = Vector256.Abs(x);
        ax = Vector256.ConditionalSelect(Vector256.GreaterThan(ax, V(15.5f)), V(15.5f), ax);
        Vector256<float> x2 = ax * ax, a = ax * SqrtHalf;
        Vector256<float> a2 = x2 * 0.5f, a2Low = Fma(ax, ax, -x2) * 0.5f; // a² = a2 + a2Low exactly
        Vector256<float> t = V(3f) / (a + V(3f));
        Vector256<float> s = (t * 18f - V(11f)) * (1f / 7);
        Vector256<float> ep = Exp(Poly(s), out Vector256<float> epScale) * epScale;
        // e^{-a²} = gauss·gaussScale with gauss normal: the scale, which may take a result into the subnormals, goes last.
        Vector256<float> gauss = Exp(-a2, out Vector256<float> gaussScale);
        gauss = Fma(gauss, -a2Low, gauss);
        Vector256<float> tail = t * ep; // erfc(a) = tail·gauss·gaussScale
        Vector256<float> negative = Vector256.LessThan(x, Vector256<float>.Zero);
        if (!backward)
        {
            Vector256<float> below = x * 0.5f * tail * gauss * gaussScale;
            Vector256<float> above = x * (V(1f) - tail * 0.5f * gauss * gaussScale);
            return Vector256.ConditionalSelect(negative, below, above);
        }
        // gelu'(x) = Φ(x) + x·φ(x); below zero both terms carry e^{-a²}: (t·e^P/2 + x/√(2π))·e^{-a²}.
        Vector256<float> belowD = g * Fma(x, V(InvSqrtTwoPi), tail * 0.5f) * gauss * gaussScale;
        Vector256<float> aboveD = g * Fma(x * InvSqrtTwoPi * gauss, gaussScale, V(1f) - tail * 0.5f * gauss * gaussScale);
        return Vector256.ConditionalSelect(negative, belowD, aboveD);
    }

    // Note [GELU's exp]
    // exp for the arguments GELU meets (at most 0; NaN and -inf included), within about an ulp: e^v = 2^k·e^r with
    // k = round(v/ln 2) (the 1.5·2²³ shifter rounds and leaves k in the low mantissa bits), |r| ≤ ln2/2 exact through
    // ln 2 split in two, e^r by its Taylor series to r⁷ (truncation 3e-9). 2^k comes as two normal halves: the result
    // holds one, the other is returned as scale for the caller to apply last, so that a product ending in float32's
    // subnormals rounds once. Below -104 (e^-104 < 2⁻¹⁴⁹) the scale is 0. A NaN stays NaN because the comparison is
    // false for it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp(Vector256<float> v, out Vector256<float> scale)
    {
        const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f, Shifter = 12582912f;
        Vector256<float> under = Vector256.LessThan(v, V(-104f));
        v = Vector256.ConditionalSelect(under, V(-104f), v);
        Vector256<float> shifted = Fma(v, V(Log2E), V(Shifter));
        Vector256<float> k = shifted - V(Shifter);
        Vector256<float> r = Fma(k, V(-Ln2Lo), Fma(k, V(-Ln2Hi), v));
        Vector256<float> r2 = r * r;
        Vector256<float> even = Fma(Fma(Fma(V(1f / 720), r2, V(1f / 24)), r2, V(0.5f)), r2, V(1f));
        Vector256<float> odd = Fma(Fma(Fma(V(1f / 5040), r2, V(1f / 120)), r2, V(1f / 6)), r2, V(1f));
        Vector256<float> er = Fma(r, odd, even);
        Vector256<int> ki = shifted.AsInt32() - Vector256.Create(0x4B400000);
        Vector256<int> k1 = Vector256.ShiftRightArithmetic(ki, 1), k2 = ki - k1;
        scale = Vector256.ConditionalSelect(under, Vector256<float>.Zero, Vector256.ShiftLeft(k2 + Vector256.Create(127), 23).AsSingle());
        return er * Vector256.ShiftLeft(k1 + Vector256.Create(127), 23).AsSingle();
    }

    // Note [Sixteen-lane GELU]
    // The kernels below are the eight-lane ones above in Vector512, for machines that run 512-bit vectors in hardware:
    // the same operations in the same order per lane, so both widths give the same bits (GeluKernelTests checks). .NET 10
    // keeps the vector-generic interface (ISimdVector) internal, so the two widths are two copies of one text.

    private static void ForwardBlocks512(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i += Lanes512)
            Gelu(Vector512.Create(x.Slice(i, Lanes512)), default, false).CopyTo(y.Slice(i, Lanes512));
    }

    private static void BackwardBlocks512(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> y)
    {
        for (int i = 0; i < x.Length; i += Lanes512)
            Gelu(Vector512.Create(x.Slice(i, Lanes512)), Vector512.Create(g.Slice(i, Lanes512)), true).CopyTo(y.Slice(i, Lanes512));
    }

    // NOTE: three independent Horner chains in s³ (P = A + s·B + s²·C): one chain of 11 dependent FMAs would leave the
    // FMA units idle for most of their latency.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Poly(Vector512<float> s)
    {
        Vector512<float> s2 = s * s, u = s2 * s;
        Vector512<float> a = Fma(Fma(Fma(V16(C9), u, V16(C6)), u, V16(C3)), u, V16(C0));
        Vector512<float> b = Fma(Fma(Fma(V16(C10), u, V16(C7)), u, V16(C4)), u, V16(C1));
        Vector512<float> c = Fma(Fma(Fma(V16(C11), u, V16(C8)), u, V16(C5)), u, V16(C2));
        return Fma(s2, c, Fma(s, b, a));
    }

    private static Vector512<float> V16(float c) => Vector512.Create(c);

    private static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Gelu(Vector512<float> x, Vector512<float> g, bool backward)
    {
        // |x| is capped at 15.5 (erfc(15.5/√2) < 1e-53 is 0 in float32) so that x² stays finite; a NaN passes (the
        // comparison is false). a² = x²/2 is taken from x, exactly as a float pair: a rounded a would cost |a²|·2⁻²³.
        Vector512<float> ax = Vector512.Abs(x);
        ax = Vector512.ConditionalSelect(Vector512.GreaterThan(ax, V16(15.5f)), V16(15.5f), ax);
        Vector512<float> x2 = ax * ax, a = ax * SqrtHalf;
        Vector512<float> a2 = x2 * 0.5f, a2Low = Fma(ax, ax, -x2) * 0.5f; // a² = a2 + a2Low exactly
        Vector512<float> t = V16(3f) / (a + V16(3f));
        Vector512<float> s = (t * 18f - V16(11f)) * (1f / 7);
        Vector512<float> ep = Exp(Poly(s), out Vector512<float> epScale) * epScale;
        // e^{-a²} = gauss·gaussScale with gauss normal: the scale, which may take a result into the subnormals, goes last.
        Vector512<float> gauss = Exp(-a2, out Vector512<float> gaussScale);
        gauss = Fma(gauss, -a2Low, gauss);
        Vector512<float> tail = t * ep; // erfc(a) = tail·gauss·gaussScale
        Vector512<float> negative = Vector512.LessThan(x, Vector512<float>.Zero);
        if (!backward)
        {
            Vector512<float> below = x * 0.5f * tail * gauss * gaussScale;
            Vector512<float> above = x * (V16(1f) - tail * 0.5f * gauss * gaussScale);
            return Vector512.ConditionalSelect(negative, below, above);
        }
        // gelu'(x) = Φ(x) + x·φ(x); below zero both terms carry e^{-a²}: (t·e^P/2 + x/√(2π))·e^{-a²}.
        Vector512<float> belowD = g * Fma(x, V16(InvSqrtTwoPi), tail * 0.5f) * gauss * gaussScale;
        Vector512<float> aboveD = g * Fma(x * InvSqrtTwoPi * gauss, gaussScale, V16(1f) - tail * 0.5f * gauss * gaussScale);
        return Vector512.ConditionalSelect(negative, belowD, aboveD);
    }

    // The same exp as Exp above (Note [GELU's exp]), sixteen lanes.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp(Vector512<float> v, out Vector512<float> scale)
    {
        const float Log2E = 1.44269504088896341f, Ln2Hi = 0.693359375f, Ln2Lo = -2.12194440e-4f, Shifter = 12582912f;
        Vector512<float> under = Vector512.LessThan(v, V16(-104f));
        v = Vector512.ConditionalSelect(under, V16(-104f), v);
        Vector512<float> shifted = Fma(v, V16(Log2E), V16(Shifter));
        Vector512<float> k = shifted - V16(Shifter);
        Vector512<float> r = Fma(k, V16(-Ln2Lo), Fma(k, V16(-Ln2Hi), v));
        Vector512<float> r2 = r * r;
        Vector512<float> even = Fma(Fma(Fma(V16(1f / 720), r2, V16(1f / 24)), r2, V16(0.5f)), r2, V16(1f));
        Vector512<float> odd = Fma(Fma(Fma(V16(1f / 5040), r2, V16(1f / 120)), r2, V16(1f / 6)), r2, V16(1f));
        Vector512<float> er = Fma(r, odd, even);
        Vector512<int> ki = shifted.AsInt32() - Vector512.Create(0x4B400000);
        Vector512<int> k1 = Vector512.ShiftRightArithmetic(ki, 1), k2 = ki - k1;
        scale = Vector512.ConditionalSelect(under, Vector512<float>.Zero, Vector512.ShiftLeft(k2 + Vector512.Create(127), 23).AsSingle());
        return er * Vector512.ShiftLeft(k1 + Vector512.Create(127), 23).AsSingle();
    }
}
