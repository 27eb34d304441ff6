using System.Numerics;

namespace Nabla.Kernels;

/// <summary>Pooling over one <c>H x W</c> plane at a time, with the windows of a <see cref="Window2d"/>.</summary>
internal static class Pool2d
{
    /// <summary>
    /// For each window, the flat index <c>h*W + w</c> of its maximum (padding never wins; the first maximum wins
    /// ties; NaN wins, so it propagates as in PyTorch).
    /// </summary>
    public static void MaxIndices<T>(ReadOnlySpan<T> plane, in Window2d g, Span<long> indices) where T : IFloatingPointIeee754<T>
    {
        for (int oh = 0; oh < g.OH; oh++)
            for (int ow = 0; ow < g.OW; ow++)
            {
                int best = -1;
                T bestValue = T.NegativeInfinity;
                for (int i = 0, ih = oh * g.SH - g.PH; i < g.KH; i++, ih += g.DH)
                {
                    if ((uint)ih >= (uint)g.H) continue;
                    for (int j = 0, iw = ow * g.SW - g.PW; j < g.KW; j++, iw += g.DW)
                    {
                        if ((uint)iw >= (uint)g.W) continue;
                        int at = ih * g.W + iw;
                        T v = plane[at];
                        if (best < 0 || v > bestValue || T.IsNaN(v))
                        {
                            best = at;
                            bestValue = v;
                            if (T.IsNaN(v)) goto Found;
                        }
                    }
                }
            Found:
                indices[oh * g.OW + ow] = best;
            }
    }

    /// <summary>
    /// The window of output <c>(oh, ow)</c> clipped to the plane, and PyTorch's divisor: the window size clipped
    /// to the padded plane when <paramref name="countIncludePad"/>, else the clipped window's element count.
    /// </summary>
    public static (int H0, int H1, int W0, int W1, int Divisor) AvgWindow(in Window2d g, int oh, int ow, bool countIncludePad)
    {
        int hs = oh * g.SH - g.PH, ws = ow * g.SW - g.PW;
        int he = Math.Min(hs + g.KH, g.H + g.PH), we = Math.Min(ws + g.KW, g.W + g.PW);
        int poolSize = (he - hs) * (we - ws);
        hs = Math.Max(hs, 0);
        ws = Math.Max(ws, 0);
        he = Math.Min(he, g.H);
        we = Math.Min(we, g.W);
        return (hs, he, ws, we, countIncludePad ? poolSize : (he - hs) * (we - ws));
    }

    public static void AvgForward<T>(ReadOnlySpan<T> plane, in Window2d g, bool countIncludePad, Span<T> output) where T : INumber<T>
    {
        for (int oh = 0; oh < g.OH; oh++)
            for (int ow = 0; ow < g.OW; ow++)
            {
                var (h0, h1, w0, w1, divisor) = AvgWindow(g, oh, ow, countIncludePad);
                T sum = T.Zero;
                for (int h = h0; h < h1; h++)
                {
                    ReadOnlySpan<T> row = plane.Slice(h * g.W, g.W);
                    for (int w = w0; w < w1; w++) sum += row[w];
                }
                output[oh * g.OW + ow] = sum / T.CreateTruncating(divisor);
            }
    }

    /// <summary>The adjoint of <see cref="AvgForward{T}"/>: spreads <c>output / divisor</c> over each window, accumulating into <paramref name="plane"/>.</summary>
    public static void AvgAdjoint<T>(ReadOnlySpan<T> output, in Window2d g, bool countIncludePad, Span<T> plane) where T : INumber<T>
    {
        for (int oh = 0; oh < g.OH; oh++)
            for (int ow = 0; ow < g.OW; ow++)
            {
                var (h0, h1, w0, w1, divisor) = AvgWindow(g, oh, ow, countIncludePad);
                T share = output[oh * g.OW + ow] / T.CreateTruncating(divisor);
                for (int h = h0; h < h1; h++)
                {
                    Span<T> row = plane.Slice(h * g.W, g.W);
                    for (int w = w0; w < w1; w++) row[w] += share;
                }
            }
    }
}
