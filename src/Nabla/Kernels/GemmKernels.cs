using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Nabla.Kernels;

// Note [GEMM microkernels]
// A microkernel computes one MR x NR tile of C from a packed A micro-panel (kc steps of MR values, column of op(A)
// after column) and a packed B micro-panel (kc steps of NR values, row of op(B) after row):
// C[0..MR, 0..NR] = alpha * sum_p a[p] (outer) b[p] + beta * C. The accumulators live in registers for the whole kc
// loop, so each step is NR/W vector loads of B, MR broadcasts of A and MR*NR/W fused multiply-adds. Tiles are sized to
// the register file: 12 x 2 Vector512 uses 24 of the 32 zmm registers for accumulators (plus 2 for B and 1 for the
// broadcast), 6 x 2 Vector256 uses 12 of the 16 ymm registers. Of the tiles that reach the FMA peak on L1-resident
// panels (12x2, 14x2, 8x3, 6x4; docs/benchmarks.md), 12 rows pack with 8x8 + 4x8 register transposes (GemmPack) and
// waste less than 14 at M = 64 or 128. Edge tiles run a specialisation with only the rows and vectors they need (the
// counts are IConstant type arguments, so the JIT drops the unused accumulators); a tile whose last vector would
// overrun C is computed into a scratch tile and merged. See GemmDriver for the blocking around them.

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

    /// <summary>
    /// As <see cref="Run"/> for the first <paramref name="rows"/> rows and at least the first <paramref name="cols"/>
    /// columns of the tile (whole vectors: up to the next multiple of the vector width); nothing else of C is touched.
    /// </summary>
    static abstract unsafe void RunPartial(int rows, int cols, nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta);
}

/// <summary>A compile-time integer: kernels specialised on it lose the accumulators they do not use.</summary>
internal interface IConstant
{
    /// <summary>The value.</summary>
    static abstract int Value { get; }
}


internal readonly struct Const1 : IConstant
{
    public static int Value => 1;
}

internal readonly struct Const2 : IConstant
{
    public static int Value => 2;
}

internal readonly struct Const3 : IConstant
{
    public static int Value => 3;
}

internal readonly struct Const4 : IConstant
{
    public static int Value => 4;
}

internal readonly struct Const5 : IConstant
{
    public static int Value => 5;
}

internal readonly struct Const6 : IConstant
{
    public static int Value => 6;
}

internal readonly struct Const7 : IConstant
{
    public static int Value => 7;
}

internal readonly struct Const8 : IConstant
{
    public static int Value => 8;
}

internal readonly struct Const9 : IConstant
{
    public static int Value => 9;
}

internal readonly struct Const10 : IConstant
{
    public static int Value => 10;
}

internal readonly struct Const11 : IConstant
{
    public static int Value => 11;
}

internal readonly struct Const12 : IConstant
{
    public static int Value => 12;
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

    [MethodImpl(CodeGen.Hot)]
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

    public static unsafe void RunPartial(int rows, int cols, nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        T* tile = stackalloc T[16];
        Run(kc, a, b, tile, 4, T.One, T.Zero);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                c[i * ldc + j] = beta == T.Zero ? alpha * tile[i * 4 + j] : alpha * tile[i * 4 + j] + beta * c[i * ldc + j];
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

/// <summary>12 rows by 2 Vector512 columns of C per tile.</summary>
internal readonly struct Vector512Kernel12x2<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 12;

    public static int NR => 2 * Vector512<T>.Count;

    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta) => Tile<Const12, Const2>(kc, a, b, c, ldc, alpha, beta);

    public static unsafe void RunPartial(int rows, int cols, nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        if (cols <= 1 * Vector512<T>.Count)
        {
            switch (rows)
            {
                case 1: Tile<Const1, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 2: Tile<Const2, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 3: Tile<Const3, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 4: Tile<Const4, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 5: Tile<Const5, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 6: Tile<Const6, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 7: Tile<Const7, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 8: Tile<Const8, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 9: Tile<Const9, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 10: Tile<Const10, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 11: Tile<Const11, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                default: Tile<Const12, Const1>(kc, a, b, c, ldc, alpha, beta); break;
            }
        }
        else
        {
            switch (rows)
            {
                case 1: Tile<Const1, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 2: Tile<Const2, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 3: Tile<Const3, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 4: Tile<Const4, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 5: Tile<Const5, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 6: Tile<Const6, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 7: Tile<Const7, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 8: Tile<Const8, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 9: Tile<Const9, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 10: Tile<Const10, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 11: Tile<Const11, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                default: Tile<Const12, Const2>(kc, a, b, c, ldc, alpha, beta); break;
            }
        }
    }

    /// <summary>The first TR rows and TV vectors of the tile (constants, so unused accumulators vanish).</summary>
    [MethodImpl(CodeGen.Hot)]
    private static unsafe void Tile<TR, TV>(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
        where TR : struct, IConstant
        where TV : struct, IConstant
    {
        Vector512<T> c0_0 = default, c0_1 = default;
        Vector512<T> c1_0 = default, c1_1 = default;
        Vector512<T> c2_0 = default, c2_1 = default;
        Vector512<T> c3_0 = default, c3_1 = default;
        Vector512<T> c4_0 = default, c4_1 = default;
        Vector512<T> c5_0 = default, c5_1 = default;
        Vector512<T> c6_0 = default, c6_1 = default;
        Vector512<T> c7_0 = default, c7_1 = default;
        Vector512<T> c8_0 = default, c8_1 = default;
        Vector512<T> c9_0 = default, c9_1 = default;
        Vector512<T> c10_0 = default, c10_1 = default;
        Vector512<T> c11_0 = default, c11_1 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<T> b0 = Vector512.Load(b);
            Vector512<T> b1 = TV.Value > 1 ? Vector512.Load(b + 1 * Vector512<T>.Count) : default;
            if (TR.Value > 0) { var a0 = Vector512.Create(a[0]); c0_0 = GemmMath.MulAdd(a0, b0, c0_0); if (TV.Value > 1) c0_1 = GemmMath.MulAdd(a0, b1, c0_1); }
            if (TR.Value > 1) { var a1 = Vector512.Create(a[1]); c1_0 = GemmMath.MulAdd(a1, b0, c1_0); if (TV.Value > 1) c1_1 = GemmMath.MulAdd(a1, b1, c1_1); }
            if (TR.Value > 2) { var a2 = Vector512.Create(a[2]); c2_0 = GemmMath.MulAdd(a2, b0, c2_0); if (TV.Value > 1) c2_1 = GemmMath.MulAdd(a2, b1, c2_1); }
            if (TR.Value > 3) { var a3 = Vector512.Create(a[3]); c3_0 = GemmMath.MulAdd(a3, b0, c3_0); if (TV.Value > 1) c3_1 = GemmMath.MulAdd(a3, b1, c3_1); }
            if (TR.Value > 4) { var a4 = Vector512.Create(a[4]); c4_0 = GemmMath.MulAdd(a4, b0, c4_0); if (TV.Value > 1) c4_1 = GemmMath.MulAdd(a4, b1, c4_1); }
            if (TR.Value > 5) { var a5 = Vector512.Create(a[5]); c5_0 = GemmMath.MulAdd(a5, b0, c5_0); if (TV.Value > 1) c5_1 = GemmMath.MulAdd(a5, b1, c5_1); }
            if (TR.Value > 6) { var a6 = Vector512.Create(a[6]); c6_0 = GemmMath.MulAdd(a6, b0, c6_0); if (TV.Value > 1) c6_1 = GemmMath.MulAdd(a6, b1, c6_1); }
            if (TR.Value > 7) { var a7 = Vector512.Create(a[7]); c7_0 = GemmMath.MulAdd(a7, b0, c7_0); if (TV.Value > 1) c7_1 = GemmMath.MulAdd(a7, b1, c7_1); }
            if (TR.Value > 8) { var a8 = Vector512.Create(a[8]); c8_0 = GemmMath.MulAdd(a8, b0, c8_0); if (TV.Value > 1) c8_1 = GemmMath.MulAdd(a8, b1, c8_1); }
            if (TR.Value > 9) { var a9 = Vector512.Create(a[9]); c9_0 = GemmMath.MulAdd(a9, b0, c9_0); if (TV.Value > 1) c9_1 = GemmMath.MulAdd(a9, b1, c9_1); }
            if (TR.Value > 10) { var a10 = Vector512.Create(a[10]); c10_0 = GemmMath.MulAdd(a10, b0, c10_0); if (TV.Value > 1) c10_1 = GemmMath.MulAdd(a10, b1, c10_1); }
            if (TR.Value > 11) { var a11 = Vector512.Create(a[11]); c11_0 = GemmMath.MulAdd(a11, b0, c11_0); if (TV.Value > 1) c11_1 = GemmMath.MulAdd(a11, b1, c11_1); }
            a += 12;
            b += 2 * Vector512<T>.Count;
        }
        var va = Vector512.Create(alpha);
        if (beta == T.Zero)
        {
            if (TR.Value > 0) { (va * c0_0).Store(c); if (TV.Value > 1) (va * c0_1).Store(c + 1 * Vector512<T>.Count); }
            if (TR.Value > 1) { (va * c1_0).Store(c + 1 * ldc); if (TV.Value > 1) (va * c1_1).Store(c + 1 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 2) { (va * c2_0).Store(c + 2 * ldc); if (TV.Value > 1) (va * c2_1).Store(c + 2 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 3) { (va * c3_0).Store(c + 3 * ldc); if (TV.Value > 1) (va * c3_1).Store(c + 3 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 4) { (va * c4_0).Store(c + 4 * ldc); if (TV.Value > 1) (va * c4_1).Store(c + 4 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 5) { (va * c5_0).Store(c + 5 * ldc); if (TV.Value > 1) (va * c5_1).Store(c + 5 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 6) { (va * c6_0).Store(c + 6 * ldc); if (TV.Value > 1) (va * c6_1).Store(c + 6 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 7) { (va * c7_0).Store(c + 7 * ldc); if (TV.Value > 1) (va * c7_1).Store(c + 7 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 8) { (va * c8_0).Store(c + 8 * ldc); if (TV.Value > 1) (va * c8_1).Store(c + 8 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 9) { (va * c9_0).Store(c + 9 * ldc); if (TV.Value > 1) (va * c9_1).Store(c + 9 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 10) { (va * c10_0).Store(c + 10 * ldc); if (TV.Value > 1) (va * c10_1).Store(c + 10 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 11) { (va * c11_0).Store(c + 11 * ldc); if (TV.Value > 1) (va * c11_1).Store(c + 11 * ldc + 1 * Vector512<T>.Count); }
        }
        else
        {
            var vb = Vector512.Create(beta);
            if (TR.Value > 0) { GemmMath.MulAdd(va, c0_0, vb * Vector512.Load(c)).Store(c); if (TV.Value > 1) GemmMath.MulAdd(va, c0_1, vb * Vector512.Load(c + 1 * Vector512<T>.Count)).Store(c + 1 * Vector512<T>.Count); }
            if (TR.Value > 1) { GemmMath.MulAdd(va, c1_0, vb * Vector512.Load(c + 1 * ldc)).Store(c + 1 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c1_1, vb * Vector512.Load(c + 1 * ldc + 1 * Vector512<T>.Count)).Store(c + 1 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 2) { GemmMath.MulAdd(va, c2_0, vb * Vector512.Load(c + 2 * ldc)).Store(c + 2 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c2_1, vb * Vector512.Load(c + 2 * ldc + 1 * Vector512<T>.Count)).Store(c + 2 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 3) { GemmMath.MulAdd(va, c3_0, vb * Vector512.Load(c + 3 * ldc)).Store(c + 3 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c3_1, vb * Vector512.Load(c + 3 * ldc + 1 * Vector512<T>.Count)).Store(c + 3 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 4) { GemmMath.MulAdd(va, c4_0, vb * Vector512.Load(c + 4 * ldc)).Store(c + 4 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c4_1, vb * Vector512.Load(c + 4 * ldc + 1 * Vector512<T>.Count)).Store(c + 4 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 5) { GemmMath.MulAdd(va, c5_0, vb * Vector512.Load(c + 5 * ldc)).Store(c + 5 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c5_1, vb * Vector512.Load(c + 5 * ldc + 1 * Vector512<T>.Count)).Store(c + 5 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 6) { GemmMath.MulAdd(va, c6_0, vb * Vector512.Load(c + 6 * ldc)).Store(c + 6 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c6_1, vb * Vector512.Load(c + 6 * ldc + 1 * Vector512<T>.Count)).Store(c + 6 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 7) { GemmMath.MulAdd(va, c7_0, vb * Vector512.Load(c + 7 * ldc)).Store(c + 7 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c7_1, vb * Vector512.Load(c + 7 * ldc + 1 * Vector512<T>.Count)).Store(c + 7 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 8) { GemmMath.MulAdd(va, c8_0, vb * Vector512.Load(c + 8 * ldc)).Store(c + 8 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c8_1, vb * Vector512.Load(c + 8 * ldc + 1 * Vector512<T>.Count)).Store(c + 8 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 9) { GemmMath.MulAdd(va, c9_0, vb * Vector512.Load(c + 9 * ldc)).Store(c + 9 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c9_1, vb * Vector512.Load(c + 9 * ldc + 1 * Vector512<T>.Count)).Store(c + 9 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 10) { GemmMath.MulAdd(va, c10_0, vb * Vector512.Load(c + 10 * ldc)).Store(c + 10 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c10_1, vb * Vector512.Load(c + 10 * ldc + 1 * Vector512<T>.Count)).Store(c + 10 * ldc + 1 * Vector512<T>.Count); }
            if (TR.Value > 11) { GemmMath.MulAdd(va, c11_0, vb * Vector512.Load(c + 11 * ldc)).Store(c + 11 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c11_1, vb * Vector512.Load(c + 11 * ldc + 1 * Vector512<T>.Count)).Store(c + 11 * ldc + 1 * Vector512<T>.Count); }
        }
    }
}

/// <summary>6 rows by 2 Vector256 columns of C per tile.</summary>
internal readonly struct Vector256Kernel6x2<T> : IGemmKernel<T> where T : unmanaged, INumber<T>
{
    public static int MR => 6;

    public static int NR => 2 * Vector256<T>.Count;

    public static unsafe void Run(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta) => Tile<Const6, Const2>(kc, a, b, c, ldc, alpha, beta);

    public static unsafe void RunPartial(int rows, int cols, nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
    {
        if (cols <= 1 * Vector256<T>.Count)
        {
            switch (rows)
            {
                case 1: Tile<Const1, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 2: Tile<Const2, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 3: Tile<Const3, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 4: Tile<Const4, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                case 5: Tile<Const5, Const1>(kc, a, b, c, ldc, alpha, beta); break;
                default: Tile<Const6, Const1>(kc, a, b, c, ldc, alpha, beta); break;
            }
        }
        else
        {
            switch (rows)
            {
                case 1: Tile<Const1, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 2: Tile<Const2, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 3: Tile<Const3, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 4: Tile<Const4, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                case 5: Tile<Const5, Const2>(kc, a, b, c, ldc, alpha, beta); break;
                default: Tile<Const6, Const2>(kc, a, b, c, ldc, alpha, beta); break;
            }
        }
    }

    /// <summary>The first TR rows and TV vectors of the tile (constants, so unused accumulators vanish).</summary>
    [MethodImpl(CodeGen.Hot)]
    private static unsafe void Tile<TR, TV>(nint kc, T* a, T* b, T* c, nint ldc, T alpha, T beta)
        where TR : struct, IConstant
        where TV : struct, IConstant
    {
        Vector256<T> c0_0 = default, c0_1 = default;
        Vector256<T> c1_0 = default, c1_1 = default;
        Vector256<T> c2_0 = default, c2_1 = default;
        Vector256<T> c3_0 = default, c3_1 = default;
        Vector256<T> c4_0 = default, c4_1 = default;
        Vector256<T> c5_0 = default, c5_1 = default;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<T> b0 = Vector256.Load(b);
            Vector256<T> b1 = TV.Value > 1 ? Vector256.Load(b + 1 * Vector256<T>.Count) : default;
            if (TR.Value > 0) { var a0 = Vector256.Create(a[0]); c0_0 = GemmMath.MulAdd(a0, b0, c0_0); if (TV.Value > 1) c0_1 = GemmMath.MulAdd(a0, b1, c0_1); }
            if (TR.Value > 1) { var a1 = Vector256.Create(a[1]); c1_0 = GemmMath.MulAdd(a1, b0, c1_0); if (TV.Value > 1) c1_1 = GemmMath.MulAdd(a1, b1, c1_1); }
            if (TR.Value > 2) { var a2 = Vector256.Create(a[2]); c2_0 = GemmMath.MulAdd(a2, b0, c2_0); if (TV.Value > 1) c2_1 = GemmMath.MulAdd(a2, b1, c2_1); }
            if (TR.Value > 3) { var a3 = Vector256.Create(a[3]); c3_0 = GemmMath.MulAdd(a3, b0, c3_0); if (TV.Value > 1) c3_1 = GemmMath.MulAdd(a3, b1, c3_1); }
            if (TR.Value > 4) { var a4 = Vector256.Create(a[4]); c4_0 = GemmMath.MulAdd(a4, b0, c4_0); if (TV.Value > 1) c4_1 = GemmMath.MulAdd(a4, b1, c4_1); }
            if (TR.Value > 5) { var a5 = Vector256.Create(a[5]); c5_0 = GemmMath.MulAdd(a5, b0, c5_0); if (TV.Value > 1) c5_1 = GemmMath.MulAdd(a5, b1, c5_1); }
            a += 6;
            b += 2 * Vector256<T>.Count;
        }
        var va = Vector256.Create(alpha);
        if (beta == T.Zero)
        {
            if (TR.Value > 0) { (va * c0_0).Store(c); if (TV.Value > 1) (va * c0_1).Store(c + 1 * Vector256<T>.Count); }
            if (TR.Value > 1) { (va * c1_0).Store(c + 1 * ldc); if (TV.Value > 1) (va * c1_1).Store(c + 1 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 2) { (va * c2_0).Store(c + 2 * ldc); if (TV.Value > 1) (va * c2_1).Store(c + 2 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 3) { (va * c3_0).Store(c + 3 * ldc); if (TV.Value > 1) (va * c3_1).Store(c + 3 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 4) { (va * c4_0).Store(c + 4 * ldc); if (TV.Value > 1) (va * c4_1).Store(c + 4 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 5) { (va * c5_0).Store(c + 5 * ldc); if (TV.Value > 1) (va * c5_1).Store(c + 5 * ldc + 1 * Vector256<T>.Count); }
        }
        else
        {
            var vb = Vector256.Create(beta);
            if (TR.Value > 0) { GemmMath.MulAdd(va, c0_0, vb * Vector256.Load(c)).Store(c); if (TV.Value > 1) GemmMath.MulAdd(va, c0_1, vb * Vector256.Load(c + 1 * Vector256<T>.Count)).Store(c + 1 * Vector256<T>.Count); }
            if (TR.Value > 1) { GemmMath.MulAdd(va, c1_0, vb * Vector256.Load(c + 1 * ldc)).Store(c + 1 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c1_1, vb * Vector256.Load(c + 1 * ldc + 1 * Vector256<T>.Count)).Store(c + 1 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 2) { GemmMath.MulAdd(va, c2_0, vb * Vector256.Load(c + 2 * ldc)).Store(c + 2 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c2_1, vb * Vector256.Load(c + 2 * ldc + 1 * Vector256<T>.Count)).Store(c + 2 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 3) { GemmMath.MulAdd(va, c3_0, vb * Vector256.Load(c + 3 * ldc)).Store(c + 3 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c3_1, vb * Vector256.Load(c + 3 * ldc + 1 * Vector256<T>.Count)).Store(c + 3 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 4) { GemmMath.MulAdd(va, c4_0, vb * Vector256.Load(c + 4 * ldc)).Store(c + 4 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c4_1, vb * Vector256.Load(c + 4 * ldc + 1 * Vector256<T>.Count)).Store(c + 4 * ldc + 1 * Vector256<T>.Count); }
            if (TR.Value > 5) { GemmMath.MulAdd(va, c5_0, vb * Vector256.Load(c + 5 * ldc)).Store(c + 5 * ldc); if (TV.Value > 1) GemmMath.MulAdd(va, c5_1, vb * Vector256.Load(c + 5 * ldc + 1 * Vector256<T>.Count)).Store(c + 5 * ldc + 1 * Vector256<T>.Count); }
        }
    }
}
