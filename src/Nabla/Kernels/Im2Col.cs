using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// The geometry of a 2-D sliding window over an <c>H x W</c> plane: kernel, stride, padding and dilation
/// per axis and the number of window positions <c>OH x OW</c>. Window <c>(oh, ow)</c>, tap <c>(i, j)</c> reads
/// input row <c>oh*SH - PH + i*DH</c> and column <c>ow*SW - PW + j*DW</c>; positions outside the plane are padding.
/// </summary>
internal readonly record struct Window2d(int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, int H, int W, int OH, int OW)
{
    /// <summary>
    /// Output length of one axis, PyTorch's rule: <c>floor((L + 2p - d(k-1) - 1)/s) + 1</c>, or with ceil <c>ceil(...)</c> minus one if the last
    /// window would start at or beyond <c>L + p</c>. The division rounds toward -inf, so with ceil a dilated kernel longer than the padded
    /// axis still gets the one window starting inside it; 0 when no window fits.
    /// </summary>
    public static int OutputSize(int length, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        long span = (long)length + 2L * padding - (long)dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long o = Math.DivRem(span, stride, out long rem) - (rem < 0 ? 1 : 0) + 1;
        if (ceilMode && o > 0 && (o - 1) * stride >= length + padding) o--;
        return (int)Math.Clamp(o, 0, int.MaxValue);
    }

    /// <summary>True when every window is the single pixel under it (1x1 kernel, stride 1, no padding): im2col is the identity.</summary>
    public bool IsPointwise => KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;
}

/// <summary>
/// im2col / col2im: lay each window of a <c>[C, H, W]</c> image out as a column of a <c>[C*KH*KW, OH*OW]</c>
/// matrix (row <c>(c*KH + i)*KW + j</c>, column <c>oh*OW + ow</c>; padding reads as zero), and its adjoint,
/// which adds each column entry back onto the pixel it came from. The band forms cover only the window
/// rows <c>oh0 .. oh1-1</c>, whose columns form a <c>[C*KH*KW, (oh1-oh0)*OW]</c> matrix.
/// </summary>
internal static class Im2Col
{
    public static void Unfold<T>(ReadOnlySpan<T> image, int channels, in Window2d g, Span<T> cols) where T : INumber<T>
        => Unfold(image, channels, g, 0, g.OH, cols);

    /// <summary>The adjoint of <see cref="Unfold{T}(ReadOnlySpan{T}, int, in Window2d, Span{T})"/>: accumulates into <paramref name="image"/> (which the caller zeroes).</summary>
    public static void Fold<T>(ReadOnlySpan<T> cols, int channels, in Window2d g, Span<T> image) where T : INumber<T>
        => Fold(cols, channels, g, 0, g.OH, image);

    /// <summary>im2col of the window rows <c>[oh0, oh1)</c> into <paramref name="cols"/>, <c>[channels*KH*KW, (oh1-oh0)*OW]</c>.</summary>
    public static void Unfold<T>(ReadOnlySpan<T> image, int channels, in Window2d g, int oh0, int oh1, Span<T> cols) where T : INumber<T>
    {
        int lb = (oh1 - oh0) * g.OW, row = 0, plane = g.H * g.W;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < g.KH; i++)
            {
                var (ohLo, ohHi) = ValidRows(g, i, oh0, oh1);
                for (int j = 0; j < g.KW; j++, row++)
                {
                    int dst = row * lb, iw0 = j * g.DW - g.PW;
                    // Window rows whose tap row falls in the padding are zero (the trailing ones cleared after the
                    // copies, which may write past their runs).
                    if (ohLo > oh0) cols.Slice(dst, (ohLo - oh0) * g.OW).Clear();
                    if (ohLo < ohHi)
                    {
                        int src = c * plane + (ohLo * g.SH - g.PH + i * g.DH) * g.W + iw0, at = dst + (ohLo - oh0) * g.OW;
                        if (g.SW == 1)
                        {
                            var (lo, hi) = ValidColumns(g, iw0);
                            CopyRuns(image, src, g.SH * g.W, cols, at, g.OW, ohHi - ohLo, lo, hi);
                        }
                        else
                        {
                            for (int oh = ohLo; oh < ohHi; oh++, src += g.SH * g.W, at += g.OW)
                                for (int ow = 0, iw = iw0; ow < g.OW; ow++, iw += g.SW)
                                    cols[at + ow] = (uint)iw < (uint)g.W ? image[src + iw - iw0] : T.Zero;
                        }
                    }
                    if (ohHi < oh1) cols.Slice(dst + (ohHi - oh0) * g.OW, (oh1 - ohHi) * g.OW).Clear();
                }
            }
    }

    /// <summary>The adjoint of the band form of <see cref="Unfold{T}(ReadOnlySpan{T}, int, in Window2d, int, int, Span{T})"/>: accumulates into <paramref name="image"/>.</summary>
    public static void Fold<T>(ReadOnlySpan<T> cols, int channels, in Window2d g, int oh0, int oh1, Span<T> image) where T : INumber<T>
    {
        int lb = (oh1 - oh0) * g.OW, row = 0, plane = g.H * g.W;
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < g.KH; i++)
            {
                var (ohLo, ohHi) = ValidRows(g, i, oh0, oh1);
                for (int j = 0; j < g.KW; j++, row++)
                {
                    if (ohLo >= ohHi) continue;
                    int iw0 = j * g.DW - g.PW;
                    int dst = c * plane + (ohLo * g.SH - g.PH + i * g.DH) * g.W + iw0, src = row * lb + (ohLo - oh0) * g.OW;
                    if (g.SW == 1)
                    {
                        var (lo, hi) = ValidColumns(g, iw0);
                        AddRuns(cols, src, g.OW, image, dst, g.SH * g.W, ohHi - ohLo, lo, hi);
                        continue;
                    }
                    for (int oh = ohLo; oh < ohHi; oh++, src += g.OW, dst += g.SH * g.W)
                        for (int ow = 0, iw = iw0; ow < g.OW; ow++, iw += g.SW)
                            if ((uint)iw < (uint)g.W) image[dst + iw - iw0] += cols[src + ow];
                }
            }
    }

    /// <summary>The window rows in <c>[oh0, oh1)</c> whose tap row <c>oh*SH - PH + i*DH</c> lies inside the plane, as <c>[lo, hi)</c>.</summary>
    private static (int Lo, int Hi) ValidRows(in Window2d g, int i, int oh0, int oh1)
    {
        int start = i * g.DH - g.PH;
        int lo = start >= 0 ? 0 : (-start + g.SH - 1) / g.SH;
        int hi = g.H - 1 - start < 0 ? 0 : (g.H - 1 - start) / g.SH + 1;
        lo = Math.Clamp(lo, oh0, oh1);
        return (lo, Math.Clamp(hi, lo, oh1));
    }

    // NOTE: the runs are short (a window row: 11 values in the cnn preset's second layer), where a call to a general
    // copy or add costs more than the work, so they move in whole vectors whenever the vectors of the last run stay
    // inside both spans. A copy may write up to a vector past the end of its run: Unfold fills cols in increasing
    // order, so whatever it overwrites there is written again later (the trailing padding is cleared after the
    // copy). An add blends its last vector, writing the lanes past its run back unchanged; those lie inside the
    // caller's image, which no other thread touches.

    /// <summary>
    /// <paramref name="runs"/> window rows of stride-1 taps: run r copies <c>src[s + r·sStep + lo ..hi)</c> to
    /// <c>dst[d + r·dStep + lo ..hi)</c> and zeroes the rest of <c>dst[d + r·dStep .. + dStep)</c> (padding columns).
    /// </summary>
    private static void CopyRuns<T>(ReadOnlySpan<T> src, int s, int sStep, Span<T> dst, int d, int dStep, int runs, int lo, int hi) where T : INumber<T>
    {
        int vl = Vector512<T>.Count, count = hi - lo, whole = (count + vl - 1) / vl * vl;
        int vectorRuns = VectorRuns<T>(src.Length - (s + lo + whole), sStep, dst.Length - (d + lo + whole), dStep, runs);
        ref T sr = ref MemoryMarshal.GetReference(src);
        ref T dr = ref MemoryMarshal.GetReference(dst);
        int r = 0;
        if (lo == 0 && hi == dStep && count <= vl)
        {
            // No padding columns and one vector per run (the usual narrow layer): nothing but the moves.
            for (; r < vectorRuns; r++, s += sStep, d += dStep)
                Vector512.LoadUnsafe(ref sr, (nuint)s).StoreUnsafe(ref dr, (nuint)d);
        }
        for (; r < runs; r++, s += sStep, d += dStep)
        {
            if (lo > 0) dst.Slice(d, lo).Clear();
            if (r < vectorRuns)
                for (int q = lo; q < hi; q += vl)
                    Vector512.LoadUnsafe(ref sr, (nuint)(s + q)).StoreUnsafe(ref dr, (nuint)(d + q));
            else
                src.Slice(s + lo, count).CopyTo(dst.Slice(d + lo, count));
            if (hi < dStep) dst.Slice(d + hi, dStep - hi).Clear();
        }
    }

    /// <summary>The adjoint of <see cref="CopyRuns{T}"/>: run r adds <c>src[s + r·sStep + lo ..hi)</c> onto <c>dst[d + r·dStep + lo ..hi)</c>, element by element in order.</summary>
    private static void AddRuns<T>(ReadOnlySpan<T> src, int s, int sStep, Span<T> dst, int d, int dStep, int runs, int lo, int hi) where T : INumber<T>
    {
        int vl = Vector512<T>.Count, count = hi - lo, whole = (count + vl - 1) / vl * vl;
        if (count <= 0) return;
        int vectorRuns = VectorRuns<T>(src.Length - (s + lo + whole), sStep, dst.Length - (d + lo + whole), dStep, runs);
        ref T sr = ref MemoryMarshal.GetReference(src);
        ref T dr = ref MemoryMarshal.GetReference(dst);
        int full = count / vl * vl;
        Vector512<T> tail = FirstLanes<T>(count - full);
        int r = 0;
        if (full == 0)
        {
            // One partial vector per run (the usual narrow layer). Consecutive runs are taken `apart` runs apart so that
            // a load never overlaps the store just before it (a stalled store-to-load forward cost more than the add);
            // each run is still one load-add-store of current values, so the order does not change any sum.
            int apart = Math.Max(1, (vl + dStep - 1) / dStep);
            for (int phase = 0; phase < apart; phase++)
                for (int q = phase; q < vectorRuns; q += apart)
                {
                    nuint at = (nuint)(d + q * dStep + lo);
                    Vector512<T> old = Vector512.LoadUnsafe(ref dr, at);
                    Vector512.ConditionalSelect(tail, old + Vector512.LoadUnsafe(ref sr, (nuint)(s + q * sStep + lo)), old).StoreUnsafe(ref dr, at);
                }
            s += vectorRuns * sStep;
            d += vectorRuns * dStep;
            r = vectorRuns;
        }
        for (; r < runs; r++, s += sStep, d += dStep)
        {
            if (r < vectorRuns)
            {
                int q = 0;
                for (; q < full; q += vl)
                    (Vector512.LoadUnsafe(ref dr, (nuint)(d + lo + q)) + Vector512.LoadUnsafe(ref sr, (nuint)(s + lo + q))).StoreUnsafe(ref dr, (nuint)(d + lo + q));
                if (q < count)
                {
                    Vector512<T> old = Vector512.LoadUnsafe(ref dr, (nuint)(d + lo + q));
                    Vector512.ConditionalSelect(tail, old + Vector512.LoadUnsafe(ref sr, (nuint)(s + lo + q)), old).StoreUnsafe(ref dr, (nuint)(d + lo + q));
                }
            }
            else
            {
                for (int q = lo; q < hi; q++) dst[d + q] += src[s + q];
            }
        }
    }

    /// <summary>How many leading runs can move in whole vectors: run r needs <c>r·sStep &lt;= srcRoom</c> and <c>r·dStep &lt;= dstRoom</c>.</summary>
    private static int VectorRuns<T>(int srcRoom, int sStep, int dstRoom, int dStep, int runs)
    {
        if (!Vector512.IsHardwareAccelerated || !Vector512<T>.IsSupported || srcRoom < 0 || dstRoom < 0) return 0;
        return Math.Min(runs, Math.Min(srcRoom / sStep, dstRoom / dStep) + 1);
    }

    /// <summary>A mask of the first <paramref name="count"/> lanes (all bits set) of a 512-bit vector of <typeparamref name="T"/>.</summary>
    private static Vector512<T> FirstLanes<T>(int count) => Unsafe.SizeOf<T>() == 4
        ? Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).As<int, T>()
        : Vector512.LessThan(Vector512<long>.Indices, Vector512.Create((long)count)).As<long, T>();

    /// <summary>For stride 1 along W: the window columns <c>[lo, hi)</c> whose tap column <c>iw0 + ow</c> lies inside the plane.</summary>
    private static (int Lo, int Hi) ValidColumns(in Window2d g, int iw0)
    {
        int lo = Math.Clamp(-iw0, 0, g.OW);
        int hi = Math.Clamp(g.W - iw0, lo, g.OW);
        return (lo, hi);
    }
}
