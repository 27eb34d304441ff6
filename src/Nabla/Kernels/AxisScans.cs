using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>The associative step of a running scan, on one pair and on whole rows.</summary>
internal interface IScanOp<T>
{
    static abstract T Invoke(T a, T b);

    static abstract void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y);
}

/// <summary>Running sums.</summary>
internal readonly struct SumScan<T> : IScanOp<T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => a + b;

    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(a, b, y);
}

/// <summary>Running products.</summary>
internal readonly struct ProdScan<T> : IScanOp<T> where T : INumber<T>
{
    public static T Invoke(T a, T b) => a * b;

    public static void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);
}

/// <summary>
/// Inclusive scans along the middle axis of a contiguous [outer, size, inner] block (Note [Axis layout]): along a last
/// dim a sequential loop per row (each output depends on the one before), along another dim one vectorised
/// elementwise call per row of <c>inner</c> elements. Threaded above a threshold over the kept dims only.
/// </summary>
internal static class AxisScans
{
    /// <summary>
    /// dst[o, i, j] = src[o, 0, j] op ... op src[o, i, j] (forward), or src[o, i, j] op ... op src[o, size - 1, j]
    /// (<paramref name="reverse"/>), for contiguous src at <paramref name="off"/> and dst at 0.
    /// </summary>
    public static void Scan<T, TOp>(T[] src, int off, int outer, int size, int inner, T[] dst, bool reverse, int threads = 0,
        int threshold = Chunked.ElementwiseThreshold) where TOp : IScanOp<T>
    {
        if (size == 0) return;
        int parts = Chunked.Parts((long)outer * size * inner, threshold, threads > 0 ? threads : ThreadBudget.KernelThreads);
        if (inner == 1)
        {
            if (parts <= 1 || outer < 2) Rows<T, TOp>(src, off, size, dst, reverse, 0, outer);
            else Chunked.For(outer, 1, Math.Min(parts, outer), (r0, count) => Rows<T, TOp>(src, off, size, dst, reverse, r0, count));
        }
        else if (parts <= 1) Columns<T, TOp>(src, off, size, inner, dst, reverse, 0, outer, 0, inner);
        else if (outer >= parts) Chunked.For(outer, 1, parts, (o0, count) => Columns<T, TOp>(src, off, size, inner, dst, reverse, o0, count, 0, inner));
        else Chunked.For(inner, 16, Math.Min(parts, inner), (c0, width) => Columns<T, TOp>(src, off, size, inner, dst, reverse, 0, outer, c0, width));
    }

    private static void Rows<T, TOp>(T[] src, int off, int size, T[] dst, bool reverse, int r0, int count) where TOp : IScanOp<T>
    {
        for (int r = r0; r < r0 + count; r++)
        {
            ReadOnlySpan<T> x = src.AsSpan(off + r * size, size);
            Span<T> y = dst.AsSpan(r * size, size);
            if (reverse)
            {
                T acc = y[size - 1] = x[size - 1];
                for (int i = size - 2; i >= 0; i--) y[i] = acc = TOp.Invoke(x[i], acc);
            }
            else
            {
                T acc = y[0] = x[0];
                for (int i = 1; i < size; i++) y[i] = acc = TOp.Invoke(acc, x[i]);
            }
        }
    }

    private static void Columns<T, TOp>(T[] src, int off, int size, int inner, T[] dst, bool reverse, int o0, int count, int c0, int width)
        where TOp : IScanOp<T>
    {
        for (int o = o0; o < o0 + count; o++)
        {
            int start = o * size * inner + c0;
            int first = reverse ? size - 1 : 0, step = reverse ? -inner : inner;
            src.AsSpan(off + start + first * inner, width).CopyTo(dst.AsSpan(start + first * inner, width));
            for (int i = 1, at = start + first * inner + step; i < size; i++, at += step)
                TOp.Invoke(dst.AsSpan(at - step, width), src.AsSpan(off + at, width), dst.AsSpan(at, width));
        }
    }
}
