using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>
/// The transposing copy at the heart of packing a row-major A block or a transposed B block: the packed
/// panel wants, for each step p along K, the values of consecutive rows side by side. Done in 8x8 (float)
/// or 4x4 (double) register transposes where AVX is available, scalar elsewhere and at the ragged edges.
/// </summary>
internal static unsafe class GemmPack
{
    /// <summary><c>dst[q*dstStride + r] = src[r*ld + q]</c> for <c>r &lt; rows</c>, <c>q &lt; cols</c>.</summary>
    public static void Transpose<T>(T* src, nint ld, int rows, int cols, T* dst, nint dstStride) where T : unmanaged
    {
        int r = 0;
        if (Avx.IsSupported && typeof(T) == typeof(float))
        {
            float* s = (float*)src, d = (float*)dst;
            if (rows == 6 && dstStride == 6)
            {
                // The A panel of the 6-row microkernel (Note [Six-row panels]).
                int q = 0;
                for (; q + 8 <= cols; q += 8) Transpose6x8(s + q, ld, d + q * 6);
                Scalar(src + q, ld, 6, cols - q, dst + q * 6, 6);
                return;
            }
            for (; r + 8 <= rows; r += 8)
            {
                int q = 0;
                for (; q + 8 <= cols; q += 8) Transpose8x8(s + r * ld + q, ld, d + q * dstStride + r, dstStride);
                Scalar(src + r * ld + q, ld, 8, cols - q, dst + q * dstStride + r, dstStride);
            }
            for (; r + 4 <= rows; r += 4)
            {
                int q = 0;
                for (; q + 8 <= cols; q += 8) Transpose4x8(s + r * ld + q, ld, d + q * dstStride + r, dstStride);
                Scalar(src + r * ld + q, ld, 4, cols - q, dst + q * dstStride + r, dstStride);
            }
        }
        else if (Avx.IsSupported && typeof(T) == typeof(double))
        {
            double* s = (double*)src, d = (double*)dst;
            for (; r + 4 <= rows; r += 4)
            {
                int q = 0;
                for (; q + 4 <= cols; q += 4) Transpose4x4(s + r * ld + q, ld, d + q * dstStride + r, dstStride);
                Scalar(src + r * ld + q, ld, 4, cols - q, dst + q * dstStride + r, dstStride);
            }
        }
        Scalar(src + r * ld, ld, rows - r, cols, dst + r, dstStride);
    }

    private static void Scalar<T>(T* src, nint ld, int rows, int cols, T* dst, nint dstStride) where T : unmanaged
    {
        for (int r = 0; r < rows; r++)
        {
            T* s = src + r * ld;
            T* d = dst + r;
            for (int q = 0; q < cols; q++) d[q * dstStride] = s[q];
        }
    }

    /// <summary>8 rows of 8 floats to 8 rows of 8 floats, transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint ld, float* d, nint ds) =>
        Transpose8x8(Avx.LoadVector256(s), Avx.LoadVector256(s + ld), Avx.LoadVector256(s + 2 * ld), Avx.LoadVector256(s + 3 * ld),
            Avx.LoadVector256(s + 4 * ld), Avx.LoadVector256(s + 5 * ld), Avx.LoadVector256(s + 6 * ld), Avx.LoadVector256(s + 7 * ld), d, ds);

    /// <summary>Eight rows of 8 floats, in registers, stored transposed: <c>d[q*ds + r] = r_r[q]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* d, nint ds)
    {
        // t: pairs of rows interleaved within each 128-bit lane.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        // u: rows 0-3 (u0-u3) and 4-7 (u4-u7) of columns q (low lane) and q + 4 (high lane).
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ds, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * ds, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * ds, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * ds, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * ds, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * ds, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * ds, Avx.Permute2x128(u3, u7, 0x31));
    }

    // Note [Six-row panels]
    // A packed panel of the 6-row float microkernel holds, for each step along K, six values side by side. Six rows of
    // eight are transposed as eight (rows 6 and 7 repeat rows 0 and 1, never read past row 5) and each result row is
    // stored whole, eight floats at a stride of six, in increasing order: its two extra values land where the next row
    // goes and are overwritten by it. The last store of a panel reaches two floats past it, into the next panel (packed
    // after it) or the pack buffer's slack (GemmBuffers keeps room for it).

    /// <summary>6 rows of 8 floats to 8 rows of 6 floats, transposed, at a destination stride of 6 (Note [Six-row panels]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x8(float* s, nint ld, float* d)
    {
        Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
        Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
        Vector256<float> r4 = Avx.LoadVector256(s + 4 * ld), r5 = Avx.LoadVector256(s + 5 * ld);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t0, 0x44), u5 = Avx.Shuffle(t4, t0, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t1, 0x44), u7 = Avx.Shuffle(t5, t1, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + 6, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 12, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 18, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 24, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 30, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 36, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 42, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>4 rows of 8 floats to 8 rows of 4 floats, transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x8(float* s, nint ld, float* d, nint ds) =>
        Transpose4x8(Avx.LoadVector256(s), Avx.LoadVector256(s + ld), Avx.LoadVector256(s + 2 * ld), Avx.LoadVector256(s + 3 * ld), d, ds);

    /// <summary>Four rows of 8 floats, in registers, stored transposed: <c>d[q*ds + r] = r_r[q]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Transpose4x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3, float* d, nint ds)
    {
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        u0.GetLower().Store(d);
        u1.GetLower().Store(d + ds);
        u2.GetLower().Store(d + 2 * ds);
        u3.GetLower().Store(d + 3 * ds);
        u0.GetUpper().Store(d + 4 * ds);
        u1.GetUpper().Store(d + 5 * ds);
        u2.GetUpper().Store(d + 6 * ds);
        u3.GetUpper().Store(d + 7 * ds);
    }

    /// <summary>4 rows of 4 doubles to 4 rows of 4 doubles, transposed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(double* s, nint ld, double* d, nint ds)
    {
        Vector256<double> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
        Vector256<double> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
        Vector256<double> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<double> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Avx.Store(d, Avx.Permute2x128(t0, t2, 0x20));
        Avx.Store(d + ds, Avx.Permute2x128(t1, t3, 0x20));
        Avx.Store(d + 2 * ds, Avx.Permute2x128(t0, t2, 0x31));
        Avx.Store(d + 3 * ds, Avx.Permute2x128(t1, t3, 0x31));
    }
}
