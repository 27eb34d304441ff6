using System.Numerics;
using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>An elementwise function of one value; the span form defaults to a scalar loop.</summary>
internal interface IUnaryOp<TSelf, T> where TSelf : IUnaryOp<TSelf, T>
{
    static abstract T Invoke(T x);

    static virtual void Invoke(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = TSelf.Invoke(x[i]);
    }

    /// <summary>Elements from which the op splits over threads (see Note [Elementwise threads]): memory-bound ops by default.</summary>
    static virtual int ParallelThreshold => Chunked.ElementwiseThreshold;
}

/// <summary>An elementwise function of two values; span forms default to scalar loops.</summary>
internal interface IBinaryOp<TSelf, T, TR> where TSelf : IBinaryOp<TSelf, T, TR>
{
    static abstract TR Invoke(T a, T b);

    static virtual void Invoke(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<TR> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = TSelf.Invoke(a[i], b[i]);
    }

    static virtual void Invoke(ReadOnlySpan<T> a, T b, Span<TR> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = TSelf.Invoke(a[i], b);
    }

    static virtual void Invoke(T a, ReadOnlySpan<T> b, Span<TR> y)
    {
        for (int i = 0; i < y.Length; i++) y[i] = TSelf.Invoke(a, b[i]);
    }
}

/// <summary>
/// Drivers that feed contiguous runs to the span forms of an op, in one chunk per thread above
/// <see cref="Chunked.ElementwiseThreshold"/> elements (see Note [Elementwise threads]).
/// </summary>
internal static class Elementwise
{
    /// <summary>Chunk starts are multiples of this many elements (a whole number of vectors of any width).</summary>
    private const int Align = 64;

    /// <summary>y[i] = op(x[i]) for n elements from the given offsets.</summary>
    /// <remarks>A <paramref name="threshold"/> of 0 means the op's own (<see cref="IUnaryOp{TSelf, T}.ParallelThreshold"/>).</remarks>
    public static void Unary<T, TOp>(T[] x, int offX, T[] y, int offY, int n, int threads = 0, int threshold = 0)
        where TOp : IUnaryOp<TOp, T>
    {
        int parts = Chunked.Parts(n, threshold > 0 ? threshold : TOp.ParallelThreshold, Threads(threads));
        if (parts <= 1) TOp.Invoke(x.AsSpan(offX, n), y.AsSpan(offY, n));
        else Chunked.For(n, Align, parts, (s, len) => TOp.Invoke(x.AsSpan(offX + s, len), y.AsSpan(offY + s, len)));
    }

    /// <summary>y[i] = op(a[i], b[i]) for n elements from the given offsets.</summary>
    public static void Contiguous<T, TR, TOp>(T[] a, int offA, T[] b, int offB, TR[] y, int offY, int n, int threads = 0,
        int threshold = Chunked.ElementwiseThreshold) where TOp : IBinaryOp<TOp, T, TR>
    {
        int parts = Chunked.Parts(n, threshold, Threads(threads));
        if (parts <= 1) TOp.Invoke(a.AsSpan(offA, n), b.AsSpan(offB, n), y.AsSpan(offY, n));
        else Chunked.For(n, Align, parts, (s, len) => TOp.Invoke(a.AsSpan(offA + s, len), b.AsSpan(offB + s, len), y.AsSpan(offY + s, len)));
    }

    /// <summary>y[i] = op(a[i], b) for n elements from the given offsets.</summary>
    public static void ContiguousScalar<T, TR, TOp>(T[] a, int offA, T b, TR[] y, int offY, int n, int threads = 0,
        int threshold = Chunked.ElementwiseThreshold) where TOp : IBinaryOp<TOp, T, TR>
    {
        int parts = Chunked.Parts(n, threshold, Threads(threads));
        if (parts <= 1) TOp.Invoke(a.AsSpan(offA, n), b, y.AsSpan(offY, n));
        else Chunked.For(n, Align, parts, (s, len) => TOp.Invoke(a.AsSpan(offA + s, len), b, y.AsSpan(offY + s, len)));
    }

    /// <summary>y[i] = op(a, b[i]) for n elements from the given offsets.</summary>
    public static void ScalarContiguous<T, TR, TOp>(T a, T[] b, int offB, TR[] y, int offY, int n, int threads = 0,
        int threshold = Chunked.ElementwiseThreshold) where TOp : IBinaryOp<TOp, T, TR>
    {
        int parts = Chunked.Parts(n, threshold, Threads(threads));
        if (parts <= 1) TOp.Invoke(a, b.AsSpan(offB, n), y.AsSpan(offY, n));
        else Chunked.For(n, Align, parts, (s, len) => TOp.Invoke(a, b.AsSpan(offB + s, len), y.AsSpan(offY + s, len)));
    }

    private static int Threads(int threads) => threads > 0 ? threads : ThreadBudget.KernelThreads;

    /// <summary>
    /// y = op(a, b) with a and b already given as broadcast strides over <paramref name="shape"/>;
    /// y is contiguous from <paramref name="offY"/>. Large outputs are split by whole inner runs.
    /// </summary>
    public static void Binary<T, TR, TOp>(T[] a, int offA, int[] stridesA, T[] b, int offB, int[] stridesB,
        int[] shape, TR[] y, int offY, int threads = 0, int threshold = Chunked.ElementwiseThreshold) where TOp : IBinaryOp<TOp, T, TR>
    {
        long total = 1;
        foreach (int d in shape) total *= d;
        if (total == 0) return;
        int rank = Strided.Coalesce(shape, [stridesA, stridesB, Strided.ContiguousStrides(shape)], out int[] cs, out int[][] st);
        if (rank == 0) { y[offY] = TOp.Invoke(a[offA], b[offB]); return; }
        int inner = cs[rank - 1];
        int runs = (int)(total / inner);
        int parts = Chunked.Parts(total, threshold, Threads(threads));
        if (parts <= 1 || runs < 2)
        {
            Runs<T, TR, TOp>(a, offA, b, offB, cs, st, rank, y, offY, 0, runs);
            return;
        }
        Chunked.For(runs, 1, Math.Min(parts, runs), (first, count) => Runs<T, TR, TOp>(a, offA, b, offB, cs, st, rank, y, offY, first, count));
    }

    /// <summary>Inner runs <paramref name="first"/> .. first + count - 1 of a coalesced broadcast binary op.</summary>
    private static void Runs<T, TR, TOp>(T[] a, int offA, T[] b, int offB, int[] cs, int[][] st, int rank, TR[] y, int offY, int first, int count)
        where TOp : IBinaryOp<TOp, T, TR>
    {
        int inner = cs[rank - 1], sa = st[0][rank - 1], sb = st[1][rank - 1];
        var idx = new int[rank];
        int oa = offA, ob = offB;
        // Position of run `first` in the outer dims (mixed radix over cs[0 .. rank-2]).
        for (int d = rank - 2, r = first; d >= 0; d--)
        {
            idx[d] = r % cs[d];
            r /= cs[d];
            oa += idx[d] * st[0][d];
            ob += idx[d] * st[1][d];
        }
        int pos = offY + first * inner;
        for (int run = 0; run < count; run++)
        {
            Span<TR> dst = y.AsSpan(pos, inner);
            if (sa == 1 && sb == 1) TOp.Invoke(a.AsSpan(oa, inner), b.AsSpan(ob, inner), dst);
            else if (sa == 1 && sb == 0) TOp.Invoke(a.AsSpan(oa, inner), b[ob], dst);
            else if (sa == 0 && sb == 1) TOp.Invoke(a[oa], b.AsSpan(ob, inner), dst);
            else
                for (int i = 0, pa = oa, pb = ob; i < inner; i++, pa += sa, pb += sb) dst[i] = TOp.Invoke(a[pa], b[pb]);
            pos += inner;
            for (int d = rank - 2; d >= 0; d--)
            {
                oa += st[0][d]; ob += st[1][d];
                if (++idx[d] < cs[d]) break;
                oa -= st[0][d] * cs[d]; ob -= st[1][d] * cs[d];
                idx[d] = 0;
            }
        }
    }
}
