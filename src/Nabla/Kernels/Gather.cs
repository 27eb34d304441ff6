using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

/// <summary>
/// Index-driven copies: gather/scatter-add along one dimension and index-select/index-add of whole slices.
/// Indices are validated by the caller; these loops trust them.
/// </summary>
internal static class GatherKernels
{
    /// <summary>
    /// <c>dst[c] = src[off + sum_{d != dim} c_d * strides_d + index[c] * strides_dim]</c> for every coordinate
    /// <c>c</c> of <paramref name="indexDims"/> (row-major); <paramref name="index"/> and <paramref name="dst"/> are contiguous.
    /// </summary>
    public static void Gather<T>(T[] src, int offset, int[] strides, int dim, ReadOnlySpan<long> index, int[] indexDims, Span<T> dst)
    {
        int rank = indexDims.Length;
        if (dst.Length == 0) return;
        int inner = indexDims[rank - 1], sInner = dim == rank - 1 ? 0 : strides[rank - 1], sDim = strides[dim];
        var counter = new int[rank];
        int baseOff = offset;
        for (int p = 0; p < dst.Length; p += inner)
        {
            for (int j = 0, o = baseOff; j < inner; j++, o += sInner) dst[p + j] = src[o + (int)index[p + j] * sDim];
            Advance(counter, indexDims, strides, dim, ref baseOff);
        }
    }

    /// <summary>
    /// <c>dst[off + sum_{d != dim} c_d * strides_d + index[c] * strides_dim] += src[c]</c> for every coordinate of
    /// <paramref name="indexDims"/>; repeated targets accumulate.
    /// </summary>
    public static void ScatterAdd<T>(T[] dst, int offset, int[] strides, int dim, ReadOnlySpan<long> index, int[] indexDims, ReadOnlySpan<T> src)
        where T : INumber<T>
        => Scatter<T, AddMove<T>>(dst, offset, strides, dim, index, indexDims, src);

    /// <summary>
    /// <c>dst[off + sum_{d != dim} c_d * strides_d + index[c] * strides_dim] = src[c]</c> for every coordinate of
    /// <paramref name="indexDims"/> in row-major order (a repeated target keeps the last write).
    /// </summary>
    public static void Scatter<T>(T[] dst, int offset, int[] strides, int dim, ReadOnlySpan<long> index, int[] indexDims, ReadOnlySpan<T> src)
        => Scatter<T, CopyMove<T>>(dst, offset, strides, dim, index, indexDims, src);

    private static void Scatter<T, TOp>(T[] dst, int offset, int[] strides, int dim, ReadOnlySpan<long> index, int[] indexDims, ReadOnlySpan<T> src)
        where TOp : IMoveOp<T>
    {
        int rank = indexDims.Length;
        if (src.Length == 0) return;
        int inner = indexDims[rank - 1], sInner = dim == rank - 1 ? 0 : strides[rank - 1], sDim = strides[dim];
        var counter = new int[rank];
        int baseOff = offset;
        for (int p = 0; p < src.Length; p += inner)
        {
            for (int j = 0, o = baseOff; j < inner; j++, o += sInner) TOp.One(src[p + j], ref dst[o + (int)index[p + j] * sDim]);
            Advance(counter, indexDims, strides, dim, ref baseOff);
        }
    }

    // Steps the outer coordinates (all but the last) of a row-major walk; the gathered dim contributes no offset.
    private static void Advance(int[] counter, int[] dims, int[] strides, int dim, ref int baseOff)
    {
        for (int d = dims.Length - 2; d >= 0; d--)
        {
            int s = d == dim ? 0 : strides[d];
            baseOff += s;
            if (++counter[d] < dims[d]) return;
            baseOff -= s * dims[d];
            counter[d] = 0;
        }
    }

    /// <summary>
    /// Contiguous <paramref name="src"/> viewed as <c>[outer, size, inner]</c>:
    /// <c>dst[o, j, :] = src[o, index[j], :]</c>, with <paramref name="dst"/> <c>[outer, index.Length, inner]</c>.
    /// </summary>
    public static void IndexSelect<T>(ReadOnlySpan<T> src, int outer, int size, int inner, ReadOnlySpan<long> index, Span<T> dst)
    {
        int k = index.Length;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < k; j++)
                src.Slice((o * size + (int)index[j]) * inner, inner).CopyTo(dst.Slice((o * k + j) * inner, inner));
    }

    /// <summary>The adjoint of <see cref="IndexSelect{T}"/>: <c>dst[o, index[j], :] += src[o, j, :]</c>.</summary>
    public static void IndexAdd<T>(Span<T> dst, int outer, int size, int inner, ReadOnlySpan<long> index, ReadOnlySpan<T> src)
        where T : INumber<T>
    {
        int k = index.Length;
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < k; j++)
            {
                Span<T> row = dst.Slice((o * size + (int)index[j]) * inner, inner);
                TensorPrimitives.Add(row, src.Slice((o * k + j) * inner, inner), row);
            }
    }
}
