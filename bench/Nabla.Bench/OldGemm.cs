using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nabla.Bench;

/// <summary>
/// The matrix product Nabla had before the packed GEMM (kept verbatim as the benchmark baseline, `gemm --old`):
/// four rows of C are updated together so each row of B is read once per four rows of A.
/// </summary>
internal static class OldGemm
{
    /// <summary>Work (M·N·K) above which rows are split across threads.</summary>
    public const long ParallelThreshold = 1 << 18;

    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, INumber<T>
    {
        c.Slice(0, m * n).Clear();
        if (m == 0 || n == 0 || k == 0) return;
        RowBlock(a, b, c, 0, m, k, n);
    }

    public static void MultiplyParallel<T>(T[] a, int offA, T[] b, int offB, T[] c, int offC, int m, int k, int n, int maxThreads)
        where T : unmanaged, INumber<T>
    {
        c.AsSpan(offC, m * n).Clear();
        if (m == 0 || n == 0 || k == 0) return;
        long work = (long)m * n * k;
        int chunks = work < ParallelThreshold || m < 8 ? 1 : Math.Min(Math.Min(Environment.ProcessorCount, maxThreads), m / 4);
        if (chunks <= 1)
        {
            RowBlock<T>(a.AsSpan(offA), b.AsSpan(offB), c.AsSpan(offC), 0, m, k, n);
            return;
        }
        int per = (m + chunks - 1) / chunks;
        per = (per + 3) / 4 * 4;
        Parallel.For(0, chunks, ci =>
        {
            int r0 = ci * per, r1 = Math.Min(m, r0 + per);
            if (r0 < r1) RowBlock<T>(a.AsSpan(offA), b.AsSpan(offB), c.AsSpan(offC), r0, r1, k, n);
        });
    }

    private static void RowBlock<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int r0, int r1, int k, int n)
        where T : unmanaged, INumber<T>
    {
        int i = r0;
        for (; i + 4 <= r1; i += 4)
        {
            Span<T> c0 = c.Slice(i * n, n), c1 = c.Slice((i + 1) * n, n), c2 = c.Slice((i + 2) * n, n), c3 = c.Slice((i + 3) * n, n);
            for (int p = 0; p < k; p++)
            {
                ReadOnlySpan<T> brow = b.Slice(p * n, n);
                T a0 = a[i * k + p], a1 = a[(i + 1) * k + p], a2 = a[(i + 2) * k + p], a3 = a[(i + 3) * k + p];
                Axpy4(brow, a0, a1, a2, a3, c0, c1, c2, c3);
            }
        }
        for (; i < r1; i++)
        {
            Span<T> crow = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                T av = a[i * k + p];
                if (av != T.Zero) TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), av, crow, crow);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy4<T>(ReadOnlySpan<T> b, T a0, T a1, T a2, T a3, Span<T> c0, Span<T> c1, Span<T> c2, Span<T> c3)
        where T : unmanaged, INumber<T>
    {
        int n = b.Length, j = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<T>.Count)
        {
            var va0 = new Vector<T>(a0); var va1 = new Vector<T>(a1); var va2 = new Vector<T>(a2); var va3 = new Vector<T>(a3);
            ref T rb = ref MemoryMarshal.GetReference(b);
            ref T r0 = ref MemoryMarshal.GetReference(c0); ref T r1 = ref MemoryMarshal.GetReference(c1);
            ref T r2 = ref MemoryMarshal.GetReference(c2); ref T r3 = ref MemoryMarshal.GetReference(c3);
            int w = Vector<T>.Count;
            for (; j + w <= n; j += w)
            {
                var vb = Vector.LoadUnsafe(ref rb, (nuint)j);
                (Vector.LoadUnsafe(ref r0, (nuint)j) + va0 * vb).StoreUnsafe(ref r0, (nuint)j);
                (Vector.LoadUnsafe(ref r1, (nuint)j) + va1 * vb).StoreUnsafe(ref r1, (nuint)j);
                (Vector.LoadUnsafe(ref r2, (nuint)j) + va2 * vb).StoreUnsafe(ref r2, (nuint)j);
                (Vector.LoadUnsafe(ref r3, (nuint)j) + va3 * vb).StoreUnsafe(ref r3, (nuint)j);
            }
        }
        for (; j < n; j++)
        {
            T bv = b[j];
            c0[j] += a0 * bv; c1[j] += a1 * bv; c2[j] += a2 * bv; c3[j] += a3 * bv;
        }
    }
}
