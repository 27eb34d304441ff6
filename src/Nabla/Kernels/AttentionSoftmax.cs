using Nabla.Runtime;
using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

/// <summary>
/// How the rows of attention scores <c>[batches, L, S]</c> are masked: causally (key <c>j</c> takes part in row <c>i</c>
/// when <c>j &lt;= i</c>), by a bool mask (true = takes part) or by an additive float mask, each mask read through a
/// broadcast view (per-batch offsets, a stride along L and one along S) so it is never materialised per batch item.
/// </summary>
internal readonly record struct ScoreMask<T>(bool Causal, T[]? Add, bool[]? Keep, int[]? BatchOffsets, int StrideL, int StrideS);

/// <summary>The row pass of scaled dot-product attention: scale, mask and softmax of each row of scores, in place.</summary>
internal static class AttentionSoftmax
{
    /// <summary>
    /// For each row of <paramref name="scores"/> (<c>[batches, l, s]</c>, contiguous): <c>x = scale·x</c>, the mask
    /// applied (masked entries <c>-inf</c>, or the float mask added), then softmax. A row whose keys are all masked
    /// becomes NaN, as in PyTorch. Rows are split across threads from
    /// <see cref="Chunked.TranscendentalThreshold"/> elements (see Note [Elementwise threads]).
    /// </summary>
    public static void Softmax<T>(T[] scores, int batches, int l, int s, T scale, ScoreMask<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = batches * l;
        if (rows == 0 || s == 0) return;
        int parts = Chunked.Parts((long)rows * s, Chunked.TranscendentalThreshold, ThreadBudget.KernelThreads);
        if (parts <= 1) Rows(scores, 0, rows, l, s, scale, mask);
        else Chunked.For(rows, 1, parts, (start, count) => Rows(scores, start, count, l, s, scale, mask));
    }

    private static void Rows<T>(T[] scores, int start, int count, int l, int s, T scale, ScoreMask<T> mask)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = start; r < start + count; r++)
        {
            int b = r / l, i = r - b * l;
            Span<T> row = scores.AsSpan(r * s, s);
            // Causal masking is top-left aligned: row i sees keys 0..min(i, s - 1), also when l != s.
            int valid = mask.Causal ? Math.Min(i + 1, s) : s;
            Span<T> live = row[..valid];
            row[valid..].Clear();
            TensorPrimitives.Multiply(live, scale, live);
            if (mask.BatchOffsets is { } offsets)
            {
                int off = offsets[b] + i * mask.StrideL, step = mask.StrideS;
                if (mask.Add is { } add)
                {
                    if (step == 1) TensorPrimitives.Add(live, add.AsSpan(off, valid), live);
                    else for (int j = 0; j < valid; j++) live[j] += add[off + j * step];
                }
                else if (mask.Keep is { } keep)
                {
                    for (int j = 0; j < valid; j++)
                        if (!keep[off + j * step]) live[j] = T.NegativeInfinity;
                }
            }
            // NOTE: subtracting the row max keeps exp in range; a row with no finite score keeps its -inf/NaN, so
            // a fully masked row is 0/0 = NaN as in PyTorch rather than a made-up distribution.
            T max = TensorPrimitives.Max(live);
            if (!T.IsFinite(max)) max = T.Zero;
            TensorPrimitives.Subtract(live, max, live);
            TensorPrimitives.Exp(live, live);
            TensorPrimitives.Divide(live, TensorPrimitives.Sum(live), live);
        }
    }
}
