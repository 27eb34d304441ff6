using System.Buffers;
using System.Numerics;

namespace Nabla.Kernels;

// Note [Small GEMM]
// A tiny product (m·n·k up to MaxWork multiply-adds, such as the batched micrograd demo's 100x16 by 16x16) runs in
// plain loops, not the packed kernels: their first call JIT-compiles the AVX-512 microkernels and packing routines,
// which takes longer than a short program's whole run. One row of C at a time is accumulated in a small buffer as
// row += op(A)[i, p] · op(B)[p, :] for p = 0, 1, ... (vectorised along the row when op(B)'s rows are unit-stride),
// then scaled into C. Each element is therefore the sum of its products in order of p, without fused multiply-adds:
// exactly what a naive triple loop computes, which the tests check bit for bit. The blocked kernels sum in another
// order (and with FMA), so a product's last bits may depend on which side of MaxWork it falls; both are within the
// usual GEMM rounding error of the exact product.

/// <summary>Plain-loop GEMM for tiny products (see Note [Small GEMM]).</summary>
internal static unsafe class SmallGemm
{
    /// <summary>Products of at most this many multiply-adds run here when the path is automatic.</summary>
    public const long MaxWork = 32 * 32 * 32;

    /// <summary>The widest C row handled (the row buffer lives on the stack).</summary>
    public const int MaxN = 256;

    public static bool Fits(int m, int n, int k) => n <= MaxN && (long)m * n * k <= MaxWork;

    /// <summary>C = alpha·op(A)·op(B) + beta·C (honouring TransC) with sums in order of p; requires n ≤ <see cref="MaxN"/>.</summary>
    public static void Run<T>(in GemmArgs<T> g) where T : unmanaged, INumber<T>
    {
        System.Diagnostics.Debug.Assert(g.N <= MaxN, "SmallGemm: row too wide");
        int m = g.M, n = g.N, k = g.K;
        Span<T> row = stackalloc T[n];
        // A transposed B is copied to row-major first (k·n elements, against m·n·k multiply-adds), so that the
        // inner loop runs along unit-stride rows of op(B) in either case; the sums are the same.
        T[]? rented = null;
        T* b = g.B;
        nint ldb = g.Ldb;
        if (g.TransB && m > 1)
        {
            rented = ArrayPool<T>.Shared.Rent(k * n);
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++) rented[p * n + j] = g.B[j * g.Ldb + p];
        }
        fixed (T* packed = rented)
        {
            if (rented is not null)
            {
                b = packed;
                ldb = n;
            }
            bool strided = g.TransB && rented is null;
            for (int i = 0; i < m; i++)
            {
                row.Clear();
                for (int p = 0; p < k; p++)
                {
                    T aip = g.TransA ? g.A[p * g.Lda + i] : g.A[i * g.Lda + p];
                    if (strided)
                    {
                        T* bcol = b + p;
                        for (int j = 0; j < n; j++) row[j] += aip * bcol[j * ldb];
                    }
                    else
                    {
                        AddScaled(row, aip, new ReadOnlySpan<T>(b + p * ldb, n));
                    }
                }
                WriteRow(g, i, row);
            }
        }
        if (rented is not null) ArrayPool<T>.Shared.Return(rented);
    }

    /// <summary>Row <paramref name="i"/> of C (column i when C is written transposed) = alpha·row (+ beta·C).</summary>
    private static void WriteRow<T>(in GemmArgs<T> g, int i, Span<T> row) where T : unmanaged, INumber<T>
    {
        int n = g.N;
        T* c = g.TransC ? g.C + i : g.C + i * g.Ldc;
        nint step = g.TransC ? g.Ldc : 1;
        if (g.Beta == T.Zero)
            for (int j = 0; j < n; j++) c[j * step] = g.Alpha * row[j];
        else
            for (int j = 0; j < n; j++) c[j * step] = g.Alpha * row[j] + g.Beta * c[j * step];
    }

    /// <summary>row[j] += a·b[j], each element rounded as a separate multiply then add (no FMA).</summary>
    private static void AddScaled<T>(Span<T> row, T a, ReadOnlySpan<T> b) where T : unmanaged, INumber<T>
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && row.Length >= Vector<T>.Count)
        {
            var va = new Vector<T>(a);
            for (; j <= row.Length - Vector<T>.Count; j += Vector<T>.Count)
            {
                var r = new Vector<T>(row[j..]);
                (r + va * new Vector<T>(b[j..])).CopyTo(row[j..]);
            }
        }
        for (; j < row.Length; j++) row[j] += a * b[j];
    }
}
