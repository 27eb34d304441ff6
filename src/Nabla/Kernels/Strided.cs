using System.Runtime.CompilerServices;
namespace Nabla.Kernels;

/// <summary>
/// Layout helpers for strided (possibly non-contiguous, possibly broadcast) operands. The kernels
/// here know nothing of tensors or graphs: arrays, offsets, shapes and element strides only.
/// </summary>
internal static class Strided
{
    /// <summary>
    /// True when the two shapes are equal. The common cases -- the same array, or two 0-d shapes -- are decided inline
    /// without a call (it is asked several times per op in graphs of 0-d tensors).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool SameDims(int[] a, int[] b) =>
        ReferenceEquals(a, b) || (a.Length == b.Length && (a.Length == 0 || a.AsSpan().SequenceEqual(b)));

    private static readonly int[] Rank0Strides = [];
    private static readonly int[] Rank1Strides = [1];

    /// <summary>Row-major strides; the rank-0 and rank-1 arrays are shared (stride arrays are never mutated).</summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0) return Rank0Strides;
        if (shape.Length == 1) return Rank1Strides;
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        int expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] == 1) continue;
            if (shape[i] == 0) return true;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    public static long Numel(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    /// <summary>
    /// Merges adjacent dimensions that every operand walks as one run, and drops size-1 dimensions,
    /// so that a contiguous operand becomes a single inner loop.
    /// </summary>
    public static int Coalesce(int[] shape, int[][] strides, out int[] outShape, out int[][] outStrides)
    {
        int ops = strides.Length;
        var dims = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++)
            if (shape[d] != 1) dims.Add(d);
        var rs = new List<int>();
        var rstr = new List<int[]>();
        foreach (int d in dims)
        {
            if (rs.Count > 0)
            {
                int last = rs.Count - 1;
                bool merge = true;
                for (int k = 0; k < ops; k++)
                    if (rstr[last][k] != strides[k][d] * shape[d]) { merge = false; break; }
                if (merge)
                {
                    rs[last] *= shape[d];
                    for (int k = 0; k < ops; k++) rstr[last][k] = strides[k][d];
                    continue;
                }
            }
            rs.Add(shape[d]);
            var st = new int[ops];
            for (int k = 0; k < ops; k++) st[k] = strides[k][d];
            rstr.Add(st);
        }
        outShape = rs.ToArray();
        outStrides = new int[ops][];
        for (int k = 0; k < ops; k++)
        {
            outStrides[k] = new int[rs.Count];
            for (int d = 0; d < rs.Count; d++) outStrides[k][d] = rstr[d][k];
        }
        return rs.Count;
    }

    /// <summary>Broadcast strides of an operand viewed at <paramref name="outShape"/> (0 where stretched).</summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, ReadOnlySpan<int> outShape)
    {
        var result = new int[outShape.Length];
        int off = outShape.Length - shape.Length;
        for (int i = 0; i < shape.Length; i++)
            result[off + i] = shape[i] == 1 && outShape[off + i] != 1 ? 0 : strides[i];
        return result;
    }

    /// <summary>Copies a strided operand into a contiguous destination in row-major order.</summary>
    public static void Copy<T>(T[] src, int offset, int[] shape, int[] strides, Span<T> dst)
    {
        if (dst.Length == 0) return;
        int rank = Coalesce(shape, [strides, ContiguousStrides(shape)], out int[] cs, out int[][] cst);
        if (rank == 0) { dst[0] = src[offset]; return; }
        if (rank == 2 && cst[0][0] == 1 && cst[0][1] != 1)
        {
            Transpose(src, offset, cs[0], cs[1], cst[0][1], dst);
            return;
        }
        int inner = cs[rank - 1], si = cst[0][rank - 1];
        var idx = new int[rank];
        int o = offset, pos = 0;
        while (true)
        {
            if (si == 1) src.AsSpan(o, inner).CopyTo(dst.Slice(pos, inner));
            else for (int i = 0, p = o; i < inner; i++, p += si) dst[pos + i] = src[p];
            pos += inner;
            int d = rank - 2;
            for (; d >= 0; d--)
            {
                o += cst[0][d];
                if (++idx[d] < cs[d]) break;
                o -= cst[0][d] * cs[d];
                idx[d] = 0;
            }
            if (d < 0) return;
        }
    }

    /// <summary>Writes a contiguous source into a strided destination (the inverse of <see cref="Copy{T}"/>).</summary>
    public static void Scatter<T>(ReadOnlySpan<T> src, T[] dst, int offset, int[] shape, int[] strides)
    {
        if (src.Length == 0) return;
        int rank = Coalesce(shape, [strides, ContiguousStrides(shape)], out int[] cs, out int[][] cst);
        if (rank == 0) { dst[offset] = src[0]; return; }
        int inner = cs[rank - 1], si = cst[0][rank - 1];
        var idx = new int[rank];
        int o = offset, pos = 0;
        while (true)
        {
            if (si == 1) src.Slice(pos, inner).CopyTo(dst.AsSpan(o, inner));
            else for (int i = 0, p = o; i < inner; i++, p += si) dst[p] = src[pos + i];
            pos += inner;
            int d = rank - 2;
            for (; d >= 0; d--)
            {
                o += cst[0][d];
                if (++idx[d] < cs[d]) break;
                o -= cst[0][d] * cs[d];
                idx[d] = 0;
            }
            if (d < 0) return;
        }
    }

    /// <summary>
    /// dst[r, c] = src[offset + r + c*colStride] for a rows x cols destination: a transposed read, done in square
    /// tiles so that both the reads and the writes stay in cache (a plain loop misses on every read).
    /// </summary>
    private static void Transpose<T>(T[] src, int offset, int rows, int cols, int colStride, Span<T> dst)
    {
        const int Tile = 32;
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(rows, r0 + Tile);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(cols, c0 + Tile);
                for (int r = r0; r < r1; r++)
                {
                    Span<T> row = dst.Slice(r * cols, cols);
                    int o = offset + r + c0 * colStride;
                    for (int c = c0; c < c1; c++, o += colStride) row[c] = src[o];
                }
            }
        }
    }
}
