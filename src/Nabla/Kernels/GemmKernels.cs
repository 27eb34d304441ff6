using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Note [GEMM microkernels]
// A microkernel computes one MR x NR tile of C from a packed A micro-panel (kc steps of MR values,
// column of op(A) after column) and a packed B micro-panel (kc steps of NR values, row of op(B) after
// row): C[0..MR, 0..NR] = alpha * sum_p a[p] (outer) b[p] + beta * C. The accumulators live in
// registers for the whole kc loop, so each step is NR/W vector loads of B, MR broadcasts of A and
// MR*NR/W fused multiply-adds. Tiles are sized to the register file: 14 x 2 Vector512 uses 28 of the
// 32 zmm registers for accumulators (plus 2 for B and 1 for the broadcast), 6 x 2 Vector256 uses 12 of
// the 16 ymm registers. Edge tiles are computed in full into a scratch tile (the packing pads with
// zeros) and only their valid part is merged into C. See GemmDriver for the blocking around them.

/// <summary>A register-tiled GEMM microkernel over packed panels. See Note [GEMM microkernels].</summary>
internal interface IGemmKernel<T> where T : unmanaged, INumber<T>
{
    /// <summary>Rows of the C tile (and values per step of a packed A micro-panel).</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the C tile (and values per step of a packed B micro-panel).</summary>
    static abstract int NR { get; }

    /// <summary>
    /// C[i, j] = alpha * sum_p a[p*MR + i] * b[p*NR + j] + beta * C[i, j] for the full MR x NR tile at
    /// <paramref name="c"/> with row stride <paramref name="ldc"/>; C is not read when beta is zero.
    /// </summary>
    static abstract unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta);
}

/// <summary>Fused multiply-add on generic vectors, resolved per element type when the JIT specialises.</summary>
internal static class GemmMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<T> MulAdd<T>(Vector512<T> a, Vector512<T> b, Vector512<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<T> MulAdd<T>(Vector256<T> a, Vector256<T> b, Vector256<T> c)
    {
        if (typeof(T) == typeof(float))
            return Vector256.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();
        return a * b + c;
    }
}

/// <summary>Portable 4 x 4 scalar microkernel, used where no suitable vector unit is available.</summary>
internal readonly struct ScalarKernel4x4<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 4;
    public static int NR => 4;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        T c00 = T.Zero, c01 = T.Zero, c02 = T.Zero, c03 = T.Zero;
        T c10 = T.Zero, c11 = T.Zero, c12 = T.Zero, c13 = T.Zero;
        T c20 = T.Zero, c21 = T.Zero, c22 = T.Zero, c23 = T.Zero;
        T c30 = T.Zero, c31 = T.Zero, c32 = T.Zero, c33 = T.Zero;
        for (nint p = 0; p < kc; p++)
        {
            T b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            T a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            a += 4;
            b += 4;
        }
        Store(c, alpha, beta, c00, c01, c02, c03);
        Store(c + ldc, alpha, beta, c10, c11, c12, c13);
        Store(c + 2 * ldc, alpha, beta, c20, c21, c22, c23);
        Store(c + 3 * ldc, alpha, beta, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(T* c, T alpha, T beta, T v0, T v1, T v2, T v3)
    {
        if (beta == T.Zero)
        {
            c[0] = alpha * v0; c[1] = alpha * v1; c[2] = alpha * v2; c[3] = alpha * v3;
        }
        else
        {
            c[0] = alpha * v0 + beta * c[0]; c[1] = alpha * v1 + beta * c[1];
            c[2] = alpha * v2 + beta * c[2]; c[3] = alpha * v3 + beta * c[3];
        }
    }
}

/// <summary>14 rows by 2 Vector512 columns</summary>
internal readonly struct Vector512Kernel14x2<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 14;
    public static int NR => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        Vector512<T> c120 = default, c121 = default;
        Vector512<T> c130 = default, c131 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b); Vector512<T> b1 = Vector512.Load(b + 1 * Vector512<T>.Count);
            Vector512<T> a0 = Vector512.Create(a[0]); c00 = GemmMath.MulAdd(a0, b0, c00); c01 = GemmMath.MulAdd(a0, b1, c01);
            Vector512<T> a1 = Vector512.Create(a[1]); c10 = GemmMath.MulAdd(a1, b0, c10); c11 = GemmMath.MulAdd(a1, b1, c11);
            Vector512<T> a2 = Vector512.Create(a[2]); c20 = GemmMath.MulAdd(a2, b0, c20); c21 = GemmMath.MulAdd(a2, b1, c21);
            Vector512<T> a3 = Vector512.Create(a[3]); c30 = GemmMath.MulAdd(a3, b0, c30); c31 = GemmMath.MulAdd(a3, b1, c31);
            Vector512<T> a4 = Vector512.Create(a[4]); c40 = GemmMath.MulAdd(a4, b0, c40); c41 = GemmMath.MulAdd(a4, b1, c41);
            Vector512<T> a5 = Vector512.Create(a[5]); c50 = GemmMath.MulAdd(a5, b0, c50); c51 = GemmMath.MulAdd(a5, b1, c51);
            Vector512<T> a6 = Vector512.Create(a[6]); c60 = GemmMath.MulAdd(a6, b0, c60); c61 = GemmMath.MulAdd(a6, b1, c61);
            Vector512<T> a7 = Vector512.Create(a[7]); c70 = GemmMath.MulAdd(a7, b0, c70); c71 = GemmMath.MulAdd(a7, b1, c71);
            Vector512<T> a8 = Vector512.Create(a[8]); c80 = GemmMath.MulAdd(a8, b0, c80); c81 = GemmMath.MulAdd(a8, b1, c81);
            Vector512<T> a9 = Vector512.Create(a[9]); c90 = GemmMath.MulAdd(a9, b0, c90); c91 = GemmMath.MulAdd(a9, b1, c91);
            Vector512<T> a10 = Vector512.Create(a[10]); c100 = GemmMath.MulAdd(a10, b0, c100); c101 = GemmMath.MulAdd(a10, b1, c101);
            Vector512<T> a11 = Vector512.Create(a[11]); c110 = GemmMath.MulAdd(a11, b0, c110); c111 = GemmMath.MulAdd(a11, b1, c111);
            Vector512<T> a12 = Vector512.Create(a[12]); c120 = GemmMath.MulAdd(a12, b0, c120); c121 = GemmMath.MulAdd(a12, b1, c121);
            Vector512<T> a13 = Vector512.Create(a[13]); c130 = GemmMath.MulAdd(a13, b0, c130); c131 = GemmMath.MulAdd(a13, b1, c131);
            a += 14;
            b += 2 * Vector512<T>.Count;
        }
        var va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            (va * c00).Store(c + 0 * ldc); (va * c01).Store(c + 0 * ldc + 1 * Vector512<T>.Count);
            (va * c10).Store(c + 1 * ldc); (va * c11).Store(c + 1 * ldc + 1 * Vector512<T>.Count);
            (va * c20).Store(c + 2 * ldc); (va * c21).Store(c + 2 * ldc + 1 * Vector512<T>.Count);
            (va * c30).Store(c + 3 * ldc); (va * c31).Store(c + 3 * ldc + 1 * Vector512<T>.Count);
            (va * c40).Store(c + 4 * ldc); (va * c41).Store(c + 4 * ldc + 1 * Vector512<T>.Count);
            (va * c50).Store(c + 5 * ldc); (va * c51).Store(c + 5 * ldc + 1 * Vector512<T>.Count);
            (va * c60).Store(c + 6 * ldc); (va * c61).Store(c + 6 * ldc + 1 * Vector512<T>.Count);
            (va * c70).Store(c + 7 * ldc); (va * c71).Store(c + 7 * ldc + 1 * Vector512<T>.Count);
            (va * c80).Store(c + 8 * ldc); (va * c81).Store(c + 8 * ldc + 1 * Vector512<T>.Count);
            (va * c90).Store(c + 9 * ldc); (va * c91).Store(c + 9 * ldc + 1 * Vector512<T>.Count);
            (va * c100).Store(c + 10 * ldc); (va * c101).Store(c + 10 * ldc + 1 * Vector512<T>.Count);
            (va * c110).Store(c + 11 * ldc); (va * c111).Store(c + 11 * ldc + 1 * Vector512<T>.Count);
            (va * c120).Store(c + 12 * ldc); (va * c121).Store(c + 12 * ldc + 1 * Vector512<T>.Count);
            (va * c130).Store(c + 13 * ldc); (va * c131).Store(c + 13 * ldc + 1 * Vector512<T>.Count);
        }
        else
        {
            var vb = Vector512.Create(beta);
            GemmMath.MulAdd(va, c00, vb * Vector512.Load(c + 0 * ldc)).Store(c + 0 * ldc); GemmMath.MulAdd(va, c01, vb * Vector512.Load(c + 0 * ldc + 1 * Vector512<T>.Count)).Store(c + 0 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c10, vb * Vector512.Load(c + 1 * ldc)).Store(c + 1 * ldc); GemmMath.MulAdd(va, c11, vb * Vector512.Load(c + 1 * ldc + 1 * Vector512<T>.Count)).Store(c + 1 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c20, vb * Vector512.Load(c + 2 * ldc)).Store(c + 2 * ldc); GemmMath.MulAdd(va, c21, vb * Vector512.Load(c + 2 * ldc + 1 * Vector512<T>.Count)).Store(c + 2 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c30, vb * Vector512.Load(c + 3 * ldc)).Store(c + 3 * ldc); GemmMath.MulAdd(va, c31, vb * Vector512.Load(c + 3 * ldc + 1 * Vector512<T>.Count)).Store(c + 3 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c40, vb * Vector512.Load(c + 4 * ldc)).Store(c + 4 * ldc); GemmMath.MulAdd(va, c41, vb * Vector512.Load(c + 4 * ldc + 1 * Vector512<T>.Count)).Store(c + 4 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c50, vb * Vector512.Load(c + 5 * ldc)).Store(c + 5 * ldc); GemmMath.MulAdd(va, c51, vb * Vector512.Load(c + 5 * ldc + 1 * Vector512<T>.Count)).Store(c + 5 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c60, vb * Vector512.Load(c + 6 * ldc)).Store(c + 6 * ldc); GemmMath.MulAdd(va, c61, vb * Vector512.Load(c + 6 * ldc + 1 * Vector512<T>.Count)).Store(c + 6 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c70, vb * Vector512.Load(c + 7 * ldc)).Store(c + 7 * ldc); GemmMath.MulAdd(va, c71, vb * Vector512.Load(c + 7 * ldc + 1 * Vector512<T>.Count)).Store(c + 7 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c80, vb * Vector512.Load(c + 8 * ldc)).Store(c + 8 * ldc); GemmMath.MulAdd(va, c81, vb * Vector512.Load(c + 8 * ldc + 1 * Vector512<T>.Count)).Store(c + 8 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c90, vb * Vector512.Load(c + 9 * ldc)).Store(c + 9 * ldc); GemmMath.MulAdd(va, c91, vb * Vector512.Load(c + 9 * ldc + 1 * Vector512<T>.Count)).Store(c + 9 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c100, vb * Vector512.Load(c + 10 * ldc)).Store(c + 10 * ldc); GemmMath.MulAdd(va, c101, vb * Vector512.Load(c + 10 * ldc + 1 * Vector512<T>.Count)).Store(c + 10 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c110, vb * Vector512.Load(c + 11 * ldc)).Store(c + 11 * ldc); GemmMath.MulAdd(va, c111, vb * Vector512.Load(c + 11 * ldc + 1 * Vector512<T>.Count)).Store(c + 11 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c120, vb * Vector512.Load(c + 12 * ldc)).Store(c + 12 * ldc); GemmMath.MulAdd(va, c121, vb * Vector512.Load(c + 12 * ldc + 1 * Vector512<T>.Count)).Store(c + 12 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c130, vb * Vector512.Load(c + 13 * ldc)).Store(c + 13 * ldc); GemmMath.MulAdd(va, c131, vb * Vector512.Load(c + 13 * ldc + 1 * Vector512<T>.Count)).Store(c + 13 * ldc + 1 * Vector512<T>.Count);
        }
    }
}

/// <summary>12 rows by 2 Vector512 columns</summary>
internal readonly struct Vector512Kernel12x2<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 12;
    public static int NR => 2 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        Vector512<T> c00 = default, c01 = default;
        Vector512<T> c10 = default, c11 = default;
        Vector512<T> c20 = default, c21 = default;
        Vector512<T> c30 = default, c31 = default;
        Vector512<T> c40 = default, c41 = default;
        Vector512<T> c50 = default, c51 = default;
        Vector512<T> c60 = default, c61 = default;
        Vector512<T> c70 = default, c71 = default;
        Vector512<T> c80 = default, c81 = default;
        Vector512<T> c90 = default, c91 = default;
        Vector512<T> c100 = default, c101 = default;
        Vector512<T> c110 = default, c111 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b); Vector512<T> b1 = Vector512.Load(b + 1 * Vector512<T>.Count);
            Vector512<T> a0 = Vector512.Create(a[0]); c00 = GemmMath.MulAdd(a0, b0, c00); c01 = GemmMath.MulAdd(a0, b1, c01);
            Vector512<T> a1 = Vector512.Create(a[1]); c10 = GemmMath.MulAdd(a1, b0, c10); c11 = GemmMath.MulAdd(a1, b1, c11);
            Vector512<T> a2 = Vector512.Create(a[2]); c20 = GemmMath.MulAdd(a2, b0, c20); c21 = GemmMath.MulAdd(a2, b1, c21);
            Vector512<T> a3 = Vector512.Create(a[3]); c30 = GemmMath.MulAdd(a3, b0, c30); c31 = GemmMath.MulAdd(a3, b1, c31);
            Vector512<T> a4 = Vector512.Create(a[4]); c40 = GemmMath.MulAdd(a4, b0, c40); c41 = GemmMath.MulAdd(a4, b1, c41);
            Vector512<T> a5 = Vector512.Create(a[5]); c50 = GemmMath.MulAdd(a5, b0, c50); c51 = GemmMath.MulAdd(a5, b1, c51);
            Vector512<T> a6 = Vector512.Create(a[6]); c60 = GemmMath.MulAdd(a6, b0, c60); c61 = GemmMath.MulAdd(a6, b1, c61);
            Vector512<T> a7 = Vector512.Create(a[7]); c70 = GemmMath.MulAdd(a7, b0, c70); c71 = GemmMath.MulAdd(a7, b1, c71);
            Vector512<T> a8 = Vector512.Create(a[8]); c80 = GemmMath.MulAdd(a8, b0, c80); c81 = GemmMath.MulAdd(a8, b1, c81);
            Vector512<T> a9 = Vector512.Create(a[9]); c90 = GemmMath.MulAdd(a9, b0, c90); c91 = GemmMath.MulAdd(a9, b1, c91);
            Vector512<T> a10 = Vector512.Create(a[10]); c100 = GemmMath.MulAdd(a10, b0, c100); c101 = GemmMath.MulAdd(a10, b1, c101);
            Vector512<T> a11 = Vector512.Create(a[11]); c110 = GemmMath.MulAdd(a11, b0, c110); c111 = GemmMath.MulAdd(a11, b1, c111);
            a += 12;
            b += 2 * Vector512<T>.Count;
        }
        var va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            (va * c00).Store(c + 0 * ldc); (va * c01).Store(c + 0 * ldc + 1 * Vector512<T>.Count);
            (va * c10).Store(c + 1 * ldc); (va * c11).Store(c + 1 * ldc + 1 * Vector512<T>.Count);
            (va * c20).Store(c + 2 * ldc); (va * c21).Store(c + 2 * ldc + 1 * Vector512<T>.Count);
            (va * c30).Store(c + 3 * ldc); (va * c31).Store(c + 3 * ldc + 1 * Vector512<T>.Count);
            (va * c40).Store(c + 4 * ldc); (va * c41).Store(c + 4 * ldc + 1 * Vector512<T>.Count);
            (va * c50).Store(c + 5 * ldc); (va * c51).Store(c + 5 * ldc + 1 * Vector512<T>.Count);
            (va * c60).Store(c + 6 * ldc); (va * c61).Store(c + 6 * ldc + 1 * Vector512<T>.Count);
            (va * c70).Store(c + 7 * ldc); (va * c71).Store(c + 7 * ldc + 1 * Vector512<T>.Count);
            (va * c80).Store(c + 8 * ldc); (va * c81).Store(c + 8 * ldc + 1 * Vector512<T>.Count);
            (va * c90).Store(c + 9 * ldc); (va * c91).Store(c + 9 * ldc + 1 * Vector512<T>.Count);
            (va * c100).Store(c + 10 * ldc); (va * c101).Store(c + 10 * ldc + 1 * Vector512<T>.Count);
            (va * c110).Store(c + 11 * ldc); (va * c111).Store(c + 11 * ldc + 1 * Vector512<T>.Count);
        }
        else
        {
            var vb = Vector512.Create(beta);
            GemmMath.MulAdd(va, c00, vb * Vector512.Load(c + 0 * ldc)).Store(c + 0 * ldc); GemmMath.MulAdd(va, c01, vb * Vector512.Load(c + 0 * ldc + 1 * Vector512<T>.Count)).Store(c + 0 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c10, vb * Vector512.Load(c + 1 * ldc)).Store(c + 1 * ldc); GemmMath.MulAdd(va, c11, vb * Vector512.Load(c + 1 * ldc + 1 * Vector512<T>.Count)).Store(c + 1 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c20, vb * Vector512.Load(c + 2 * ldc)).Store(c + 2 * ldc); GemmMath.MulAdd(va, c21, vb * Vector512.Load(c + 2 * ldc + 1 * Vector512<T>.Count)).Store(c + 2 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c30, vb * Vector512.Load(c + 3 * ldc)).Store(c + 3 * ldc); GemmMath.MulAdd(va, c31, vb * Vector512.Load(c + 3 * ldc + 1 * Vector512<T>.Count)).Store(c + 3 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c40, vb * Vector512.Load(c + 4 * ldc)).Store(c + 4 * ldc); GemmMath.MulAdd(va, c41, vb * Vector512.Load(c + 4 * ldc + 1 * Vector512<T>.Count)).Store(c + 4 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c50, vb * Vector512.Load(c + 5 * ldc)).Store(c + 5 * ldc); GemmMath.MulAdd(va, c51, vb * Vector512.Load(c + 5 * ldc + 1 * Vector512<T>.Count)).Store(c + 5 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c60, vb * Vector512.Load(c + 6 * ldc)).Store(c + 6 * ldc); GemmMath.MulAdd(va, c61, vb * Vector512.Load(c + 6 * ldc + 1 * Vector512<T>.Count)).Store(c + 6 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c70, vb * Vector512.Load(c + 7 * ldc)).Store(c + 7 * ldc); GemmMath.MulAdd(va, c71, vb * Vector512.Load(c + 7 * ldc + 1 * Vector512<T>.Count)).Store(c + 7 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c80, vb * Vector512.Load(c + 8 * ldc)).Store(c + 8 * ldc); GemmMath.MulAdd(va, c81, vb * Vector512.Load(c + 8 * ldc + 1 * Vector512<T>.Count)).Store(c + 8 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c90, vb * Vector512.Load(c + 9 * ldc)).Store(c + 9 * ldc); GemmMath.MulAdd(va, c91, vb * Vector512.Load(c + 9 * ldc + 1 * Vector512<T>.Count)).Store(c + 9 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c100, vb * Vector512.Load(c + 10 * ldc)).Store(c + 10 * ldc); GemmMath.MulAdd(va, c101, vb * Vector512.Load(c + 10 * ldc + 1 * Vector512<T>.Count)).Store(c + 10 * ldc + 1 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c110, vb * Vector512.Load(c + 11 * ldc)).Store(c + 11 * ldc); GemmMath.MulAdd(va, c111, vb * Vector512.Load(c + 11 * ldc + 1 * Vector512<T>.Count)).Store(c + 11 * ldc + 1 * Vector512<T>.Count);
        }
    }
}

/// <summary>8 rows by 3 Vector512 columns</summary>
internal readonly struct Vector512Kernel8x3<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 8;
    public static int NR => 3 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        Vector512<T> c00 = default, c01 = default, c02 = default;
        Vector512<T> c10 = default, c11 = default, c12 = default;
        Vector512<T> c20 = default, c21 = default, c22 = default;
        Vector512<T> c30 = default, c31 = default, c32 = default;
        Vector512<T> c40 = default, c41 = default, c42 = default;
        Vector512<T> c50 = default, c51 = default, c52 = default;
        Vector512<T> c60 = default, c61 = default, c62 = default;
        Vector512<T> c70 = default, c71 = default, c72 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b); Vector512<T> b1 = Vector512.Load(b + 1 * Vector512<T>.Count); Vector512<T> b2 = Vector512.Load(b + 2 * Vector512<T>.Count);
            Vector512<T> a0 = Vector512.Create(a[0]); c00 = GemmMath.MulAdd(a0, b0, c00); c01 = GemmMath.MulAdd(a0, b1, c01); c02 = GemmMath.MulAdd(a0, b2, c02);
            Vector512<T> a1 = Vector512.Create(a[1]); c10 = GemmMath.MulAdd(a1, b0, c10); c11 = GemmMath.MulAdd(a1, b1, c11); c12 = GemmMath.MulAdd(a1, b2, c12);
            Vector512<T> a2 = Vector512.Create(a[2]); c20 = GemmMath.MulAdd(a2, b0, c20); c21 = GemmMath.MulAdd(a2, b1, c21); c22 = GemmMath.MulAdd(a2, b2, c22);
            Vector512<T> a3 = Vector512.Create(a[3]); c30 = GemmMath.MulAdd(a3, b0, c30); c31 = GemmMath.MulAdd(a3, b1, c31); c32 = GemmMath.MulAdd(a3, b2, c32);
            Vector512<T> a4 = Vector512.Create(a[4]); c40 = GemmMath.MulAdd(a4, b0, c40); c41 = GemmMath.MulAdd(a4, b1, c41); c42 = GemmMath.MulAdd(a4, b2, c42);
            Vector512<T> a5 = Vector512.Create(a[5]); c50 = GemmMath.MulAdd(a5, b0, c50); c51 = GemmMath.MulAdd(a5, b1, c51); c52 = GemmMath.MulAdd(a5, b2, c52);
            Vector512<T> a6 = Vector512.Create(a[6]); c60 = GemmMath.MulAdd(a6, b0, c60); c61 = GemmMath.MulAdd(a6, b1, c61); c62 = GemmMath.MulAdd(a6, b2, c62);
            Vector512<T> a7 = Vector512.Create(a[7]); c70 = GemmMath.MulAdd(a7, b0, c70); c71 = GemmMath.MulAdd(a7, b1, c71); c72 = GemmMath.MulAdd(a7, b2, c72);
            a += 8;
            b += 3 * Vector512<T>.Count;
        }
        var va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            (va * c00).Store(c + 0 * ldc); (va * c01).Store(c + 0 * ldc + 1 * Vector512<T>.Count); (va * c02).Store(c + 0 * ldc + 2 * Vector512<T>.Count);
            (va * c10).Store(c + 1 * ldc); (va * c11).Store(c + 1 * ldc + 1 * Vector512<T>.Count); (va * c12).Store(c + 1 * ldc + 2 * Vector512<T>.Count);
            (va * c20).Store(c + 2 * ldc); (va * c21).Store(c + 2 * ldc + 1 * Vector512<T>.Count); (va * c22).Store(c + 2 * ldc + 2 * Vector512<T>.Count);
            (va * c30).Store(c + 3 * ldc); (va * c31).Store(c + 3 * ldc + 1 * Vector512<T>.Count); (va * c32).Store(c + 3 * ldc + 2 * Vector512<T>.Count);
            (va * c40).Store(c + 4 * ldc); (va * c41).Store(c + 4 * ldc + 1 * Vector512<T>.Count); (va * c42).Store(c + 4 * ldc + 2 * Vector512<T>.Count);
            (va * c50).Store(c + 5 * ldc); (va * c51).Store(c + 5 * ldc + 1 * Vector512<T>.Count); (va * c52).Store(c + 5 * ldc + 2 * Vector512<T>.Count);
            (va * c60).Store(c + 6 * ldc); (va * c61).Store(c + 6 * ldc + 1 * Vector512<T>.Count); (va * c62).Store(c + 6 * ldc + 2 * Vector512<T>.Count);
            (va * c70).Store(c + 7 * ldc); (va * c71).Store(c + 7 * ldc + 1 * Vector512<T>.Count); (va * c72).Store(c + 7 * ldc + 2 * Vector512<T>.Count);
        }
        else
        {
            var vb = Vector512.Create(beta);
            GemmMath.MulAdd(va, c00, vb * Vector512.Load(c + 0 * ldc)).Store(c + 0 * ldc); GemmMath.MulAdd(va, c01, vb * Vector512.Load(c + 0 * ldc + 1 * Vector512<T>.Count)).Store(c + 0 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c02, vb * Vector512.Load(c + 0 * ldc + 2 * Vector512<T>.Count)).Store(c + 0 * ldc + 2 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c10, vb * Vector512.Load(c + 1 * ldc)).Store(c + 1 * ldc); GemmMath.MulAdd(va, c11, vb * Vector512.Load(c + 1 * ldc + 1 * Vector512<T>.Count)).Store(c + 1 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c12, vb * Vector512.Load(c + 1 * ldc + 2 * Vector512<T>.Count)).Store(c + 1 * ldc + 2 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c20, vb * Vector512.Load(c + 2 * ldc)).Store(c + 2 * ldc); GemmMath.MulAdd(va, c21, vb * Vector512.Load(c + 2 * ldc + 1 * Vector512<T>.Count)).Store(c + 2 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c22, vb * Vector512.Load(c + 2 * ldc + 2 * Vector512<T>.Count)).Store(c + 2 * ldc + 2 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c30, vb * Vector512.Load(c + 3 * ldc)).Store(c + 3 * ldc); GemmMath.MulAdd(va, c31, vb * Vector512.Load(c + 3 * ldc + 1 * Vector512<T>.Count)).Store(c + 3 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c32, vb * Vector512.Load(c + 3 * ldc + 2 * Vector512<T>.Count)).Store(c + 3 * ldc + 2 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c40, vb * Vector512.Load(c + 4 * ldc)).Store(c + 4 * ldc); GemmMath.MulAdd(va, c41, vb * Vector512.Load(c + 4 * ldc + 1 * Vector512<T>.Count)).Store(c + 4 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c42, vb * Vector512.Load(c + 4 * ldc + 2 * Vector512<T>.Count)).Store(c + 4 * ldc + 2 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c50, vb * Vector512.Load(c + 5 * ldc)).Store(c + 5 * ldc); GemmMath.MulAdd(va, c51, vb * Vector512.Load(c + 5 * ldc + 1 * Vector512<T>.Count)).Store(c + 5 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c52, vb * Vector512.Load(c + 5 * ldc + 2 * Vector512<T>.Count)).Store(c + 5 * ldc + 2 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c60, vb * Vector512.Load(c + 6 * ldc)).Store(c + 6 * ldc); GemmMath.MulAdd(va, c61, vb * Vector512.Load(c + 6 * ldc + 1 * Vector512<T>.Count)).Store(c + 6 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c62, vb * Vector512.Load(c + 6 * ldc + 2 * Vector512<T>.Count)).Store(c + 6 * ldc + 2 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c70, vb * Vector512.Load(c + 7 * ldc)).Store(c + 7 * ldc); GemmMath.MulAdd(va, c71, vb * Vector512.Load(c + 7 * ldc + 1 * Vector512<T>.Count)).Store(c + 7 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c72, vb * Vector512.Load(c + 7 * ldc + 2 * Vector512<T>.Count)).Store(c + 7 * ldc + 2 * Vector512<T>.Count);
        }
    }
}

/// <summary>6 rows by 4 Vector512 columns</summary>
internal readonly struct Vector512Kernel6x4<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 6;
    public static int NR => 4 * Vector512<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        Vector512<T> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<T> c10 = default, c11 = default, c12 = default, c13 = default;
        Vector512<T> c20 = default, c21 = default, c22 = default, c23 = default;
        Vector512<T> c30 = default, c31 = default, c32 = default, c33 = default;
        Vector512<T> c40 = default, c41 = default, c42 = default, c43 = default;
        Vector512<T> c50 = default, c51 = default, c52 = default, c53 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b); Vector512<T> b1 = Vector512.Load(b + 1 * Vector512<T>.Count); Vector512<T> b2 = Vector512.Load(b + 2 * Vector512<T>.Count); Vector512<T> b3 = Vector512.Load(b + 3 * Vector512<T>.Count);
            Vector512<T> a0 = Vector512.Create(a[0]); c00 = GemmMath.MulAdd(a0, b0, c00); c01 = GemmMath.MulAdd(a0, b1, c01); c02 = GemmMath.MulAdd(a0, b2, c02); c03 = GemmMath.MulAdd(a0, b3, c03);
            Vector512<T> a1 = Vector512.Create(a[1]); c10 = GemmMath.MulAdd(a1, b0, c10); c11 = GemmMath.MulAdd(a1, b1, c11); c12 = GemmMath.MulAdd(a1, b2, c12); c13 = GemmMath.MulAdd(a1, b3, c13);
            Vector512<T> a2 = Vector512.Create(a[2]); c20 = GemmMath.MulAdd(a2, b0, c20); c21 = GemmMath.MulAdd(a2, b1, c21); c22 = GemmMath.MulAdd(a2, b2, c22); c23 = GemmMath.MulAdd(a2, b3, c23);
            Vector512<T> a3 = Vector512.Create(a[3]); c30 = GemmMath.MulAdd(a3, b0, c30); c31 = GemmMath.MulAdd(a3, b1, c31); c32 = GemmMath.MulAdd(a3, b2, c32); c33 = GemmMath.MulAdd(a3, b3, c33);
            Vector512<T> a4 = Vector512.Create(a[4]); c40 = GemmMath.MulAdd(a4, b0, c40); c41 = GemmMath.MulAdd(a4, b1, c41); c42 = GemmMath.MulAdd(a4, b2, c42); c43 = GemmMath.MulAdd(a4, b3, c43);
            Vector512<T> a5 = Vector512.Create(a[5]); c50 = GemmMath.MulAdd(a5, b0, c50); c51 = GemmMath.MulAdd(a5, b1, c51); c52 = GemmMath.MulAdd(a5, b2, c52); c53 = GemmMath.MulAdd(a5, b3, c53);
            a += 6;
            b += 4 * Vector512<T>.Count;
        }
        var va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            (va * c00).Store(c + 0 * ldc); (va * c01).Store(c + 0 * ldc + 1 * Vector512<T>.Count); (va * c02).Store(c + 0 * ldc + 2 * Vector512<T>.Count); (va * c03).Store(c + 0 * ldc + 3 * Vector512<T>.Count);
            (va * c10).Store(c + 1 * ldc); (va * c11).Store(c + 1 * ldc + 1 * Vector512<T>.Count); (va * c12).Store(c + 1 * ldc + 2 * Vector512<T>.Count); (va * c13).Store(c + 1 * ldc + 3 * Vector512<T>.Count);
            (va * c20).Store(c + 2 * ldc); (va * c21).Store(c + 2 * ldc + 1 * Vector512<T>.Count); (va * c22).Store(c + 2 * ldc + 2 * Vector512<T>.Count); (va * c23).Store(c + 2 * ldc + 3 * Vector512<T>.Count);
            (va * c30).Store(c + 3 * ldc); (va * c31).Store(c + 3 * ldc + 1 * Vector512<T>.Count); (va * c32).Store(c + 3 * ldc + 2 * Vector512<T>.Count); (va * c33).Store(c + 3 * ldc + 3 * Vector512<T>.Count);
            (va * c40).Store(c + 4 * ldc); (va * c41).Store(c + 4 * ldc + 1 * Vector512<T>.Count); (va * c42).Store(c + 4 * ldc + 2 * Vector512<T>.Count); (va * c43).Store(c + 4 * ldc + 3 * Vector512<T>.Count);
            (va * c50).Store(c + 5 * ldc); (va * c51).Store(c + 5 * ldc + 1 * Vector512<T>.Count); (va * c52).Store(c + 5 * ldc + 2 * Vector512<T>.Count); (va * c53).Store(c + 5 * ldc + 3 * Vector512<T>.Count);
        }
        else
        {
            var vb = Vector512.Create(beta);
            GemmMath.MulAdd(va, c00, vb * Vector512.Load(c + 0 * ldc)).Store(c + 0 * ldc); GemmMath.MulAdd(va, c01, vb * Vector512.Load(c + 0 * ldc + 1 * Vector512<T>.Count)).Store(c + 0 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c02, vb * Vector512.Load(c + 0 * ldc + 2 * Vector512<T>.Count)).Store(c + 0 * ldc + 2 * Vector512<T>.Count); GemmMath.MulAdd(va, c03, vb * Vector512.Load(c + 0 * ldc + 3 * Vector512<T>.Count)).Store(c + 0 * ldc + 3 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c10, vb * Vector512.Load(c + 1 * ldc)).Store(c + 1 * ldc); GemmMath.MulAdd(va, c11, vb * Vector512.Load(c + 1 * ldc + 1 * Vector512<T>.Count)).Store(c + 1 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c12, vb * Vector512.Load(c + 1 * ldc + 2 * Vector512<T>.Count)).Store(c + 1 * ldc + 2 * Vector512<T>.Count); GemmMath.MulAdd(va, c13, vb * Vector512.Load(c + 1 * ldc + 3 * Vector512<T>.Count)).Store(c + 1 * ldc + 3 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c20, vb * Vector512.Load(c + 2 * ldc)).Store(c + 2 * ldc); GemmMath.MulAdd(va, c21, vb * Vector512.Load(c + 2 * ldc + 1 * Vector512<T>.Count)).Store(c + 2 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c22, vb * Vector512.Load(c + 2 * ldc + 2 * Vector512<T>.Count)).Store(c + 2 * ldc + 2 * Vector512<T>.Count); GemmMath.MulAdd(va, c23, vb * Vector512.Load(c + 2 * ldc + 3 * Vector512<T>.Count)).Store(c + 2 * ldc + 3 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c30, vb * Vector512.Load(c + 3 * ldc)).Store(c + 3 * ldc); GemmMath.MulAdd(va, c31, vb * Vector512.Load(c + 3 * ldc + 1 * Vector512<T>.Count)).Store(c + 3 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c32, vb * Vector512.Load(c + 3 * ldc + 2 * Vector512<T>.Count)).Store(c + 3 * ldc + 2 * Vector512<T>.Count); GemmMath.MulAdd(va, c33, vb * Vector512.Load(c + 3 * ldc + 3 * Vector512<T>.Count)).Store(c + 3 * ldc + 3 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c40, vb * Vector512.Load(c + 4 * ldc)).Store(c + 4 * ldc); GemmMath.MulAdd(va, c41, vb * Vector512.Load(c + 4 * ldc + 1 * Vector512<T>.Count)).Store(c + 4 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c42, vb * Vector512.Load(c + 4 * ldc + 2 * Vector512<T>.Count)).Store(c + 4 * ldc + 2 * Vector512<T>.Count); GemmMath.MulAdd(va, c43, vb * Vector512.Load(c + 4 * ldc + 3 * Vector512<T>.Count)).Store(c + 4 * ldc + 3 * Vector512<T>.Count);
            GemmMath.MulAdd(va, c50, vb * Vector512.Load(c + 5 * ldc)).Store(c + 5 * ldc); GemmMath.MulAdd(va, c51, vb * Vector512.Load(c + 5 * ldc + 1 * Vector512<T>.Count)).Store(c + 5 * ldc + 1 * Vector512<T>.Count); GemmMath.MulAdd(va, c52, vb * Vector512.Load(c + 5 * ldc + 2 * Vector512<T>.Count)).Store(c + 5 * ldc + 2 * Vector512<T>.Count); GemmMath.MulAdd(va, c53, vb * Vector512.Load(c + 5 * ldc + 3 * Vector512<T>.Count)).Store(c + 5 * ldc + 3 * Vector512<T>.Count);
        }
    }
}

/// <summary>6 rows by 2 Vector256 columns</summary>
internal readonly struct Vector256Kernel6x2<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 6;
    public static int NR => 2 * Vector256<T>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        Vector256<T> c00 = default, c01 = default;
        Vector256<T> c10 = default, c11 = default;
        Vector256<T> c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default;
        Vector256<T> c40 = default, c41 = default;
        Vector256<T> c50 = default, c51 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b); Vector256<T> b1 = Vector256.Load(b + 1 * Vector256<T>.Count);
            Vector256<T> a0 = Vector256.Create(a[0]); c00 = GemmMath.MulAdd(a0, b0, c00); c01 = GemmMath.MulAdd(a0, b1, c01);
            Vector256<T> a1 = Vector256.Create(a[1]); c10 = GemmMath.MulAdd(a1, b0, c10); c11 = GemmMath.MulAdd(a1, b1, c11);
            Vector256<T> a2 = Vector256.Create(a[2]); c20 = GemmMath.MulAdd(a2, b0, c20); c21 = GemmMath.MulAdd(a2, b1, c21);
            Vector256<T> a3 = Vector256.Create(a[3]); c30 = GemmMath.MulAdd(a3, b0, c30); c31 = GemmMath.MulAdd(a3, b1, c31);
            Vector256<T> a4 = Vector256.Create(a[4]); c40 = GemmMath.MulAdd(a4, b0, c40); c41 = GemmMath.MulAdd(a4, b1, c41);
            Vector256<T> a5 = Vector256.Create(a[5]); c50 = GemmMath.MulAdd(a5, b0, c50); c51 = GemmMath.MulAdd(a5, b1, c51);
            a += 6;
            b += 2 * Vector256<T>.Count;
        }
        var va = Vector256.Create(alpha);
        if (beta == T.Zero)
        {
            (va * c00).Store(c + 0 * ldc); (va * c01).Store(c + 0 * ldc + 1 * Vector256<T>.Count);
            (va * c10).Store(c + 1 * ldc); (va * c11).Store(c + 1 * ldc + 1 * Vector256<T>.Count);
            (va * c20).Store(c + 2 * ldc); (va * c21).Store(c + 2 * ldc + 1 * Vector256<T>.Count);
            (va * c30).Store(c + 3 * ldc); (va * c31).Store(c + 3 * ldc + 1 * Vector256<T>.Count);
            (va * c40).Store(c + 4 * ldc); (va * c41).Store(c + 4 * ldc + 1 * Vector256<T>.Count);
            (va * c50).Store(c + 5 * ldc); (va * c51).Store(c + 5 * ldc + 1 * Vector256<T>.Count);
        }
        else
        {
            var vb = Vector256.Create(beta);
            GemmMath.MulAdd(va, c00, vb * Vector256.Load(c + 0 * ldc)).Store(c + 0 * ldc); GemmMath.MulAdd(va, c01, vb * Vector256.Load(c + 0 * ldc + 1 * Vector256<T>.Count)).Store(c + 0 * ldc + 1 * Vector256<T>.Count);
            GemmMath.MulAdd(va, c10, vb * Vector256.Load(c + 1 * ldc)).Store(c + 1 * ldc); GemmMath.MulAdd(va, c11, vb * Vector256.Load(c + 1 * ldc + 1 * Vector256<T>.Count)).Store(c + 1 * ldc + 1 * Vector256<T>.Count);
            GemmMath.MulAdd(va, c20, vb * Vector256.Load(c + 2 * ldc)).Store(c + 2 * ldc); GemmMath.MulAdd(va, c21, vb * Vector256.Load(c + 2 * ldc + 1 * Vector256<T>.Count)).Store(c + 2 * ldc + 1 * Vector256<T>.Count);
            GemmMath.MulAdd(va, c30, vb * Vector256.Load(c + 3 * ldc)).Store(c + 3 * ldc); GemmMath.MulAdd(va, c31, vb * Vector256.Load(c + 3 * ldc + 1 * Vector256<T>.Count)).Store(c + 3 * ldc + 1 * Vector256<T>.Count);
            GemmMath.MulAdd(va, c40, vb * Vector256.Load(c + 4 * ldc)).Store(c + 4 * ldc); GemmMath.MulAdd(va, c41, vb * Vector256.Load(c + 4 * ldc + 1 * Vector256<T>.Count)).Store(c + 4 * ldc + 1 * Vector256<T>.Count);
            GemmMath.MulAdd(va, c50, vb * Vector256.Load(c + 5 * ldc)).Store(c + 5 * ldc); GemmMath.MulAdd(va, c51, vb * Vector256.Load(c + 5 * ldc + 1 * Vector256<T>.Count)).Store(c + 5 * ldc + 1 * Vector256<T>.Count);
        }
    }
}

