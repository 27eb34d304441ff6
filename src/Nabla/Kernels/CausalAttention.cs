using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>
/// The matrices of one attention operand over a batch: item <c>b</c>'s row <c>i</c> starts at
/// <c>Data[Offsets[b] + i·Ld]</c> and its elements are consecutive (unit column stride). Offsets may repeat (a
/// broadcast operand is read in place for every item).
/// </summary>
internal readonly record struct AttentionOperand<T>(T[] Data, int[] Offsets, int Ld)
{
    /// <summary>The rows of item <paramref name="b"/> from row <paramref name="row"/> on.</summary>
    public ReadOnlySpan<T> From(int b, int row) => Data.AsSpan(Offsets[b] + row * Ld);
}

// Note [Fused causal attention]
// softmax(scale·q·kᵀ + causal)·v without an L×S tensor. Each batch item runs alone (items split over threads; within an
// item the work is sequential, so results do not depend on the thread count). Queries go in blocks of BlockRows rows;
// a block [r0, r1) sees keys [0, min(r1, S)) only (top-left aligned causality: row i sees 0..min(i, S-1)), so whole key
// blocks above the diagonal are never computed. Per block, one GEMM makes the scores in a scratch of BlockRows×S
// (reused, never saved), one row pass turns them into probabilities and the row's logsumexp, one GEMM multiplies by v.
// Backward saves q, k, v, the output and the logsumexp per row only (FlashAttention's idea): it recomputes each
// block's probabilities as exp(scale·q·kᵀ - lse), takes D_i = dO_i·O_i (= Σ_j P_ij dP_ij) for the softmax's row
// term, and runs five GEMMs per block (scores, dP, dV += Pᵀ·dO, dQ = dS·k, dK += dSᵀ·q), accumulating dK and dV
// over the query blocks of the item in order.

/// <summary>The fused causal attention kernels (see Note [Fused causal attention]).</summary>
internal static class CausalAttention
{
    /// <summary>Query rows per block: the M of the block GEMMs.</summary>
    public const int BlockRows = 64;

    /// <summary>
    /// <c>o[b] = softmax(scale·q[b]·k[b]ᵀ + causal)·v[b]</c> for every item <c>b</c> of <paramref name="batches"/>;
    /// <paramref name="o"/> is contiguous <c>[batches, l, ev]</c>, <paramref name="lse"/> <c>[batches, l]</c> receives
    /// each row's log-sum-exp of the scaled, masked scores. Requires <c>l, s, e, ev &gt; 0</c>.
    /// </summary>
    public static void Forward<T>(int batches, int l, int s, int e, int ev, T scale,
        AttentionOperand<T> q, AttentionOperand<T> k, AttentionOperand<T> v, T[] o, T[] lse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForItems<T>(batches, s, (long)l * s * (e + ev), 1, (b, scratch, threads) =>
        {
            for (int r0 = 0; r0 < l; r0 += BlockRows)
            {
                int rows = Math.Min(BlockRows, l - r0), keys = Math.Min(r0 + rows, s);
                Span<T> p = scratch.AsSpan(0, rows * keys);
                Gemm.Multiply(false, true, rows, keys, e, scale, q.From(b, r0), q.Ld, k.From(b, 0), k.Ld, T.Zero, p, keys, threads);
                for (int i = 0; i < rows; i++)
                {
                    Span<T> row = p.Slice(i * keys, keys);
                    int valid = Math.Min(r0 + i + 1, s);
                    Span<T> live = row[..valid];
                    // NOTE: subtracting the row max keeps exp in range; every row has at least key 0.
                    T max = TensorPrimitives.Max(live);
                    TensorPrimitives.Subtract(live, max, live);
                    TensorPrimitives.Exp(live, live);
                    T sum = TensorPrimitives.Sum(live);
                    TensorPrimitives.Divide(live, sum, live);
                    row[valid..].Clear();
                    lse[b * l + r0 + i] = max + T.Log(sum);
                }
                Gemm.Multiply(false, false, rows, ev, keys, T.One, p, keys, v.From(b, 0), v.Ld, T.Zero,
                    o.AsSpan((b * l + r0) * ev, rows * ev), ev, threads);
            }
        });
    }

    /// <summary>
    /// The gradients of <see cref="Forward{T}"/> given the upstream gradient <paramref name="g"/> (<c>[batches, l, ev]</c>
    /// rows); writes <paramref name="dq"/> <c>[batches, l, e]</c> and accumulates into the zeroed <paramref name="dk"/>
    /// <c>[batches, s, e]</c> and <paramref name="dv"/> <c>[batches, s, ev]</c>, all contiguous.
    /// </summary>
    public static void Backward<T>(int batches, int l, int s, int e, int ev, T scale,
        AttentionOperand<T> q, AttentionOperand<T> k, AttentionOperand<T> v, T[] o, T[] lse, AttentionOperand<T> g,
        T[] dq, T[] dk, T[] dv)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ForItems<T>(batches, s, 2L * l * s * (e + ev), 2, (b, scratch, threads) =>
        {
            Span<T> dkItem = dk.AsSpan(b * s * e, s * e), dvItem = dv.AsSpan(b * s * ev, s * ev);
            for (int r0 = 0; r0 < l; r0 += BlockRows)
            {
                int rows = Math.Min(BlockRows, l - r0), keys = Math.Min(r0 + rows, s);
                Span<T> p = scratch.AsSpan(0, rows * keys), ds = scratch.AsSpan(BlockRows * s, rows * keys);
                ReadOnlySpan<T> qBlock = q.From(b, r0), gBlock = g.From(b, r0);
                Gemm.Multiply(false, true, rows, keys, e, scale, qBlock, q.Ld, k.From(b, 0), k.Ld, T.Zero, p, keys, threads);
                Gemm.Multiply(false, true, rows, keys, ev, T.One, gBlock, g.Ld, v.From(b, 0), v.Ld, T.Zero, ds, keys, threads);
                for (int i = 0; i < rows; i++)
                {
                    int valid = Math.Min(r0 + i + 1, s), r = b * l + r0 + i;
                    Span<T> pr = p.Slice(i * keys, keys), dsr = ds.Slice(i * keys, keys);
                    Span<T> live = pr[..valid], dlive = dsr[..valid];
                    TensorPrimitives.Subtract(live, lse[r], live);
                    TensorPrimitives.Exp(live, live);
                    pr[valid..].Clear();
                    // dS = P∘(dP - D)·scale with D_i = dO_i·O_i
                    T d = TensorPrimitives.Dot(gBlock.Slice(i * g.Ld, ev), o.AsSpan(r * ev, ev));
                    TensorPrimitives.Subtract(dlive, d, dlive);
                    TensorPrimitives.Multiply(dlive, live, dlive);
                    TensorPrimitives.Multiply(dlive, scale, dlive);
                    dsr[valid..].Clear();
                }
                Gemm.Multiply(true, false, keys, ev, rows, T.One, p, keys, gBlock, g.Ld, T.One, dvItem, ev, threads);
                Gemm.Multiply(false, false, rows, e, keys, T.One, ds, keys, k.From(b, 0), k.Ld, T.Zero,
                    dq.AsSpan((b * l + r0) * e, rows * e), e, threads);
                Gemm.Multiply(true, false, keys, e, rows, T.One, ds, keys, qBlock, q.Ld, T.One, dkItem, e, threads);
            }
        });
    }

    /// <summary>
    /// Runs <c>body(item, scratch, gemmThreads)</c> for every item, the items split over the thread budget when the
    /// work pays for it (then each GEMM runs on one thread), each chunk with its own scratch of
    /// <paramref name="blocks"/>·BlockRows·S elements.
    /// </summary>
    private static void ForItems<T>(int batches, int s, long workPerItem, int blocks, Action<int, T[], int> body)
    {
        int parts = batches < 2 ? 1 : Math.Min(batches, Chunked.Parts(workPerItem * batches, (int)Gemm.ParallelThreshold, ThreadBudget.KernelThreads));
        int scratchLength = checked(blocks * BlockRows * s);
        Chunked.For(batches, 1, parts, (start, count) =>
        {
            T[] scratch = ArrayPool<T>.Shared.Rent(scratchLength);
            try
            {
                for (int b = start; b < start + count; b++) body(b, scratch, parts > 1 ? 1 : 0);
            }
            finally
            {
                ArrayPool<T>.Shared.Return(scratch);
            }
        });
    }
}
