using Nabla.Runtime;
using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Note [Block moves]
// The shape ops (split, pad, flip, roll, repeat, tile, repeat_interleave, tril/triu, pixel_shuffle, masked_fill) compute
// nothing: they move elements. Each is written as a walk over the rows of the output (its last dimension), which
// moves every row as one span operation when both sides are contiguous there (Span.CopyTo, Span.Fill, Span.Clear,
// TensorPrimitives.Add) and element by element otherwise. Most are one strided-to-strided move (Move): the op only
// chooses the shape and the two stride lists, with stride 0 for a repeated source, a negative stride for a reversed
// one, or a permutation for pixel_shuffle. Rows are split over threads from Chunked.ElementwiseThreshold elements, as
// elementwise ops are (Note [Elementwise threads]); every element is moved by the same code whichever thread runs it.

/// <summary>How a <see cref="Blocks.Move{T, TOp}"/> combines a source element with a destination element.</summary>
internal interface IMoveOp<T>
{
    /// <summary>A contiguous run: <c>dst[i] (op)= src[i]</c>.</summary>
    static abstract void Run(ReadOnlySpan<T> src, Span<T> dst);

    /// <summary>A repeated source: <c>dst[i] (op)= value</c>.</summary>
    static abstract void Repeat(T value, Span<T> dst);

    /// <summary>One element.</summary>
    static abstract void One(T src, ref T dst);
}

/// <summary>Overwrites: <c>dst = src</c>.</summary>
internal readonly struct CopyMove<T> : IMoveOp<T>
{
    public static void Run(ReadOnlySpan<T> src, Span<T> dst) => src.CopyTo(dst);

    public static void Repeat(T value, Span<T> dst) => dst.Fill(value);

    public static void One(T src, ref T dst) => dst = src;
}

/// <summary>Accumulates: <c>dst += src</c>.</summary>
internal readonly struct AddMove<T> : IMoveOp<T> where T : INumber<T>
{
    public static void Run(ReadOnlySpan<T> src, Span<T> dst) => TensorPrimitives.Add(dst, src, dst);

    public static void Repeat(T value, Span<T> dst) => TensorPrimitives.Add(dst, value, dst);

    public static void One(T src, ref T dst) => dst += src;
}

/// <summary>Element moves over strided arrays (see Note [Block moves]); no tensors, no graph.</summary>
internal static class Blocks
{
    /// <summary>
    /// For every coordinate <c>c</c> of <paramref name="shape"/>: <c>dst[dstOffset + c·dstStrides] (op)= src[srcOffset + c·srcStrides]</c>.
    /// Strides may be 0 (a repeated source) or negative (a reversed one); destinations must not overlap. Rows split over
    /// threads from <paramref name="threshold"/> elements.
    /// </summary>
    public static void Move<T, TOp>(T[] src, int srcOffset, int[] srcStrides, T[] dst, int dstOffset, int[] dstStrides, int[] shape,
        int threshold = Chunked.ElementwiseThreshold)
        where TOp : IMoveOp<T>
    {
        long n = Strided.Numel(shape);
        if (n == 0) return;
        int rank = Strided.Coalesce(shape, [srcStrides, dstStrides], out int[] dims, out int[][] strides);
        if (rank == 0)
        {
            TOp.One(src[srcOffset], ref dst[dstOffset]);
            return;
        }
        int[] ss = strides[0], ds = strides[1];
        int inner = dims[rank - 1], si = ss[rank - 1], di = ds[rank - 1];
        ForRows(n, inner, (first, count) =>
        {
            var idx = new int[rank];
            int s = srcOffset, d = dstOffset;
            long r = first;
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k] = (int)(r % dims[k]);
                r /= dims[k];
                s += idx[k] * ss[k];
                d += idx[k] * ds[k];
            }
            for (int row = 0; row < count; row++)
            {
                if (di == 1 && si == 1) TOp.Run(src.AsSpan(s, inner), dst.AsSpan(d, inner));
                else if (di == 1 && si == 0) TOp.Repeat(src[s], dst.AsSpan(d, inner));
                else for (int i = 0, p = s, q = d; i < inner; i++, p += si, q += di) TOp.One(src[p], ref dst[q]);
                for (int k = rank - 2; k >= 0; k--)
                {
                    s += ss[k];
                    d += ds[k];
                    if (++idx[k] < dims[k]) break;
                    s -= ss[k] * dims[k];
                    d -= ds[k] * dims[k];
                    idx[k] = 0;
                }
            }
        }, threshold: threshold);
    }

    /// <summary><see cref="Move{T, TOp}"/> that overwrites.</summary>
    public static void Copy<T>(T[] src, int srcOffset, int[] srcStrides, T[] dst, int dstOffset, int[] dstStrides, int[] shape)
        => Move<T, CopyMove<T>>(src, srcOffset, srcStrides, dst, dstOffset, dstStrides, shape);

    /// <summary>Reverses each of the consecutive rows of <paramref name="length"/> elements in <c>data[offset .. offset + total)</c>.</summary>
    public static void ReverseRows<T>(T[] data, int offset, int total, int length)
    {
        if (length < 2) return;
        ForRows(total, length, (first, count) =>
        {
            for (int r = first; r < first + count; r++) data.AsSpan(offset + r * length, length).Reverse();
        });
    }

    /// <summary>
    /// Fills contiguous <paramref name="dst"/> of shape <paramref name="outDims"/>: output coordinate <c>o</c> of dimension
    /// <c>d</c> reads source coordinate <c>maps[d][o]</c> (the identity where <c>maps[d]</c> is null), and an element any
    /// of whose maps gives -1 is <paramref name="fill"/>. Along the last dimension the outputs
    /// <c>[max(0, before), min(out, before + size))</c> read the consecutive sources from 0 and move as one block.
    /// </summary>
    /// <param name="src">The source array.</param>
    /// <param name="srcOffset">Offset of the source's first element.</param>
    /// <param name="srcStrides">Source strides.</param>
    /// <param name="srcLast">The source's size along the last dimension.</param>
    /// <param name="before">Where source element 0 of the last dimension lands (negative: cropped).</param>
    /// <param name="maps">Per dimension, the source coordinate of every output coordinate, or null for the identity.</param>
    /// <param name="outDims">The output shape (rank at least 1).</param>
    /// <param name="dst">The contiguous output.</param>
    /// <param name="dstOffset">Offset of the output's first element.</param>
    /// <param name="fill">The value of elements without a source.</param>
    public static void Pad<T>(T[] src, int srcOffset, int[] srcStrides, int srcLast, int before, int[]?[] maps, int[] outDims, T[] dst, int dstOffset, T fill)
    {
        int rank = outDims.Length, width = outDims[rank - 1], sLast = srcStrides[rank - 1];
        long n = Strided.Numel(outDims);
        if (n == 0) return;
        int lo = Math.Clamp(before, 0, width), hi = (int)Math.Clamp((long)before + srcLast, lo, width);
        int[]? lastMap = maps[rank - 1];
        ForRows(n, width, (first, count) =>
        {
            var idx = new int[rank];
            long r = first;
            for (int k = rank - 2; k >= 0; k--)
            {
                idx[k] = (int)(r % outDims[k]);
                r /= outDims[k];
            }
            for (int row = first; row < first + count; row++)
            {
                Span<T> y = dst.AsSpan(dstOffset + row * width, width);
                int s = srcOffset;
                bool inside = true;
                for (int k = 0; k < rank - 1 && inside; k++)
                {
                    int m = maps[k] is { } map ? map[idx[k]] : idx[k];
                    inside = m >= 0;
                    s += m * srcStrides[k];
                }
                if (!inside) y.Fill(fill);
                else
                {
                    // NOTE: an empty block is skipped: its source position may lie past the end of the storage.
                    if (sLast == 1 && hi > lo) src.AsSpan(s + lo - before, hi - lo).CopyTo(y[lo..hi]);
                    else for (int o = lo; o < hi; o++) y[o] = src[s + (o - before) * sLast];
                    for (int o = 0; o < lo; o++) y[o] = Edge(o, s);
                    for (int o = hi; o < width; o++) y[o] = Edge(o, s);
                }
                for (int k = rank - 2; k >= 0; k--)
                {
                    if (++idx[k] < outDims[k]) break;
                    idx[k] = 0;
                }
            }
        });

        // Outside the block: the last dimension's map (padding of that dimension is always mapped).
        T Edge(int o, int rowStart) => lastMap![o] is var m and >= 0 ? src[rowStart + m * sLast] : fill;
    }

    /// <summary>
    /// Contiguous matrices <c>[batch, rows, cols]</c>: keeps element <c>(i, j)</c> where <c>j - i &lt;= diagonal</c>
    /// (<paramref name="lower"/>) or <c>j - i &gt;= diagonal</c> (upper) and zeroes the rest, one row at a time.
    /// </summary>
    public static void Triangle<T>(T[] src, int srcOffset, T[] dst, int batch, int rows, int cols, int diagonal, bool lower)
    {
        long n = (long)batch * rows * cols;
        if (n == 0) return;
        ForRows(n, cols, (first, count) =>
        {
            for (int r = first; r < first + count; r++)
            {
                int i = r % rows;
                long cut = lower ? (long)i + diagonal + 1 : (long)i + diagonal;
                int c = (int)Math.Clamp(cut, 0, cols);
                Span<T> y = dst.AsSpan(r * cols, cols);
                ReadOnlySpan<T> x = src.AsSpan(srcOffset + r * cols, cols);
                if (lower)
                {
                    x[..c].CopyTo(y);
                    y[c..].Clear();
                }
                else
                {
                    y[..c].Clear();
                    x[c..].CopyTo(y[c..]);
                }
            }
        });
    }

    /// <summary>Sets <c>data[i] = value</c> wherever <c>mask[i]</c> (both contiguous, of one length).</summary>
    public static void MaskedFill<T>(T[] data, int offset, bool[] mask, int maskOffset, int length, T value)
    {
        const int Row = 4096;
        ForRows(length, Row, (first, count) =>
        {
            int end = (int)Math.Min((long)(first + count) * Row, length);
            for (int i = first * Row; i < end; i++)
                if (mask[maskOffset + i]) data[offset + i] = value;
        }, rows: (length + Row - 1) / Row);
    }

    /// <summary>
    /// Runs <c>body(firstRow, rowCount)</c> over the rows of <paramref name="elements"/> elements, <paramref name="rowLength"/>
    /// to a row (or <paramref name="rows"/> rows when given), on one thread per chunk from
    /// <see cref="Chunked.ElementwiseThreshold"/> elements (see Note [Block moves]).
    /// </summary>
    private static void ForRows(long elements, int rowLength, Action<int, int> body, int rows = -1, int threshold = Chunked.ElementwiseThreshold)
    {
        if (rows < 0) rows = rowLength == 0 ? 0 : (int)(elements / rowLength);
        int parts = Chunked.Parts(elements, threshold, ThreadBudget.KernelThreads);
        Chunked.For(rows, 1, parts, body);
    }
}
