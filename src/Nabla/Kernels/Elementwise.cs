using System.Numerics;

namespace Nabla.Kernels;

/// <summary>An elementwise function of one value; the span form defaults to a scalar loop.</summary>
internal interface IUnaryOp<TSelf, T> where TSelf : IUnaryOp<TSelf, T>
{
    static abstract T Invoke(T x);

    static virtual void Invoke(ReadOnlySpan<T> x, Span<T> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = TSelf.Invoke(x[i]);
    }
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

/// <summary>Strided drivers that feed contiguous inner runs to the span forms of an op.</summary>
internal static class Elementwise
{
    public static void Unary<T, TOp>(ReadOnlySpan<T> x, Span<T> y) where TOp : IUnaryOp<TOp, T>
        => TOp.Invoke(x, y);

    /// <summary>
    /// y = op(a, b) with a and b already given as broadcast strides over <paramref name="shape"/>;
    /// y is contiguous.
    /// </summary>
    public static void Binary<T, TR, TOp>(T[] a, int offA, int[] stridesA, T[] b, int offB, int[] stridesB,
        int[] shape, Span<TR> y) where TOp : IBinaryOp<TOp, T, TR>
    {
        if (y.Length == 0) return;
        int rank = Strided.Coalesce(shape, [stridesA, stridesB, Strided.ContiguousStrides(shape)], out int[] cs, out int[][] st);
        if (rank == 0) { y[0] = TOp.Invoke(a[offA], b[offB]); return; }
        int inner = cs[rank - 1], sa = st[0][rank - 1], sb = st[1][rank - 1];
        var idx = new int[rank];
        int oa = offA, ob = offB, pos = 0;
        while (true)
        {
            Span<TR> dst = y.Slice(pos, inner);
            if (sa == 1 && sb == 1) TOp.Invoke(a.AsSpan(oa, inner), b.AsSpan(ob, inner), dst);
            else if (sa == 1 && sb == 0) TOp.Invoke(a.AsSpan(oa, inner), b[ob], dst);
            else if (sa == 0 && sb == 1) TOp.Invoke(a[oa], b.AsSpan(ob, inner), dst);
            else
                for (int i = 0, pa = oa, pb = ob; i < inner; i++, pa += sa, pb += sb) dst[i] = TOp.Invoke(a[pa], b[pb]);
            pos += inner;
            int d = rank - 2;
            for (; d >= 0; d--)
            {
                oa += st[0][d]; ob += st[1][d];
                if (++idx[d] < cs[d]) break;
                oa -= st[0][d] * cs[d]; ob -= st[1][d] * cs[d];
                idx[d] = 0;
            }
            if (d < 0) return;
        }
    }
}
