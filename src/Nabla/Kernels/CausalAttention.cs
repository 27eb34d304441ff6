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

    /// <summary>The rows of item <paramref name="b"/> from row <paramref name="row"/> on, to write (an output operand).</summary>
    public Span<T> Rows(int b, int row) => Data.AsSpan(Offsets[b] + row * Ld);
}

/// <summary>
/// Where <see cref="CausalAttention.BackwardHalf{TH}"/> puts one gradient: rounded into 16-bit <see cref="Half"/> storage,
/// or kept in float32 <see cref="Wide"/> storage (exactly one of the two is set).
/// </summary>
internal readonly record struct HalfSink<TH>(TH[]? Half, float[]? Wide, int[] Offsets, int Ld) where TH : unmanaged
{
    /// <summary>Stores item <paramref name="b"/>'s float32 gradient (<paramref name="rows"/> contiguous rows of <paramref name="cols"/>) at its rows.</summary>
    public void Write(ReadOnlySpan<float> item, int b, int rows, int cols)
    {
        if (Half is not null)
        {
            CausalAttention.NarrowRows(item, rows, cols, Half, Offsets[b], Ld);
            return;
        }
        for (int i = 0; i < rows; i++) item.Slice(i * cols, cols).CopyTo(Wide.AsSpan(Offsets[b] + i * Ld, cols));
    }
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

// Note [Half fused attention]
// On bfloat16 or float16 q, k, v the fused kernel runs its float32 item code on a float32 scratch per item (q, k, v,
// and in backward the output, the upstream gradient and the item's dQ, dK, dV): widening is exact and every GEMM and
// row pass is the float32 one, so the output and the log-sum-exps are those of widening the whole tensors first
// (Note [Half compute]), and each result is rounded once. What differs is what the graph keeps: the 16-bit q, k, v (in
// GPT, views of the attention projection's output, which nothing else holds) and the 16-bit output, plus the float32
// log-sum-exp, instead of float32 copies of all four. Backward's row term D_i = dO_i·O_i then reads the rounded
// output, a relative change of at most one 16-bit rounding in D_i; everything else matches the widened form. The
// gradient of a broadcast operand (k or v shared by several items) stays float32 until the items are summed, then is
// rounded once, as widening first would do.

/// <summary>The fused causal attention kernels (see Note [Fused causal attention]).</summary>
internal static class CausalAttention
{
    /// <summary>Query rows per block: the M of the block GEMMs.</summary>
    public const int BlockRows = 64;

    /// <summary>
    /// <c>o[b] = softmax(scale·q[b]·k[b]ᵀ + causal)·v[b]</c> for every item <c>b</c> of <paramref name="batches"/>;
    /// <paramref name="o"/> receives each item's <c>l x ev</c> rows (any row stride), <paramref name="lse"/> <c>[batches, l]</c>
    /// each row's log-sum-exp of the scaled, masked scores. Requires <c>l, s, e, ev &gt; 0</c>.
    /// </summary>
    public static void Forward<T>(int batches, int l, int s, int e, int ev, T scale,
        AttentionOperand<T> q, AttentionOperand<T> k, AttentionOperand<T> v, AttentionOperand<T> o, T[] lse)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ForItems<T>(batches, (long)l * s * (e + ev), checked(BlockRows * s), (b, scratch, threads) =>
            ForwardItem(l, s, e, ev, scale, q, k, v, b, o, lse.AsSpan(b * l, l), scratch, threads));

    /// <summary>
    /// <see cref="Forward{T}"/> on bfloat16 or float16 operands (<typeparamref name="TH"/>), computing in float32: each
    /// item's q, k, v are widened into a float32 scratch, the float32 item runs, and its output is rounded once into
    /// <paramref name="o"/>; <paramref name="lse"/> stays float32 (Note [Half fused attention]).
    /// </summary>
    public static void ForwardHalf<TH>(int batches, int l, int s, int e, int ev, float scale,
        AttentionOperand<TH> q, AttentionOperand<TH> k, AttentionOperand<TH> v, AttentionOperand<TH> o, float[] lse)
        where TH : unmanaged
    {
        int qAt = checked(BlockRows * s), kAt = checked(qAt + l * e), vAt = checked(kAt + s * e), oAt = checked(vAt + s * ev);
        ForItems<float>(batches, (long)l * s * (e + ev), checked(oAt + l * ev), (b, scratch, threads) =>
        {
            AttentionOperand<float> qf = WidenItem(q, b, l, e, scratch, qAt), kf = WidenItem(k, b, s, e, scratch, kAt),
                vf = WidenItem(v, b, s, ev, scratch, vAt);
            Span<float> oItem = scratch.AsSpan(oAt, l * ev);
            ForwardItem(l, s, e, ev, scale, qf, kf, vf, 0, new AttentionOperand<float>(scratch, [oAt], ev), lse.AsSpan(b * l, l), scratch, threads);
            NarrowRows<TH>(oItem, l, ev, o.Data, o.Offsets[b], o.Ld);
        });
    }

    /// <summary>Item <paramref name="b"/> of <see cref="Forward{T}"/>: its output rows (item <paramref name="b"/> of <paramref name="o"/>) and log-sum-exps <paramref name="lse"/>.</summary>
    private static void ForwardItem<T>(int l, int s, int e, int ev, T scale,
        AttentionOperand<T> q, AttentionOperand<T> k, AttentionOperand<T> v, int b, AttentionOperand<T> o, Span<T> lse, T[] scratch, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
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
                lse[r0 + i] = max + T.Log(sum);
            }
            Gemm.Multiply(false, false, rows, ev, keys, T.One, p, keys, v.From(b, 0), v.Ld, T.Zero, o.Rows(b, r0), o.Ld, threads);
        }
    }

    /// <summary>
    /// The gradients of <see cref="Forward{T}"/> given the upstream gradient <paramref name="g"/> (<c>[batches, l, ev]</c>
    /// rows); writes <paramref name="dq"/> (each item's <c>l x e</c> rows) and accumulates into the zeroed
    /// <paramref name="dk"/> (<c>s x e</c>) and <paramref name="dv"/> (<c>s x ev</c>), each with its own row stride.
    /// </summary>
    public static void Backward<T>(int batches, int l, int s, int e, int ev, T scale,
        AttentionOperand<T> q, AttentionOperand<T> k, AttentionOperand<T> v, AttentionOperand<T> o, T[] lse, AttentionOperand<T> g,
        AttentionOperand<T> dq, AttentionOperand<T> dk, AttentionOperand<T> dv)
        where T : unmanaged, IFloatingPointIeee754<T>
        => ForItems<T>(batches, 2L * l * s * (e + ev), checked(2 * BlockRows * s), (b, scratch, threads) =>
            BackwardItem(l, s, e, ev, scale, q, k, v, o, lse.AsSpan(b * l, l), g, b, b, dq, dk, dv, scratch, threads));

    /// <summary>
    /// <see cref="Backward{T}"/> on bfloat16 or float16 operands, output and upstream gradient (<typeparamref name="TH"/>),
    /// computing in float32 with the float32 <paramref name="lse"/> of <see cref="ForwardHalf{TH}"/>: each item is widened
    /// into a float32 scratch, its gradients accumulate there and are rounded once into <paramref name="dq"/>,
    /// <paramref name="dk"/> and <paramref name="dv"/> (which need not be zeroed), or copied whole into a float32 sink
    /// when the operand was broadcast and its items' gradients are still to be summed.
    /// </summary>
    public static void BackwardHalf<TH>(int batches, int l, int s, int e, int ev, float scale,
        AttentionOperand<TH> q, AttentionOperand<TH> k, AttentionOperand<TH> v, AttentionOperand<TH> o, float[] lse, AttentionOperand<TH> g,
        HalfSink<TH> dq, HalfSink<TH> dk, HalfSink<TH> dv)
        where TH : unmanaged
    {
        int qAt, kAt, vAt, oAt, gAt, dqAt, dkAt, dvAt, length;
        checked
        {
            (qAt, kAt, vAt) = (2 * BlockRows * s, 2 * BlockRows * s + l * e, 2 * BlockRows * s + l * e + s * e);
            (oAt, gAt, dqAt) = (vAt + s * ev, vAt + s * ev + l * ev, vAt + s * ev + 2 * l * ev);
            (dkAt, dvAt, length) = (dqAt + l * e, dqAt + l * e + s * e, dqAt + l * e + s * e + s * ev);
        }
        ForItems<float>(batches, 2L * l * s * (e + ev), length, (b, scratch, threads) =>
        {
            AttentionOperand<float> qf = WidenItem(q, b, l, e, scratch, qAt), kf = WidenItem(k, b, s, e, scratch, kAt),
                vf = WidenItem(v, b, s, ev, scratch, vAt), gf = WidenItem(g, b, l, ev, scratch, gAt);
            Span<float> oItem = scratch.AsSpan(oAt, l * ev), dqItem = scratch.AsSpan(dqAt, l * e),
                dkItem = scratch.AsSpan(dkAt, s * e), dvItem = scratch.AsSpan(dvAt, s * ev);
            WidenItem(o, b, l, ev, scratch, oAt);
            dkItem.Clear();
            dvItem.Clear();
            BackwardItem(l, s, e, ev, scale, qf, kf, vf, new AttentionOperand<float>(scratch, [oAt], ev), lse.AsSpan(b * l, l), gf, 0, 0,
                new AttentionOperand<float>(scratch, [dqAt], e), new AttentionOperand<float>(scratch, [dkAt], e),
                new AttentionOperand<float>(scratch, [dvAt], ev), scratch, threads);
            dq.Write(dqItem, b, l, e);
            dk.Write(dkItem, b, s, e);
            dv.Write(dvItem, b, s, ev);
        });
    }

    /// <summary>
    /// One item of <see cref="Backward{T}"/>: item <paramref name="b"/> of the inputs and <paramref name="g"/>, item
    /// <paramref name="ob"/> of the output <paramref name="o"/> and of the gradients; <paramref name="lse"/> is the item's rows.
    /// </summary>
    private static void BackwardItem<T>(int l, int s, int e, int ev, T scale,
        AttentionOperand<T> q, AttentionOperand<T> k, AttentionOperand<T> v, AttentionOperand<T> o, ReadOnlySpan<T> lse,
        AttentionOperand<T> g, int b, int ob, AttentionOperand<T> dq, AttentionOperand<T> dk, AttentionOperand<T> dv, T[] scratch, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r0 = 0; r0 < l; r0 += BlockRows)
        {
            int rows = Math.Min(BlockRows, l - r0), keys = Math.Min(r0 + rows, s);
            Span<T> p = scratch.AsSpan(0, rows * keys), ds = scratch.AsSpan(BlockRows * s, rows * keys);
            ReadOnlySpan<T> qBlock = q.From(b, r0), gBlock = g.From(b, r0);
            Gemm.Multiply(false, true, rows, keys, e, scale, qBlock, q.Ld, k.From(b, 0), k.Ld, T.Zero, p, keys, threads);
            Gemm.Multiply(false, true, rows, keys, ev, T.One, gBlock, g.Ld, v.From(b, 0), v.Ld, T.Zero, ds, keys, threads);
            for (int i = 0; i < rows; i++)
            {
                int valid = Math.Min(r0 + i + 1, s), r = r0 + i;
                Span<T> pr = p.Slice(i * keys, keys), dsr = ds.Slice(i * keys, keys);
                Span<T> live = pr[..valid], dlive = dsr[..valid];
                TensorPrimitives.Subtract(live, lse[r], live);
                TensorPrimitives.Exp(live, live);
                pr[valid..].Clear();
                // dS = P∘(dP - D)·scale with D_i = dO_i·O_i
                T d = TensorPrimitives.Dot(gBlock.Slice(i * g.Ld, ev), o.From(ob, r)[..ev]);
                TensorPrimitives.Subtract(dlive, d, dlive);
                TensorPrimitives.Multiply(dlive, live, dlive);
                TensorPrimitives.Multiply(dlive, scale, dlive);
                dsr[valid..].Clear();
            }
            Gemm.Multiply(true, false, keys, ev, rows, T.One, p, keys, gBlock, g.Ld, T.One, dv.Rows(ob, 0), dv.Ld, threads);
            Gemm.Multiply(false, false, rows, e, keys, T.One, ds, keys, k.From(b, 0), k.Ld, T.Zero, dq.Rows(ob, r0), dq.Ld, threads);
            Gemm.Multiply(true, false, keys, e, rows, T.One, ds, keys, qBlock, q.Ld, T.One, dk.Rows(ob, 0), dk.Ld, threads);
        }
    }

    /// <summary>Item <paramref name="b"/>'s <paramref name="rows"/>×<paramref name="cols"/> matrix of <paramref name="x"/> widened into <paramref name="scratch"/> from <paramref name="at"/>, as a one-item operand.</summary>
    private static unsafe AttentionOperand<float> WidenItem<TH>(AttentionOperand<TH> x, int b, int rows, int cols, float[] scratch, int at)
        where TH : unmanaged
    {
        if (typeof(TH) == typeof(BFloat16) && rows > 0)
        {
            // Short strided rows (a head's 32-64 values): pointer loops, not a span call per row.
            _ = x.From(b, rows - 1)[..cols]; // bounds of the last row
            _ = scratch.AsSpan(at, rows * cols);
            fixed (TH* src = x.Data)
            fixed (float* dst = scratch)
            {
                for (int i = 0; i < rows; i++)
                    HalfConvert.WidenBFloat16((ushort*)(src + x.Offsets[b] + i * x.Ld), dst + at + i * cols, cols);
            }
            return new(scratch, [at], cols);
        }
        for (int i = 0; i < rows; i++)
            ElementwiseHalf.Widen<TH>(x.From(b, i)[..cols], scratch.AsSpan(at + i * cols, cols));
        return new(scratch, [at], cols);
    }

    /// <summary>Rows of an item's float32 result rounded into 16-bit rows at <paramref name="offset"/> with row stride <paramref name="ld"/>.</summary>
    internal static unsafe void NarrowRows<TH>(ReadOnlySpan<float> item, int rows, int cols, TH[] dst, int offset, int ld) where TH : unmanaged
    {
        if (rows == 0) return;
        if (typeof(TH) == typeof(BFloat16))
        {
            _ = dst.AsSpan(offset + (rows - 1) * ld, cols); // bounds of the last row
            _ = item[..(rows * cols)];
            fixed (float* src = item)
            fixed (TH* d = dst)
            {
                for (int i = 0; i < rows; i++) HalfConvert.Narrow(GemmSource.BFloat16, src + i * cols, (ushort*)(d + offset + i * ld), cols);
            }
            return;
        }
        for (int i = 0; i < rows; i++) ElementwiseHalf.Narrow<TH>(item.Slice(i * cols, cols), dst.AsSpan(offset + i * ld, cols));
    }

    /// <summary>
    /// Runs <c>body(item, scratch, gemmThreads)</c> for every item, the items split over the thread budget when the
    /// work pays for it (then each GEMM runs on one thread), each chunk with its own scratch of
    /// <paramref name="scratchLength"/> elements.
    /// </summary>
    private static void ForItems<T>(int batches, long workPerItem, int scratchLength, Action<int, T[], int> body)
    {
        int parts = batches < 2 ? 1 : Math.Min(batches, Chunked.Parts(workPerItem * batches, (int)Gemm.ParallelThreshold, ThreadBudget.KernelThreads));
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
