using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Nabla.Runtime;

namespace Nabla.Kernels;

// Note [Sort order]
// Sort, ArgSort and TopK order the elements of a line by one total order: NaN above every number (PyTorch's: NaN
// comes last ascending, first descending), equal values (-0 and +0 included) by ascending source index. Because the
// index breaks every tie the order is total, so sort is stable whatever algorithm runs it, TopK's k elements are
// exactly the first k of that sort (PyTorch leaves the order of tied values unspecified), and results do not depend
// on the thread count. Max and Min along a dim pick the first maximal (minimal) element, NaN winning and -0 equal to
// +0, as PyTorch does.

/// <summary>A line element as its order key (Note [Sort order]) and its position along the axis.</summary>
internal struct Entry
{
    public ulong Key;
    public int Index;
}

/// <summary>Entries by key, then by index: the total order of Note [Sort order].</summary>
internal readonly struct EntryOrder : IComparer<Entry>
{
    public int Compare(Entry a, Entry b) => a.Key != b.Key ? a.Key.CompareTo(b.Key) : a.Index.CompareTo(b.Index);
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

    // NOTE: values sort as unsigned integer keys, so that the sort compares integers without NaN branches: a monotone
    // map of the value (sign bit flipped for positives, all bits for negatives), -0 read as +0, every NaN above +inf,
    // all bits inverted for descending. float32 keys and the index pack into one ulong and sort as primitives; wider
    // keys sort as (key, index) entries. Values are read back from the source by index (signs of zeros, NaN payloads kept).
    private static void SortLines<T>(T[] src, int off, int size, int inner, int k, bool descending, T[]? values, long[] indices, int l0, int count)
        where T : INumber<T>
    {
        // NOTE: a heap of the k best seen so far costs n log k against the full sort's n log n; it pays when k is small.
        bool select = k < size && k * 4 <= size;
        bool packed = !select && typeof(T) == typeof(float);
        ulong[]? keys = packed ? ArrayPool<ulong>.Shared.Rent(size) : null;
        Entry[]? entries = packed ? null : ArrayPool<Entry>.Shared.Rent(select ? k : size);
        for (int line = l0; line < l0 + count; line++)
        {
            int o = line / inner, j = line % inner, first = off + o * size * inner + j, at = o * k * inner + j;
            if (packed)
            {
                Span<ulong> sorted = keys.AsSpan(0, size);
                for (int e = 0; e < size; e++) sorted[e] = (Key(src[first + e * inner], descending) << 32) | (uint)e;
                sorted.Sort();
            }
            else
            {
                Span<Entry> kept = entries.AsSpan(0, select ? k : size);
                if (select) SelectBest(src, first, size, inner, descending, kept);
                else
                    for (int e = 0; e < size; e++) kept[e] = new Entry { Key = Key(src[first + e * inner], descending), Index = e };
                kept.Sort(default(EntryOrder));
            }
            for (int i = 0; i < k; i++, at += inner)
            {
                int index = packed ? (int)(uint)keys![i] : entries![i].Index;
                if (values is not null) values[at] = src[first + index * inner];
                indices[at] = index;
            }
        }
        if (keys is not null) ArrayPool<ulong>.Shared.Return(keys);
        if (entries is not null) ArrayPool<Entry>.Shared.Return(entries);
    }

    /// <summary>The order key of <paramref name="v"/> (Note [Sort order]): float32 keys use the low 32 bits only.</summary>
    private static ulong Key<T>(T v, bool descending) where T : INumber<T>
    {
        ulong key;
        if (typeof(T) == typeof(float))
        {
            float f = Unsafe.As<T, float>(ref v);
            uint bits = float.IsNaN(f) ? uint.MaxValue : BitConverter.SingleToUInt32Bits(f == 0 ? 0f : f);
            if (!float.IsNaN(f)) bits = (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
            return descending ? ~bits : bits;
        }
        if (typeof(T) == typeof(double))
        {
            double d = Unsafe.As<T, double>(ref v);
            ulong bits = double.IsNaN(d) ? ulong.MaxValue : BitConverter.DoubleToUInt64Bits(d == 0 ? 0d : d);
            if (!double.IsNaN(d)) bits = (bits & 0x8000_0000_0000_0000ul) != 0 ? ~bits : bits | 0x8000_0000_0000_0000ul;
            key = bits;
        }
        else key = (ulong)(Unsafe.As<T, long>(ref v) ^ long.MinValue);
        return descending ? ~key : key;
    }

    /// <summary>Fills <paramref name="heap"/> with the k first elements of the line in key order (unsorted): a heap whose root is the last of them.</summary>
    private static void SelectBest<T>(T[] src, int first, int size, int inner, bool descending, Span<Entry> heap) where T : INumber<T>
    {
        var order = default(EntryOrder);
        int k = heap.Length;
        for (int i = 0; i < k; i++)
        {
            heap[i] = new Entry { Key = Key(src[first + i * inner], descending), Index = i };
            for (int c = i; c > 0 && order.Compare(heap[(c - 1) / 2], heap[c]) < 0; c = (c - 1) / 2)
                (heap[c], heap[(c - 1) / 2]) = (heap[(c - 1) / 2], heap[c]);
        }
        for (int i = k; i < size; i++)
        {
            // Entries come in index order, so an equal key loses to the root: only a smaller key replaces it.
            ulong key = Key(src[first + i * inner], descending);
            if (key >= heap[0].Key) continue;
            var e = new Entry { Key = key, Index = i };
            int c = 0;
            while (true)
            {
                int l = 2 * c + 1, r = l + 1, worst = c;
                Entry w = e;
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
            // that they rank +0 above -0; an extreme zero moves to the first zero of either sign (PyTorch's rule).
            int i = max ? TensorPrimitives.IndexOfMax(row) : TensorPrimitives.IndexOfMin(row);
            if (row[i] == T.Zero) i = Math.Min(i, row.IndexOf(T.Zero));
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
