using System.Numerics;

namespace Nabla.Kernels;

/// <summary>
/// Adaptive pooling bins: output cell <c>i</c> of <c>outSize</c> covers input positions <c>floor(i*in/out) .. ceil((i+1)*in/out) - 1</c>
/// (bins may overlap, and <c>out &gt; in</c> is allowed), and the max-pooling kernel over them.
/// </summary>
internal static class AdaptivePool
{
    /// <summary>The first position of bin <paramref name="i"/>: <c>floor(i*in/out)</c>.</summary>
    public static int Start(int i, int inSize, int outSize) => (int)((long)i * inSize / outSize);

    /// <summary>One past the last position of bin <paramref name="i"/>: <c>ceil((i+1)*in/out)</c>.</summary>
    public static int End(int i, int inSize, int outSize) => (int)(((long)(i + 1) * inSize + outSize - 1) / outSize);

    /// <summary>
    /// For each <c>[OH, OW]</c> bin of an <c>[H, W]</c> plane, its maximum and the flat index <c>h*W + w</c> of it: the first maximum wins ties and a
    /// NaN wins over numbers (the last NaN of the bin), as in PyTorch.
    /// </summary>
    public static void MaxForward<T>(ReadOnlySpan<T> plane, int h, int w, int oh, int ow, Span<T> output, Span<long> indices) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < oh; i++)
        {
            int h0 = Start(i, h, oh), h1 = End(i, h, oh);
            for (int j = 0; j < ow; j++)
            {
                int w0 = Start(j, w, ow), w1 = End(j, w, ow);
                int best = h0 * w + w0;
                T max = T.NegativeInfinity;
                for (int r = h0; r < h1; r++)
                {
                    ReadOnlySpan<T> row = plane.Slice(r * w, w);
                    for (int c = w0; c < w1; c++)
                        if (row[c] > max || T.IsNaN(row[c]))
                        {
                            max = row[c];
                            best = r * w + c;
                        }
                }
                output[i * ow + j] = max;
                indices[i * ow + j] = best;
            }
        }
    }
}
