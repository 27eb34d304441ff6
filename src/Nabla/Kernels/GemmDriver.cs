using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Nabla.Kernels;

/// <summary>One GEMM problem, C = alpha·op(A)·op(B) + beta·C, over raw row-major storage.</summary>
/// <remarks>
/// op(A) is <c>M x K</c>: element (i, p) is <c>A[i*lda + p]</c>, or <c>A[p*lda + i]</c> when <see cref="TransA"/>.
/// op(B) is <c>K x N</c>: element (p, j) is <c>B[p*ldb + j]</c>, or <c>B[j*ldb + p]</c> when <see cref="TransB"/>.
/// C is <c>M x N</c> with element (i, j) at <c>C[i*ldc + j]</c>, or <c>C[j*ldc + i]</c> when <see cref="TransC"/>.
/// </remarks>
internal readonly unsafe struct GemmArgs<T> where T : unmanaged
{
    public readonly T* A, B, C;
    public readonly nint Lda, Ldb, Ldc;
    public readonly int M, N, K;
    public readonly bool TransA, TransB, TransC;
    public readonly T Alpha, Beta;

    /// <summary>What A and B hold: elements of T, or 16-bit floats the packing widens to float32 (Note [Widening GEMM]).</summary>
    public readonly GemmSource SourceA, SourceB;

    /// <summary>
    /// Null, or a 16-bit copy of C (same layout and ldc) that receives each finished tile rounded to <see cref="RoundTo"/>
    /// (Note [Rounding epilogue]).
    /// </summary>
    public readonly ushort* C16;

    /// <summary>The 16-bit type of <see cref="C16"/>.</summary>
    public readonly GemmSource RoundTo;

    public GemmArgs(bool transA, bool transB, int m, int n, int k, T alpha, T* a, nint lda, T* b, nint ldb, T beta, T* c, nint ldc, bool transC = false,
        GemmSource sourceA = GemmSource.Native, GemmSource sourceB = GemmSource.Native, ushort* c16 = null, GemmSource roundTo = GemmSource.Native)
    {
        (TransA, TransB, TransC, M, N, K, Alpha, Beta) = (transA, transB, transC, m, n, k, alpha, beta);
        A = a;
        B = b;
        C = c;
        (Lda, Ldb, Ldc) = (lda, ldb, ldc);
        (SourceA, SourceB) = (sourceA, sourceB);
        C16 = c16;
        RoundTo = roundTo;
    }

    /// <summary>True when an operand holds 16-bit floats (only the blocked path, whose packing widens, reads those).</summary>
    public bool Widens => SourceA != GemmSource.Native || SourceB != GemmSource.Native;

    /// <summary>The same problem with the operand pointers moved by the given element offsets.</summary>
    public GemmArgs<T> At(nint offA, nint offB, nint offC) =>
        new(TransA, TransB, M, N, K, Alpha, Offset(A, offA, SourceA), Lda, Offset(B, offB, SourceB), Ldb, Beta, C + offC, Ldc, TransC, SourceA, SourceB,
            C16 == null ? null : C16 + offC, RoundTo);

    /// <summary>The same product computed as Cᵀ = op(B)ᵀ·op(A)ᵀ: the roles of A and B swap and C is written transposed.</summary>
    public GemmArgs<T> Swapped() =>
        new(!TransB, !TransA, N, M, K, Alpha, B, Ldb, A, Lda, Beta, C, Ldc, !TransC, SourceB, SourceA, C16, RoundTo);

    /// <summary>The same problem without the 16-bit copy of C.</summary>
    public GemmArgs<T> WithoutC16() =>
        new(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc, TransC, SourceA, SourceB);

    /// <summary>
    /// Rounds the finished <paramref name="rows"/> x <paramref name="cols"/> block of C at (<paramref name="i0"/>,
    /// <paramref name="j0"/>) into <see cref="C16"/> (Note [Rounding epilogue]); in C's transposed layout when TransC.
    /// </summary>
    public void Round(int i0, int j0, int rows, int cols)
    {
        if (typeof(T) != typeof(float) || C16 == null) return;
        if (TransC) (i0, j0, rows, cols) = (j0, i0, cols, rows);
        if (RoundTo == GemmSource.BFloat16)
        {
            for (int i = 0; i < rows; i++)
            {
                nint at = (i0 + i) * Ldc + j0;
                HalfConvert.NarrowBFloat16((float*)(C + at), C16 + at, cols);
            }
            return;
        }
        for (int i = 0; i < rows; i++)
        {
            nint at = (i0 + i) * Ldc + j0;
            HalfConvert.Narrow(RoundTo, (float*)(C + at), C16 + at, cols);
        }
    }

    private static T* Offset(T* p, nint elements, GemmSource source) => source == GemmSource.Native ? p + elements : (T*)((ushort*)p + elements);
}

// Note [GEMM blocking]
// The loops follow the BLIS/GotoBLAS scheme. For each NC-wide column block of C and each KC-deep slice
// of K, op(B)[pc:pc+kc, jc:jc+nc] is packed into NR-wide micro-panels (kc x NR each, row after row);
// for each MC-high row block, op(A)[ic:ic+mc, pc:pc+kc] is packed into MR-high micro-panels (kc x MR
// each, column after column). The microkernel then sweeps the MC x NC block tile by tile with the B
// micro-panel held in L1 (KC·NR·sizeof(T) ≈ 32 KiB) while A micro-panels stream from L2 (the packed A
// block, MC·KC·sizeof(T), stays well inside a 1 MiB L2). Packing turns every operand layout (row
// stride, transposition) into the same unit-stride panels, so transposed views are read in place and
// the microkernel never branches on layout. Panels past the matrix edge are padded with zeros.
// K is split into equal slices no deeper than KC (k = 257 is two slices of 129, not 256 + 1), so C is
// read and written ceil(K/KC) times; the first slice applies the caller's beta, later ones accumulate.

// Note [Rounding epilogue]
// A product whose result is 16-bit (Note [Widening GEMM]) accumulates in a float32 C and rounds it into the 16-bit
// result tile by tile, as soon as a tile has its last K slice: the tile was just written, so the rounding reads it from
// L1 instead of a separate pass reading the whole float32 C back from memory. Paths that do not tile (k = 0, the one-row
// product over 16-bit weights) round their C once at the end. Every element is rounded once, from its final float32
// value, so the result equals rounding the whole float32 product afterwards.

/// <summary>The blocked GEMM loops and packing around a microkernel. See Note [GEMM blocking].</summary>
internal static unsafe class GemmDriver<T, TK>
    where T : unmanaged, INumber<T>
    where TK : struct, IGemmKernel<T>
{
    /// <summary>Target bytes of one packed B micro-panel (KC·NR·sizeof(T)), sized for a 48 KiB L1.</summary>
    private const int PanelBytes = 32 * 1024;

    /// <summary>Target bytes of the packed A block (MC·KC·sizeof(T)), sized well inside a 1 MiB L2.</summary>
    private const int BlockABytes = 384 * 1024;

    /// <summary>Target bytes of the packed B block (KC·NC·sizeof(T)): 1 MiB, the best size at n = 2048 (docs/benchmarks.md, GEMM).</summary>
    private const int BlockBBytes = 1024 * 1024;

    internal static int KC => Math.Clamp(PanelBytes / (TK.NR * sizeof(T)), 64, 512);

    internal static int MC => Math.Max(1, BlockABytes / (KC * sizeof(T)) / TK.MR) * TK.MR;

    internal static int NC => Math.Max(1, BlockBBytes / (KC * sizeof(T)) / TK.NR) * TK.NR;

    /// <summary>Computes rows <c>[m0, m1)</c> and columns <c>[n0, n1)</c> of C.</summary>
    public static void Run(in GemmArgs<T> g, int m0, int m1, int n0, int n1)
    {
        int mr = TK.MR, nr = TK.NR, k = g.K;
        if (m0 >= m1 || n0 >= n1) return;
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks;
        int ncMax = Math.Min(NC, RoundUp(n1 - n0, nr));
        int mcMax = Math.Min(MC, RoundUp(m1 - m0, mr));
        T* packA = GemmBuffers<T>.PackA(kcMax * mcMax);
        T* packB = GemmBuffers<T>.PackB(kcMax * ncMax);
        T* tile = stackalloc T[mr * nr];
        for (int jc = n0; jc < n1; jc += NC)
        {
            int nc = Math.Min(NC, n1 - jc);
            for (int pc = 0; pc < k; pc += kcMax)
            {
                int kc = Math.Min(kcMax, k - pc);
                PackB(g, pc, jc, kc, nc, packB);
                T beta = pc == 0 ? g.Beta : T.One;
                bool last = g.C16 != null && pc + kc >= k;
                for (int ic = m0; ic < m1; ic += MC)
                {
                    int mc = Math.Min(MC, m1 - ic);
                    PackA(g, ic, pc, mc, kc, packA);
                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nb = Math.Min(nr, nc - jr);
                        T* bp = packB + (nint)jr * kc;
                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mb = Math.Min(mr, mc - ir);
                            T* ap = packA + (nint)ir * kc;
                            if (g.TransC)
                            {
                                TK.RunPartial(mb, nb, kc, ap, bp, tile, nr, T.One, T.Zero);
                                MergeTileTransposed(tile, nr, g.C + (jc + jr) * g.Ldc + ic + ir, g.Ldc, mb, nb, g.Alpha, beta);
                                if (last) g.Round(ic + ir, jc + jr, mb, nb);
                                continue;
                            }
                            T* cp = g.C + (ic + ir) * g.Ldc + jc + jr;
                            if (mb == mr && nb == nr)
                            {
                                TK.Run(kc, ap, bp, cp, g.Ldc, g.Alpha, beta);
                            }
                            else if (nb == nr)
                            {
                                TK.RunPartial(mb, nb, kc, ap, bp, cp, g.Ldc, g.Alpha, beta);
                            }
                            else
                            {
                                // Whole vectors past column nb would overrun C: compute into a scratch tile.
                                TK.RunPartial(mb, nb, kc, ap, bp, tile, nr, T.One, T.Zero);
                                MergeTile(tile, nr, cp, g.Ldc, mb, nb, g.Alpha, beta);
                            }
                            if (last) g.Round(ic + ir, jc + jr, mb, nb);
                        }
                    }
                }
            }
        }
    }

    private static void MergeTile(T* tile, int nr, T* c, nint ldc, int mb, int nb, T alpha, T beta)
    {
        for (int i = 0; i < mb; i++)
        {
            T* src = tile + i * nr;
            T* dst = c + i * ldc;
            if (beta == T.Zero)
                for (int j = 0; j < nb; j++) dst[j] = alpha * src[j];
            else
                for (int j = 0; j < nb; j++) dst[j] = alpha * src[j] + beta * dst[j];
        }
    }

    /// <summary>Merges an <paramref name="mb"/> x <paramref name="nb"/> tile into C stored transposed (tile (i, j) goes to <c>c[j*ldc + i]</c>).</summary>
    private static void MergeTileTransposed(T* tile, int nr, T* c, nint ldc, int mb, int nb, T alpha, T beta)
    {
        for (int j = 0; j < nb; j++)
        {
            T* dst = c + j * ldc;
            if (beta == T.Zero)
                for (int i = 0; i < mb; i++) dst[i] = alpha * tile[i * nr + j];
            else
                for (int i = 0; i < mb; i++) dst[i] = alpha * tile[i * nr + j] + beta * dst[i];
        }
    }

    /// <summary>Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-high micro-panels, zero-padded to a multiple of MR rows.</summary>
    private static void PackA(in GemmArgs<T> g, int ic, int pc, int mc, int kc, T* dst)
    {
        int mr = TK.MR;
        if (g.SourceA != GemmSource.Native)
        {
            GemmWiden.Pack(g.SourceA, (ushort*)g.A, g.Lda, g.TransA, ic, pc, mc, kc, mr, (float*)dst);
            return;
        }
        nint lda = g.Lda;
        for (int ir = 0; ir < mc; ir += mr)
        {
            int mb = Math.Min(mr, mc - ir);
            T* panel = dst + (nint)ir * kc;
            if (g.TransA)
            {
                // op(A)[i, p] = A[p*lda + i]: each step copies mb contiguous values.
                T* src = g.A + (nint)pc * lda + ic + ir;
                if (mb == mr)
                {
                    uint bytes = (uint)(mr * sizeof(T));
                    for (int p = 0; p < kc; p++, src += lda, panel += mr)
                        Unsafe.CopyBlockUnaligned(panel, src, bytes);
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += lda, panel += mr)
                    {
                        int i = 0;
                        for (; i < mb; i++) panel[i] = src[i];
                        for (; i < mr; i++) panel[i] = T.Zero;
                    }
                }
            }
            else
            {
                // op(A)[i, p] = A[i*lda + p]: rows of A become columns of the panel.
                GemmPack.Transpose(g.A + (ic + ir) * lda + pc, lda, mb, kc, panel, mr);
                for (int i = mb; i < mr; i++)
                {
                    T* d = panel + i;
                    for (int p = 0; p < kc; p++) d[p * mr] = T.Zero;
                }
            }
        }
    }

    /// <summary>Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-wide micro-panels, zero-padded to a multiple of NR columns.</summary>
    private static void PackB(in GemmArgs<T> g, int pc, int jc, int kc, int nc, T* dst)
    {
        int nr = TK.NR;
        if (g.SourceB != GemmSource.Native)
        {
            // op(B) packs like op(A)ᵀ: its columns are the panel's rows.
            GemmWiden.Pack(g.SourceB, (ushort*)g.B, g.Ldb, !g.TransB, jc, pc, nc, kc, nr, (float*)dst);
            return;
        }
        nint ldb = g.Ldb;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nb = Math.Min(nr, nc - jr);
            T* panel = dst + (nint)jr * kc;
            if (!g.TransB)
            {
                // op(B)[p, j] = B[p*ldb + j]: each step copies nb contiguous values.
                T* src = g.B + (nint)pc * ldb + jc + jr;
                if (nb == nr)
                {
                    uint bytes = (uint)(nr * sizeof(T));
                    for (int p = 0; p < kc; p++, src += ldb, panel += nr)
                        Unsafe.CopyBlockUnaligned(panel, src, bytes);
                }
                else
                {
                    for (int p = 0; p < kc; p++, src += ldb, panel += nr)
                    {
                        int j = 0;
                        for (; j < nb; j++) panel[j] = src[j];
                        for (; j < nr; j++) panel[j] = T.Zero;
                    }
                }
            }
            else
            {
                // op(B)[p, j] = B[j*ldb + p]: rows of B become columns of the panel.
                GemmPack.Transpose(g.B + (jc + jr) * ldb + pc, ldb, nb, kc, panel, nr);
                for (int j = nb; j < nr; j++)
                {
                    T* d = panel + j;
                    for (int p = 0; p < kc; p++) d[p * nr] = T.Zero;
                }
            }
        }
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;
}

/// <summary>
/// Per-thread packing buffers on the pinned object heap, grown on demand and reused by every later GEMM
/// on the same thread (no allocation per call), aligned to 64 bytes for whole-cache-line vector loads.
/// </summary>
internal static unsafe class GemmBuffers<T> where T : unmanaged
{
    [ThreadStatic] private static T[]? s_a;
    [ThreadStatic] private static T[]? s_b;

    public static T* PackA(int count) => Get(ref s_a, count);

    public static T* PackB(int count) => Get(ref s_b, count);

    private static T* Get(ref T[]? buffer, int count)
    {
        // 64 bytes for the alignment, 64 more for the stores that reach past a panel (Note [Six-row panels]).
        int pad = 128 / sizeof(T);
        if (buffer is null || buffer.Length < count + pad)
            buffer = GC.AllocateUninitializedArray<T>(Math.Max(count, buffer?.Length ?? 0) + pad, pinned: true);
        nint p = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
        return (T*)((p + 63) & ~(nint)63);
    }
}
