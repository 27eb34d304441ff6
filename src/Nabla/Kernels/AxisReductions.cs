using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Nabla.Runtime;

namespace Nabla.Kernels;

// Note [Axis layout]
// Reductions, scans and sorts along dims see the input as a contiguous [outer, size, inner] block, the reduced or
// scanned dims being the middle one. With inner = 1 each output reads one contiguous row, reduced by one vectorised
// TensorPrimitives call (Sum, Product, Max, Norm, ...). With inner > 1 (a dim other than the last) the block is walked
// row by row: every row of `inner` elements is folded into the `inner` accumulators by one vectorised elementwise
// call, so the memory is read once in order instead of gathering a strided column per output. Threads split the dims
// that are kept (rows, or outer slabs, or column ranges), never the reduced one, so every output is computed by the
// same code in the same order whatever the thread count (Note [Elementwise threads]).

/// <summary>A reduction along the middle axis of an [outer, size, inner] block (Note [Axis layout]).</summary>
/// <typeparam name="T">The element type.</typeparam>
internal interface IAxisReduction<T>
{
    /// <summary>The result over an empty axis.</summary>
    T Empty { get; }

    /// <summary>Whether <see cref="Next"/> uses its scratch span.</summary>
    bool NeedsScratch { get; }

    /// <summary>The finished result of one contiguous row (size at least 1).</summary>
    T Row(ReadOnlySpan<T> row);

    /// <summary>Starts the accumulators from the first row of the axis.</summary>
    void First(ReadOnlySpan<T> x, Span<T> acc);

    /// <summary>Folds one more row into the accumulators; <paramref name="scratch"/> has their length.</summary>
    void Next(ReadOnlySpan<T> x, Span<T> acc, Span<T> scratch);

    /// <summary>Turns the accumulators into results.</summary>
    void Finish(Span<T> acc);
}

/// <summary>Runs an <see cref="IAxisReduction{T}"/> over an [outer, size, inner] block, threaded above a threshold (Note [Axis layout]).</summary>
internal static class AxisReductions
{
    /// <summary>dst[o * inner + j] = the reduction of src[off + (o * size + i) * inner + j] over i.</summary>
    public static void Reduce<T, TOp>(TOp op, T[] src, int off, int outer, int size, int inner, T[] dst, int threads = 0,
        int threshold = Chunked.ElementwiseThreshold) where TOp : struct, IAxisReduction<T>
    {
        int parts = Chunked.Parts((long)outer * size * inner, threshold, threads > 0 ? threads : ThreadBudget.KernelThreads);
        if (inner == 1)
        {
            if (parts <= 1 || outer < 2) Rows(op, src, off, size, dst, 0, outer);
            else Chunked.For(outer, 1, Math.Min(parts, outer), (r0, count) => Rows(op, src, off, size, dst, r0, count));
        }
        else if (parts <= 1) Columns(op, src, off, size, inner, dst, 0, outer, 0, inner);
        else if (outer >= parts) Chunked.For(outer, 1, parts, (o0, count) => Columns(op, src, off, size, inner, dst, o0, count, 0, inner));
        else Chunked.For(inner, 16, Math.Min(parts, inner), (c0, width) => Columns(op, src, off, size, inner, dst, 0, outer, c0, width));
    }

    /// <summary>Whether some element equals zero (-0 included, NaN not): one vectorised pass that stops at the first zero.</summary>
    public static bool ContainsZero<T>(ReadOnlySpan<T> x) where T : INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
            for (; i <= x.Length - Vector<T>.Count; i += Vector<T>.Count)
                if (Vector.EqualsAny(new Vector<T>(x.Slice(i)), Vector<T>.Zero)) return true;
        for (; i < x.Length; i++)
            if (x[i] == T.Zero) return true;
        return false;
    }

    private static void Rows<T, TOp>(TOp op, T[] src, int off, int size, T[] dst, int r0, int count) where TOp : struct, IAxisReduction<T>
    {
        for (int r = r0; r < r0 + count; r++) dst[r] = size == 0 ? op.Empty : op.Row(src.AsSpan(off + r * size, size));
    }

    private static void Columns<T, TOp>(TOp op, T[] src, int off, int size, int inner, T[] dst, int o0, int count, int c0, int width)
        where TOp : struct, IAxisReduction<T>
    {
        T[]? rented = op.NeedsScratch && size > 1 ? ArrayPool<T>.Shared.Rent(width) : null;
        Span<T> scratch = rented is null ? default : rented.AsSpan(0, width);
        for (int o = o0; o < o0 + count; o++)
        {
            Span<T> acc = dst.AsSpan(o * inner + c0, width);
            if (size == 0)
            {
                acc.Fill(op.Empty);
                continue;
            }
            int row = off + o * size * inner + c0;
            op.First(src.AsSpan(row, width), acc);
            for (int i = 1; i < size; i++) op.Next(src.AsSpan(row + i * inner, width), acc, scratch);
            op.Finish(acc);
        }
        if (rented is not null) ArrayPool<T>.Shared.Return(rented);
    }
}

/// <summary>The product (1 over an empty axis).</summary>
internal readonly struct ProdReduction<T> : IAxisReduction<T> where T : INumber<T>
{
    public T Empty => T.One;
    public bool NeedsScratch => false;
    public T Row(ReadOnlySpan<T> row) => TensorPrimitives.Product(row);
    public void First(ReadOnlySpan<T> x, Span<T> acc) => x.CopyTo(acc);
    public void Next(ReadOnlySpan<T> x, Span<T> acc, Span<T> scratch) => TensorPrimitives.Multiply(acc, x, acc);
    public void Finish(Span<T> acc) { }
}

/// <summary>The maximum (<paramref name="max"/>) or minimum; NaN wins. Callers refuse an empty axis.</summary>
internal readonly struct ExtremeReduction<T>(bool max) : IAxisReduction<T> where T : INumber<T>
{
    public T Empty => throw new InvalidOperationException("internal: max/min over an empty axis");
    public bool NeedsScratch => false;
    public T Row(ReadOnlySpan<T> row) => max ? TensorPrimitives.Max(row) : TensorPrimitives.Min(row);
    public void First(ReadOnlySpan<T> x, Span<T> acc) => x.CopyTo(acc);

    public void Next(ReadOnlySpan<T> x, Span<T> acc, Span<T> scratch)
    {
        if (max) TensorPrimitives.Max(acc, x, acc);
        else TensorPrimitives.Min(acc, x, acc);
    }

    public void Finish(Span<T> acc) { }
}

/// <summary>The vector p-norm of the axis for p = 0, 1, 2, +-infinity or any other real (see <see cref="Tensor.Norm(double, int[], bool)"/>).</summary>
internal readonly struct NormReduction<T>(T p) : IAxisReduction<T> where T : IFloatingPointIeee754<T>
{
    private static readonly T Two = T.CreateChecked(2);

    public T Empty => T.IsInfinity(p) ? throw new InvalidOperationException("internal: an infinity norm over an empty axis") : T.Zero;
    public bool NeedsScratch => p != T.Zero && p != Two && !T.IsInfinity(p);

    public T Row(ReadOnlySpan<T> row)
    {
        if (p == Two) return TensorPrimitives.Norm(row);
        if (p == T.One) return TensorPrimitives.SumOfMagnitudes(row);
        if (T.IsPositiveInfinity(p)) return T.Abs(TensorPrimitives.MaxMagnitude(row));
        if (T.IsNegativeInfinity(p)) return T.Abs(TensorPrimitives.MinMagnitude(row));
        T sum = T.Zero;
        if (p == T.Zero)
        {
            foreach (T v in row) if (v != T.Zero) sum++;
            return sum;
        }
        foreach (T v in row) sum += T.Pow(T.Abs(v), p);
        return T.Pow(sum, T.One / p);
    }

    public void First(ReadOnlySpan<T> x, Span<T> acc)
    {
        if (p == Two) TensorPrimitives.Multiply(x, x, acc);
        else if (T.IsInfinity(p)) x.CopyTo(acc);
        else if (p == T.Zero) for (int j = 0; j < acc.Length; j++) acc[j] = x[j] != T.Zero ? T.One : T.Zero;
        else Magnitudes(x, acc);
    }

    public void Next(ReadOnlySpan<T> x, Span<T> acc, Span<T> scratch)
    {
        if (p == Two) TensorPrimitives.MultiplyAdd(x, x, acc, acc);
        else if (T.IsPositiveInfinity(p)) TensorPrimitives.MaxMagnitude(acc, x, acc);
        else if (T.IsNegativeInfinity(p)) TensorPrimitives.MinMagnitude(acc, x, acc);
        else if (p == T.Zero)
            for (int j = 0; j < acc.Length; j++) acc[j] += x[j] != T.Zero ? T.One : T.Zero;
        else
        {
            Magnitudes(x, scratch);
            TensorPrimitives.Add(acc, scratch, acc);
        }
    }

    public void Finish(Span<T> acc)
    {
        if (p == Two) TensorPrimitives.Sqrt(acc, acc);
        else if (T.IsInfinity(p)) TensorPrimitives.Abs(acc, acc);
        else if (p != T.One && p != T.Zero) TensorPrimitives.Pow(acc, T.One / p, acc);
    }

    /// <summary>y = |x|^p (p = 1: |x|).</summary>
    private void Magnitudes(ReadOnlySpan<T> x, Span<T> y)
    {
        TensorPrimitives.Abs(x, y);
        if (p != T.One) TensorPrimitives.Pow(y, p, y);
    }
}

/// <summary>Logical or (<paramref name="any"/>) or and of a bool axis: false, respectively true, over an empty axis.</summary>
internal readonly struct LogicalReduction(bool any) : IAxisReduction<bool>
{
    public bool Empty => !any;
    public bool NeedsScratch => false;
    public bool Row(ReadOnlySpan<bool> row) => any ? row.Contains(true) : !row.Contains(false);
    public void First(ReadOnlySpan<bool> x, Span<bool> acc) => x.CopyTo(acc);

    public void Next(ReadOnlySpan<bool> x, Span<bool> acc, Span<bool> scratch)
    {
        // NOTE: bool elements are the bytes 0 and 1 (every producer writes C# bools), so bytewise or/and is logical.
        Span<byte> a = MemoryMarshal.AsBytes(acc);
        ReadOnlySpan<byte> b = MemoryMarshal.AsBytes(x);
        if (any) TensorPrimitives.BitwiseOr(a, b, a);
        else TensorPrimitives.BitwiseAnd(a, b, a);
    }

    public void Finish(Span<bool> acc) { }
}
