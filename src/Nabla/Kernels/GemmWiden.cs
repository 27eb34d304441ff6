using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Nabla.Kernels;

/// <summary>What a GEMM operand's storage holds (Note [Widening GEMM]).</summary>
internal enum GemmSource : byte
{
    /// <summary>Elements of the GEMM's own type.</summary>
    Native,
    /// <summary>bfloat16 elements, widened to float32 while packing.</summary>
    BFloat16,
    /// <summary>float16 elements, widened to float32 while packing.</summary>
    Float16,
}

// Note [Widening GEMM]
// A float32 GEMM can read bfloat16 or float16 operands: the blocked path packs every KC-deep slice of A and B into
// micro-panels anyway (Note [GEMM blocking]), so the packing step reads the 16-bit elements and writes float32 panels,
// and the microkernels, the accumulation and C stay float32. No widened copy of a whole operand exists: the only
// float32 copies are the packed blocks, which a float32 GEMM makes too. What 16 bits save is the bytes read from
// memory for the operands (half of float32's), not arithmetic: .NET 10 exposes no bfloat16 dot-product instruction
// (AVX512_BF16's VDPBF16PS), so the multiply-adds are float32 FMAs either way. The float32 GEMV and small-matrix paths
// read operands in place without packing, so 16-bit operands take the blocked path, except a one-row product over
// transposed 16-bit weights (batch-1 generation through a linear layer), which GemmWiden.Gemv widens a vector at a time:
// it is bound by the weights' bytes, the case where 16 bits are faster.
internal static unsafe class GemmWiden
{
    /// <summary>
    /// Packs rows <c>[r0, r0+rows)</c> and depth <c>[p0, p0+kc)</c> of a 16-bit operand into <paramref name="width"/>-high
    /// float32 micro-panels (<c>dst[panel*kc*width + p*width + i]</c>), zero-padded: element (i, p) is <c>src[i*ld + p]</c>, or
    /// <c>src[p*ld + i]</c> when <paramref name="trans"/>. Serves A directly and B as its transpose.
    /// </summary>
    public static void Pack(GemmSource source, ushort* src, nint ld, bool trans, int r0, int p0, int rows, int kc, int width, float* dst)
    {
        if (!trans && source == GemmSource.BFloat16 && Avx2.IsSupported)
        {
            PackRowsBFloat16(src, ld, r0, p0, rows, kc, width, dst);
            return;
        }
        float* block = trans ? null : Scratch(width * kc);
        for (int ir = 0; ir < rows; ir += width)
        {
            int mb = Math.Min(width, rows - ir);
            float* panel = dst + (nint)ir * kc;
            if (trans)
            {
                // Each depth step reads mb contiguous values.
                ushort* s = src + (nint)p0 * ld + r0 + ir;
                for (int p = 0; p < kc; p++, s += ld)
                {
                    float* d = panel + (nint)p * width;
                    if (source == GemmSource.BFloat16) HalfConvert.WidenBFloat16(s, d, mb); // straight into place (Note [Widening in registers])
                    else Widen(source, s, d, mb);
                    for (int i = mb; i < width; i++) d[i] = 0;
                }
            }
            else
            {
                // Each row of the operand (kc contiguous values) becomes a column of the panel: widen the panel's rows
                // into a cached block, then transpose it as the float32 packing does.
                for (int i = 0; i < mb; i++) Widen(source, src + (nint)(r0 + ir + i) * ld + p0, block + (nint)i * kc, kc);
                GemmPack.Transpose(block, kc, mb, kc, panel, width);
                for (int i = mb; i < width; i++)
                    for (int p = 0; p < kc; p++) panel[(nint)p * width + i] = 0;
            }
        }
    }

    // Note [Widening in registers]
    // bfloat16 is the top half of a float32, so widening is a zero-extension and a 16-bit shift (vpmovzxwd, vpslld). The
    // bfloat16 packing does it on the way into the panel: a depth step of contiguous values is widened a vector at a time
    // straight into its place, and rows contiguous along K are loaded eight values a row, widened and transposed in
    // registers (GemmPack's 8x8 and 4x8 transposes). Each element is read once and the panel written once, as in the
    // float32 packing; no intermediate block is written and read back.

    /// <summary><see cref="Pack"/> of rows contiguous along K, bfloat16 on AVX2 (Note [Widening in registers]).</summary>
    private static void PackRowsBFloat16(ushort* src, nint ld, int r0, int p0, int rows, int kc, int width, float* dst)
    {
        for (int ir = 0; ir < rows; ir += width)
        {
            int mb = Math.Min(width, rows - ir);
            float* panel = dst + (nint)ir * kc;
            ushort* rowp = src + (nint)(r0 + ir) * ld + p0;
            int r = 0;
            for (; r + 8 <= mb; r += 8)
            {
                ushort* a = rowp + r * ld;
                int q = 0;
                for (; q + 8 <= kc; q += 8, a += 8)
                    GemmPack.Transpose8x8(Widen8(a), Widen8(a + ld), Widen8(a + 2 * ld), Widen8(a + 3 * ld),
                        Widen8(a + 4 * ld), Widen8(a + 5 * ld), Widen8(a + 6 * ld), Widen8(a + 7 * ld), panel + (nint)q * width + r, width);
                ScalarRows(rowp + r * ld + q, ld, 8, kc - q, panel + (nint)q * width + r, width);
            }
            for (; r + 4 <= mb; r += 4)
            {
                ushort* a = rowp + r * ld;
                int q = 0;
                for (; q + 8 <= kc; q += 8, a += 8)
                    GemmPack.Transpose4x8(Widen8(a), Widen8(a + ld), Widen8(a + 2 * ld), Widen8(a + 3 * ld), panel + (nint)q * width + r, width);
                ScalarRows(rowp + r * ld + q, ld, 4, kc - q, panel + (nint)q * width + r, width);
            }
            ScalarRows(rowp + r * ld, ld, mb - r, kc, panel + r, width);
            for (int i = mb; i < width; i++)
                for (int p = 0; p < kc; p++) panel[(nint)p * width + i] = 0;
        }
    }

    /// <summary>Eight bfloat16 values (16 bytes read) as float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Widen8(ushort* s) => Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(s), 16).AsSingle();

    /// <summary><c>d[q*ds + r] = widen(s[r*ld + q])</c> for <c>r &lt; rows</c>, <c>q &lt; cols</c>.</summary>
    private static void ScalarRows(ushort* s, nint ld, int rows, int cols, float* d, nint ds)
    {
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < cols; q++) ((uint*)d)[q * ds + r] = (uint)s[r * ld + q] << 16;
    }

    [ThreadStatic] private static float[]? t_scratch;

    // A per-thread block of at least n floats on the pinned heap (MR or NR rows of one KC-deep slice).
    private static float* Scratch(int n)
    {
        if (t_scratch is null || t_scratch.Length < n) t_scratch = GC.AllocateUninitializedArray<float>(n, pinned: true);
        return (float*)Unsafe.AsPointer(ref t_scratch[0]);
    }

    /// <summary>
    /// <c>c[j] = alpha*dot(op(A)[0, :], B[j, :]) + beta*c[j]</c> for a one-row product whose B is stored transposed (a linear
    /// layer's weight <c>[n, k]</c>) in 16 bits: each weight row is read once, widened a vector at a time. This is where
    /// 16-bit weights pay: the product is bound by the bytes of B, and they are half of float32's (Note [Widening GEMM]).
    /// </summary>
    public static void Gemv(in GemmArgs<float> g, int threads)
    {
        int k = g.K, n = g.N;
        float[] x = GC.AllocateUninitializedArray<float>(k);
        fixed (float* xp = x)
        {
            // op(A) row 0: contiguous, or strided when A is stored transposed.
            if (g.SourceA == GemmSource.Native)
                for (int p = 0; p < k; p++) xp[p] = g.A[g.TransA ? p * g.Lda : p];
            else if (!g.TransA) Widen(g.SourceA, (ushort*)g.A, xp, k);
            else
                for (int p = 0; p < k; p++) Widen(g.SourceA, (ushort*)g.A + p * g.Lda, xp + p, 1);
        }
        nint b = (nint)g.B, c = (nint)g.C, ldb = g.Ldb, ldc = g.TransC ? g.Ldc : 1;
        float alpha = g.Alpha, beta = g.Beta;
        GemmSource source = g.SourceB;
        int parts = Chunked.Parts((long)n * k, Chunked.ElementwiseThreshold / 4, threads);
        Chunked.For(n, 8, parts, (j0, len) =>
        {
            fixed (float* xp = x)
            {
                for (int j = j0; j < j0 + len; j++)
                {
                    float dot = Dot(source, (ushort*)b + j * ldb, xp, k);
                    float* cj = (float*)c + j * ldc;
                    *cj = beta == 0 ? alpha * dot : alpha * dot + beta * *cj;
                }
            }
        });
    }

    private static float Dot(GemmSource source, ushort* w, float* x, int k)
    {
        int p = 0;
        float sum = 0;
        if (source == GemmSource.BFloat16 && Vector256.IsHardwareAccelerated)
        {
            Vector256<float> acc0 = Vector256<float>.Zero, acc1 = Vector256<float>.Zero;
            for (; p <= k - 16; p += 16)
            {
                var (lo, hi) = Vector256.Widen(Vector256.Load(w + p));
                acc0 = Vector256.FusedMultiplyAdd((lo << 16).AsSingle(), Vector256.Load(x + p), acc0);
                acc1 = Vector256.FusedMultiplyAdd((hi << 16).AsSingle(), Vector256.Load(x + p + 8), acc1);
            }
            sum = Vector256.Sum(acc0 + acc1);
        }
        else if (source == GemmSource.Float16)
        {
            float* chunk = stackalloc float[256];
            for (; p <= k - 256; p += 256)
            {
                HalfConvert.Widen(new ReadOnlySpan<Half>(w + p, 256), new Span<float>(chunk, 256));
                sum += System.Numerics.Tensors.TensorPrimitives.Dot(new ReadOnlySpan<float>(chunk, 256), new ReadOnlySpan<float>(x + p, 256));
            }
        }
        for (; p < k; p++)
        {
            float wp = 0;
            Widen(source, w + p, &wp, 1);
            sum += wp * x[p];
        }
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Widen(GemmSource source, ushort* src, float* dst, int n)
    {
        if (source == GemmSource.BFloat16) HalfConvert.Widen(new ReadOnlySpan<BFloat16>(src, n), new Span<float>(dst, n));
        else HalfConvert.Widen(new ReadOnlySpan<Half>(src, n), new Span<float>(dst, n));
    }

    /// <summary>The source kind of element type <typeparamref name="T"/> (float32, bfloat16 or float16).</summary>
    public static GemmSource SourceOf<T>() =>
        typeof(T) == typeof(float) ? GemmSource.Native
        : typeof(T) == typeof(BFloat16) ? GemmSource.BFloat16
        : typeof(T) == typeof(Half) ? GemmSource.Float16
        : throw new ArgumentException($"gemm: operands of {typeof(T).Name} cannot be widened to float32; expected float, BFloat16 or Half");

    /// <summary>
    /// <c>C[offC[i]..] = op(A_i)·op(B_i)</c> in float32 for each batch item, A and B each float32, bfloat16 or float16 (Note [Widening GEMM]).
    /// </summary>
    /// <remarks>maxThreads and path as for <see cref="Gemm.Multiply{T}"/>.</remarks>
    public static void MultiplyBatched<TA, TB>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<TA> a, ReadOnlySpan<int> offA, int lda, ReadOnlySpan<TB> b, ReadOnlySpan<int> offB, int ldb,
        Span<float> c, ReadOnlySpan<int> offC, int ldc, int maxThreads = 0, GemmPath path = GemmPath.Auto)
        where TA : unmanaged
        where TB : unmanaged
        => MultiplyBatched<TA, TB, float>(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, c, offC, ldc, default, maxThreads, path);

    /// <summary>
    /// As <see cref="MultiplyBatched{TA, TB}"/>, and when <paramref name="rounded"/> is not empty each product is also
    /// rounded into it (bfloat16 or float16, the same offsets and ldc as C) tile by tile (Note [Rounding epilogue]).
    /// </summary>
    public static void MultiplyBatched<TA, TB, TC>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<TA> a, ReadOnlySpan<int> offA, int lda, ReadOnlySpan<TB> b, ReadOnlySpan<int> offB, int ldb,
        Span<float> c, ReadOnlySpan<int> offC, int ldc, Span<TC> rounded, int maxThreads = 0, GemmPath path = GemmPath.Auto)
        where TA : unmanaged
        where TB : unmanaged
        where TC : unmanaged
    {
        int batches = offC.Length;
        if (offA.Length != batches || offB.Length != batches)
            throw new ArgumentException($"gemm: {offA.Length}, {offB.Length} and {offC.Length} batch offsets for A, B and C differ");
        Gemm.CheckShape(m, n, k, lda, ldb, ldc);
        for (int i = 0; i < batches; i++)
        {
            Gemm.CheckExtent(a.Length, offA[i], transA ? k : m, transA ? m : k, lda, "A");
            Gemm.CheckExtent(b.Length, offB[i], transB ? n : k, transB ? k : n, ldb, "B");
            Gemm.CheckExtent(c.Length, offC[i], m, n, ldc, "C");
            if (!rounded.IsEmpty) Gemm.CheckExtent(rounded.Length, offC[i], m, n, ldc, "rounded C");
        }
        GemmSource roundTo = rounded.IsEmpty ? GemmSource.Native : SourceOf<TC>();
        if (roundTo == GemmSource.Native && !rounded.IsEmpty)
            throw new ArgumentException($"gemm: a rounded result of {typeof(TC).Name}; expected BFloat16 or Half");
        GemmSource sa = SourceOf<TA>(), sb = SourceOf<TB>();
        int threads = Gemm.Threads(maxThreads, (long)m * n * k * batches);
        fixed (TA* pa = a)
        fixed (TB* pb = b)
        fixed (float* pc = c)
        fixed (TC* pr = rounded)
        {
            var g = new GemmArgs<float>(transA, transB, m, n, k, 1f, (float*)pa, lda, (float*)pb, ldb, 0f, pc, ldc, false, sa, sb,
                rounded.IsEmpty ? null : (ushort*)pr, roundTo);
            for (int i = 0; i < batches; i++) Gemm.Execute(g.At(offA[i], offB[i], offC[i]), threads, path);
        }
    }
}
