using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

/// <summary>
/// The geometry of a 2-D sliding window over an <c>H x W</c> plane: kernel, stride, padding and dilation
/// per axis and the number of window positions <c>OH x OW</c>. Window <c>(oh, ow)</c>, tap <c>(i, j)</c> reads
/// input row <c>oh*SH - PH + i*DH</c> and column <c>ow*SW - PW + j*DW</c>; positions outside the plane are padding.
/// </summary>
internal readonly record struct Window2d(int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, int H, int W, int OH, int OW)
{
    /// <summary>Output length of one axis: <c>floor((L + 2p - d(k-1) - 1)/s) + 1</c>, or with ceil, minus one if the last window starts past <c>L + p</c>.</summary>
    public static int OutputSize(int length, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        long span = (long)length + 2L * padding - (long)dilation * (kernel - 1) - 1;
        if (span < 0) return 0;
        long o = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceilMode && (o - 1) * stride >= length + padding) o--;
        return (int)o;
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
        int lb = (oh1 - oh0) * g.OW, row = 0;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<T> plane = image.Slice(c * g.H * g.W, g.H * g.W);
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++, row++)
                {
                    Span<T> dst = cols.Slice(row * lb, lb);
                    int iw0 = j * g.DW - g.PW;
                    var (lo, hi) = ValidColumns(g, iw0);
                    for (int oh = oh0; oh < oh1; oh++)
                    {
                        Span<T> dstRow = dst.Slice((oh - oh0) * g.OW, g.OW);
                        int ih = oh * g.SH - g.PH + i * g.DH;
                        if ((uint)ih >= (uint)g.H) { dstRow.Clear(); continue; }
                        ReadOnlySpan<T> src = plane.Slice(ih * g.W, g.W);
                        if (g.SW == 1)
                        {
                            // Columns lo..hi-1 read iw0+lo .. iw0+hi-1 contiguously; the rest is padding.
                            dstRow[..lo].Clear();
                            src.Slice(iw0 + lo, hi - lo).CopyTo(dstRow[lo..hi]);
                            dstRow[hi..].Clear();
                            continue;
                        }
                        int iw = iw0;
                        for (int ow = 0; ow < g.OW; ow++, iw += g.SW)
                            dstRow[ow] = (uint)iw < (uint)g.W ? src[iw] : T.Zero;
                    }
                }
        }
    }

    /// <summary>The adjoint of the band form of <see cref="Unfold{T}(ReadOnlySpan{T}, int, in Window2d, int, int, Span{T})"/>: accumulates into <paramref name="image"/>.</summary>
    public static void Fold<T>(ReadOnlySpan<T> cols, int channels, in Window2d g, int oh0, int oh1, Span<T> image) where T : INumber<T>
    {
        int lb = (oh1 - oh0) * g.OW, row = 0;
        for (int c = 0; c < channels; c++)
        {
            Span<T> plane = image.Slice(c * g.H * g.W, g.H * g.W);
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++, row++)
                {
                    ReadOnlySpan<T> src = cols.Slice(row * lb, lb);
                    int iw0 = j * g.DW - g.PW;
                    var (lo, hi) = ValidColumns(g, iw0);
                    for (int oh = oh0; oh < oh1; oh++)
                    {
                        int ih = oh * g.SH - g.PH + i * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        Span<T> dst = plane.Slice(ih * g.W, g.W);
                        ReadOnlySpan<T> srcRow = src.Slice((oh - oh0) * g.OW, g.OW);
                        if (g.SW == 1)
                        {
                            if (hi > lo)
                            {
                                Span<T> d = dst.Slice(iw0 + lo, hi - lo);
                                TensorPrimitives.Add(d, srcRow[lo..hi], d);
                            }
                            continue;
                        }
                        int iw = iw0;
                        for (int ow = 0; ow < g.OW; ow++, iw += g.SW)
                            if ((uint)iw < (uint)g.W) dst[iw] += srcRow[ow];
                    }
                }
        }
    }

    /// <summary>For stride 1 along W: the window columns <c>[lo, hi)</c> whose tap column <c>iw0 + ow</c> lies inside the plane.</summary>
    private static (int Lo, int Hi) ValidColumns(in Window2d g, int iw0)
    {
        int lo = Math.Clamp(-iw0, 0, g.OW);
        int hi = Math.Clamp(g.W - iw0, lo, g.OW);
        return (lo, hi);
    }
}
