using Nabla.Runtime;
using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Note [Sort order]
// Sort, ArgSort and TopK order the elements of a line by one total order: NaN above every number (PyTorch's: NaN
// comes last ascending, first descending), equal values (-0 and +0 included) by ascending source index. Because the
// index breaks every tie the order is total, so sort is stable whatever algorithm runs it, TopK's k elements are
// exactly the first k of that sort (PyTorch leaves the order of tied values unspecified), and results do not depend
// on the thread count. Max and Min along a dim pick the first maximal (minimal) element, NaN winning, as PyTorch does.

/// <summary>A value and its position along the axis, the unit that sorting moves.</summary>
internal struct Entry<T>
{
    public T Value;
    public int Index;
}

/// <summary>The order of Note [Sort order], ascending or descending in value, ties by ascending index.</summary>
internal readonly struct EntryOrder<T>(bool descending) : IComparer<Entry<T>> where T : INumber<T>
{
    public int Compare(Entry<T> a, Entry<T> b)
    {
        int c = descending ? CompareValues(b.Value, a.Value) : CompareValues(a.Value, b.Value);
        return c != 0 ? c : a.Index.CompareTo(b.Index);
    }

    private static int CompareValues(T a, T b)
    {
        if (T.IsNaN(a)) return T.IsNaN(b) ? 0 : 1;
        if (T.IsNaN(b)) return -1;
        return a < b ? -1 : a > b ? 1 : 0;
    }
}

/// <summary>
/// Sorting and selection along the middle axis of a contiguous [outer, size, inner] block (Note [Axis layout],
/// Note [Sort order]); one line per (outer, inner) pair, threaded over lines above a threshold.
/// </summary>
internal static class AxisSelection
{
    /// <summary>
    /// The first <paramref name="k"/> elements of every line in the order of Note [Sort order]: values (when
    /// <paramref name="values"/> is not null) and source indices into contiguous [outer, k, inner] outputs.
    /// </summary>
    public static void Sort<T>(T[] src, int off, int outer, int size, int inner, int k, bool descending, T[]? values, long[] indices,
        int threads = 0, int threshold = Chunked.ElementwiseThreshold) where T : INumber<T>
    {
        int lines = outer * inner;
        if (k == 0 || lines == 0) return;
        int parts = Chunked.Parts((long)lines * size, threshold, threads > 0 ? threads : ThreadBudget.KernelThreads);
        if (parts <= 1 || lines < 2) SortLines(src, off, size, inner, k, descending, values, indices, 0, lines);
        else Chunked.For(lines, 1, Math.Min(parts, lines), (l0, count) => SortLines(src, off, size, inner, k, descending, values, indices, l0, count));
    }

    private static void SortLines<T>(T[] src, int off, int size, int inner, int k, bool descending, T[]? values, long[] indices, int l0, int count)
        where T : INumber<T>
    {
        var order = new EntryOrder<T>(descending);
        // NOTE: a heap of the k best seen so far costs n log k against the full sort's n log n; it pays when k is small.
        bool select = k < size && k * 4 <= size;
        Entry<T>[] buffer = ArrayPool<Entry<T>>.Shared.Rent(select ? k : size);
        for (int line = l0; line < l0 + count; line++)
        {
            int o = line / inner, j = line % inner, first = off + o * size * inner + j;
            Span<Entry<T>> kept = buffer.AsSpan(0, select ? k : size);
            if (select) SelectBest(src, first, size, inner, kept, order);
            else
                for (int i = 0; i < size; i++) kept[i] = new Entry<T> { Value = src[first + i * inner], Index = i };
            kept.Sort(order);
            int at = o * k * inner + j;
            for (int i = 0; i < k; i++, at += inner)
            {
                if (values is not null) values[at] = kept[i].Value;
                indices[at] = kept[i].Index;
            }
        }
        ArrayPool<Entry<T>>.Shared.Return(buffer);
    }

    /// <summary>Fills <paramref name="heap"/> with the k first elements of the line in <paramref name="order"/> (unsorted): a heap whose root is the last of them.</summary>
    private static void SelectBest<T>(T[] src, int first, int size, int inner, Span<Entry<T>> heap, EntryOrder<T> order) where T : INumber<T>
    {
        int k = heap.Length;
        for (int i = 0; i < k; i++)
        {
            heap[i] = new Entry<T> { Value = src[first + i * inner], Index = i };
            for (int c = i; c > 0 && order.Compare(heap[(c - 1) / 2], heap[c]) < 0; c = (c - 1) / 2)
                (heap[c], heap[(c - 1) / 2]) = (heap[(c - 1) / 2], heap[c]);
        }
        for (int i = k; i < size; i++)
        {
            var e = new Entry<T> { Value = src[first + i * inner], Index = i };
            if (order.Compare(e, heap[0]) >= 0) continue;
            int c = 0;
            while (true)
            {
                int l = 2 * c + 1, r = l + 1, worst = c;
                Entry<T> w = e;
                if (l < k && order.Compare(heap[l], w) > 0) { worst = l; w = heap[l]; }
                if (r < k && order.Compare(heap[r], w) > 0) worst = r;
                if (worst == c) break;
                heap[c] = heap[worst];
                c = worst;
            }
            heap[c] = e;
        }
    }

    /// <summary>
    /// The maximum (<paramref name="max"/>) or minimum of every line and the index of its first occurrence (NaN wins),
    /// into contiguous [outer, inner] outputs.
    /// </summary>
    public static void Extreme<T>(T[] src, int off, int outer, int size, int inner, bool max, T[] values, long[] indices,
        int threads = 0, int threshold = Chunked.ElementwiseThreshold) where T : INumber<T>
    {
        int parts = Chunked.Parts((long)outer * size * inner, threshold, threads > 0 ? threads : ThreadBudget.KernelThreads);
        if (inner == 1)
        {
            if (parts <= 1 || outer < 2) ExtremeRows(src, off, size, max, values, indices, 0, outer);
            else Chunked.For(outer, 1, Math.Min(parts, outer), (r0, count) => ExtremeRows(src, off, size, max, values, indices, r0, count));
        }
        else if (parts <= 1) ExtremeColumns(src, off, size, inner, max, values, indices, 0, outer, 0, inner);
        else if (outer >= parts) Chunked.For(outer, 1, parts, (o0, count) => ExtremeColumns(src, off, size, inner, max, values, indices, o0, count, 0, inner));
        else Chunked.For(inner, 16, Math.Min(parts, inner), (c0, width) => ExtremeColumns(src, off, size, inner, max, values, indices, 0, outer, c0, width));
    }

    private static void ExtremeRows<T>(T[] src, int off, int size, bool max, T[] values, long[] indices, int r0, int count) where T : INumber<T>
    {
        for (int r = r0; r < r0 + count; r++)
        {
            ReadOnlySpan<T> row = src.AsSpan(off + r * size, size);
            // NOTE: IndexOfMax/IndexOfMin return the first NaN if there is one, else the first extreme element, except
            // that they rank +0 above -0; the value is read back at that index so that value and index always agree.
            int i = max ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
            values[r] = row[i];
            indices[r] = i;
        }
    }

    private static void ExtremeColumns<T>(T[] src, int off, int size, int inner, bool max, T[] values, long[] indices, int o0, int count, int c0, int width)
        where T : INumber<T>
    {
        for (int o = o0; o < o0 + count; o++)
        {
            Span<T> best = values.AsSpan(o * inner + c0, width);
            Span<long> at = indices.AsSpan(o * inner + c0, width);
            int row = off + o * size * inner + c0;
            src.AsSpan(row, width).CopyTo(best);
            at.Clear();
            for (int i = 1; i < size; i++)
            {
                ReadOnlySpan<T> x = src.AsSpan(row + i * inner, width);
                for (int j = 0; j < width; j++)
                {
                    T v = x[j], b = best[j];
                    bool better = (max ? v > b : v < b) || (T.IsNaN(v) && !T.IsNaN(b));
                    if (better)
                    {
                        best[j] = v;
                        at[j] = i;
                    }
                }
            }
        }
    }
}
