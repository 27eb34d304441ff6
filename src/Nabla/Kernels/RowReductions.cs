using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>
/// Sums over the rows or along the rows of a contiguous [rows, rowLength] block, in one chunk per thread above
/// <see cref="Chunked.ElementwiseThreshold"/> elements. Chunks split the dimension that is kept (columns for
/// <see cref="AddRows"/>, rows for <see cref="SumRows"/>), so every output is summed in the same order whatever
/// the thread count (see Note [Elementwise threads]).
/// </summary>
internal static class RowReductions
{
    /// <summary>dst[c] += sum over rows of src[off + r * rowLength + c] (rows in order), for the <paramref name="count"/> elements from off.</summary>
    public static void AddRows<T>(T[] src, int off, int count, int rowLength, T[] dst, int threads = 0, int threshold = Chunked.ElementwiseThreshold)
        where T : INumber<T>
    {
        int parts = Chunked.Parts(count, threshold, threads > 0 ? threads : ThreadBudget.KernelThreads);
        if (parts <= 1 || rowLength < 2)
        {
            AddColumns(src, off, count, rowLength, dst, 0, rowLength);
            return;
        }
        Chunked.For(rowLength, 16, Math.Min(parts, rowLength), (c0, width) => AddColumns(src, off, count, rowLength, dst, c0, width));
    }

    private static void AddColumns<T>(T[] src, int off, int count, int rowLength, T[] dst, int c0, int width) where T : INumber<T>
    {
        Span<T> d = dst.AsSpan(c0, width);
        for (int r = off; r < off + count; r += rowLength) TensorPrimitives.Add(d, src.AsSpan(r + c0, width), d);
    }

    /// <summary>dst[r] = sum of row r of the contiguous [rows, rowLength] block at off.</summary>
    public static void SumRows<T>(T[] src, int off, int rows, int rowLength, T[] dst, int threads = 0, int threshold = Chunked.ElementwiseThreshold)
        where T : INumber<T>
    {
        int parts = Chunked.Parts((long)rows * rowLength, threshold, threads > 0 ? threads : ThreadBudget.KernelThreads);
        if (parts <= 1 || rows < 2)
        {
            SumRange(src, off, rowLength, dst, 0, rows);
            return;
        }
        Chunked.For(rows, 1, Math.Min(parts, rows), (r0, count) => SumRange(src, off, rowLength, dst, r0, count));
    }

    private static void SumRange<T>(T[] src, int off, int rowLength, T[] dst, int r0, int count) where T : INumber<T>
    {
        for (int r = r0; r < r0 + count; r++) dst[r] = TensorPrimitives.Sum<T>(src.AsSpan(off + r * rowLength, rowLength));
    }
}
