using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

/// <summary>
/// GEMM with m = 1 or n = 1, a matrix-vector product. Each matrix element is used once, so packing would
/// cost as much as the product: the matrix is read as it lies, by dot products along its rows or by
/// accumulating its rows (four at a time) into the result.
/// </summary>
internal static unsafe class Gemv
{
    public static void Run<T>(in GemmArgs<T> g) where T : unmanaged, INumber<T>
    {
        if (g.M == 1)
        {
            // C[0, j] = alpha·Σ_p x[p]·op(B)[p, j] + beta·C[0, j], with x = op(A)[0, :].
            nint sx = g.TransA ? g.Lda : 1;
            if (g.TransB) Dots(g.B, g.Ldb, g.N, g.K, g.A, sx, g.C, 1, g.Alpha, g.Beta);
            else RowSums(g.B, g.Ldb, g.K, g.N, g.A, sx, g.C, 1, g.Alpha, g.Beta);
        }
        else
        {
            // C[i, 0] = alpha·Σ_p op(A)[i, p]·y[p] + beta·C[i, 0], with y = op(B)[:, 0].
            nint sy = g.TransB ? 1 : g.Ldb;
            if (!g.TransA) Dots(g.A, g.Lda, g.M, g.K, g.B, sy, g.C, g.Ldc, g.Alpha, g.Beta);
            else RowSums(g.A, g.Lda, g.K, g.M, g.B, sy, g.C, g.Ldc, g.Alpha, g.Beta);
        }
    }

    /// <summary><c>dst[r*sd] = alpha·(row r · x) + beta·dst[r*sd]</c> for <paramref name="count"/> rows of length <paramref name="len"/>.</summary>
    private static void Dots<T>(T* rows, nint ld, int count, int len, T* x, nint sx, T* dst, nint sd, T alpha, T beta)
        where T : unmanaged, INumber<T>
    {
        T[]? rented = null;
        ReadOnlySpan<T> xs;
        if (sx == 1 || len <= 1)
        {
            xs = new ReadOnlySpan<T>(x, len);
        }
        else
        {
            rented = ArrayPool<T>.Shared.Rent(len);
            for (int p = 0; p < len; p++) rented[p] = x[p * sx];
            xs = rented.AsSpan(0, len);
        }
        for (int r = 0; r < count; r++)
        {
            T d = alpha * TensorPrimitives.Dot(new ReadOnlySpan<T>(rows + r * ld, len), xs);
            dst[r * sd] = beta == T.Zero ? d : d + beta * dst[r * sd];
        }
        if (rented is not null) ArrayPool<T>.Shared.Return(rented);
    }

    /// <summary><c>dst[j*sd] = alpha·Σ_p coef[p*sc]·row_p[j] + beta·dst[j*sd]</c> over <paramref name="count"/> rows of length <paramref name="len"/>.</summary>
    private static void RowSums<T>(T* rows, nint ld, int count, int len, T* coef, nint sc, T* dst, nint sd, T alpha, T beta)
        where T : unmanaged, INumber<T>
    {
        T[] rented = ArrayPool<T>.Shared.Rent(len);
        fixed (T* acc = rented)
        {
            new Span<T>(acc, len).Clear();
            int p = 0;
            for (; p + 4 <= count; p += 4)
                Accumulate4(acc, len, rows + p * ld, ld, coef[p * sc], coef[(p + 1) * sc], coef[(p + 2) * sc], coef[(p + 3) * sc]);
            for (; p < count; p++)
            {
                var row = new ReadOnlySpan<T>(rows + p * ld, len);
                var sum = new Span<T>(acc, len);
                TensorPrimitives.MultiplyAdd(row, coef[p * sc], sum, sum);
            }
            for (int j = 0; j < len; j++)
                dst[j * sd] = beta == T.Zero ? alpha * acc[j] : alpha * acc[j] + beta * dst[j * sd];
        }
        ArrayPool<T>.Shared.Return(rented);
    }

    /// <summary><c>acc[j] += c0·r0[j] + c1·r1[j] + c2·r2[j] + c3·r3[j]</c> for the four rows at <paramref name="r"/> (row stride <paramref name="ld"/>).</summary>
    private static void Accumulate4<T>(T* acc, int len, T* r, nint ld, T c0, T c1, T c2, T c3) where T : unmanaged, INumber<T>
    {
        T* r0 = r, r1 = r + ld, r2 = r + 2 * ld, r3 = r + 3 * ld;
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<T> v0 = Vector512.Create(c0), v1 = Vector512.Create(c1), v2 = Vector512.Create(c2), v3 = Vector512.Create(c3);
            for (; j + Vector512<T>.Count <= len; j += Vector512<T>.Count)
            {
                Vector512<T> s = Vector512.Load(acc + j);
                s = GemmMath.MulAdd(v0, Vector512.Load(r0 + j), s);
                s = GemmMath.MulAdd(v1, Vector512.Load(r1 + j), s);
                s = GemmMath.MulAdd(v2, Vector512.Load(r2 + j), s);
                s = GemmMath.MulAdd(v3, Vector512.Load(r3 + j), s);
                s.Store(acc + j);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<T> v0 = Vector256.Create(c0), v1 = Vector256.Create(c1), v2 = Vector256.Create(c2), v3 = Vector256.Create(c3);
            for (; j + Vector256<T>.Count <= len; j += Vector256<T>.Count)
            {
                Vector256<T> s = Vector256.Load(acc + j);
                s = GemmMath.MulAdd(v0, Vector256.Load(r0 + j), s);
                s = GemmMath.MulAdd(v1, Vector256.Load(r1 + j), s);
                s = GemmMath.MulAdd(v2, Vector256.Load(r2 + j), s);
                s = GemmMath.MulAdd(v3, Vector256.Load(r3 + j), s);
                s.Store(acc + j);
            }
        }
        for (; j < len; j++) acc[j] += c0 * r0[j] + c1 * r1[j] + c2 * r2[j] + c3 * r3[j];
    }
}
