using System.Numerics;

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
}

/// <summary>
/// im2col / col2im: lay each window of a <c>[C, H, W]</c> image out as a column of a <c>[C*KH*KW, OH*OW]</c>
/// matrix (row <c>(c*KH + i)*KW + j</c>, column <c>oh*OW + ow</c>; padding reads as zero), and its adjoint,
/// which adds each column entry back onto the pixel it came from.
/// </summary>
internal static class Im2Col
{
    public static void Unfold<T>(ReadOnlySpan<T> image, int channels, in Window2d g, Span<T> cols) where T : INumber<T>
    {
        int l = g.OH * g.OW, row = 0;
        for (int c = 0; c < channels; c++)
        {
            ReadOnlySpan<T> plane = image.Slice(c * g.H * g.W, g.H * g.W);
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++, row++)
                {
                    Span<T> dst = cols.Slice(row * l, l);
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        Span<T> dstRow = dst.Slice(oh * g.OW, g.OW);
                        int ih = oh * g.SH - g.PH + i * g.DH;
                        if ((uint)ih >= (uint)g.H) { dstRow.Clear(); continue; }
                        ReadOnlySpan<T> src = plane.Slice(ih * g.W, g.W);
                        int iw = j * g.DW - g.PW;
                        if (g.SW == 1 && iw >= 0 && iw + g.OW <= g.W) { src.Slice(iw, g.OW).CopyTo(dstRow); continue; }
                        for (int ow = 0; ow < g.OW; ow++, iw += g.SW)
                            dstRow[ow] = (uint)iw < (uint)g.W ? src[iw] : T.Zero;
                    }
                }
        }
    }

    /// <summary>The adjoint of <see cref="Unfold{T}"/>: accumulates into <paramref name="image"/> (which the caller zeroes).</summary>
    public static void Fold<T>(ReadOnlySpan<T> cols, int channels, in Window2d g, Span<T> image) where T : INumber<T>
    {
        int l = g.OH * g.OW, row = 0;
        for (int c = 0; c < channels; c++)
        {
            Span<T> plane = image.Slice(c * g.H * g.W, g.H * g.W);
            for (int i = 0; i < g.KH; i++)
                for (int j = 0; j < g.KW; j++, row++)
                {
                    ReadOnlySpan<T> src = cols.Slice(row * l, l);
                    for (int oh = 0; oh < g.OH; oh++)
                    {
                        int ih = oh * g.SH - g.PH + i * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        Span<T> dst = plane.Slice(ih * g.W, g.W);
                        ReadOnlySpan<T> srcRow = src.Slice(oh * g.OW, g.OW);
                        int iw = j * g.DW - g.PW;
                        for (int ow = 0; ow < g.OW; ow++, iw += g.SW)
                            if ((uint)iw < (uint)g.W) dst[iw] += srcRow[ow];
                    }
                }
        }
    }
}
