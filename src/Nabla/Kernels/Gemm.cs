using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Nabla.Runtime;

namespace Nabla.Kernels;

/// <summary>The microkernel family a GEMM runs on; <see cref="Auto"/> picks the widest the hardware accelerates.</summary>
internal enum GemmPath
{
    Auto,
    Vector512,
    Vector256,
    Scalar,
    /// <summary>Plain loops for tiny products (see Note [Small GEMM]); Auto picks it below <see cref="SmallGemm.MaxWork"/>.</summary>
    Small,
}

/// <summary>
/// General matrix multiply C = alpha·op(A)·op(B) + beta·C for float32 and float64 row-major storage with
/// arbitrary leading dimensions and in-place transposition, packed and cache-blocked
/// (see Note [GEMM blocking]) around register-tiled microkernels (see Note [GEMM microkernels]),
/// split across cores when the product is large enough to pay for it.
/// </summary>
/// <remarks>
/// op(A) is <c>m x k</c>: element (i, p) is <c>a[i*lda + p]</c>, or <c>a[p*lda + i]</c> when transA.
/// op(B) is <c>k x n</c>: element (p, j) is <c>b[p*ldb + j]</c>, or <c>b[j*ldb + p]</c> when transB.
/// C is <c>m x n</c> with element (i, j) at <c>c[i*ldc + j]</c>. When beta is zero C is only written
/// (NaNs already in C do not propagate), as in BLAS. Leading dimensions of A and B may be any
/// non-negative value (0 reads one row for every row); ldc must be at least n when m &gt; 1.
/// </remarks>
internal static unsafe class Gemm
{
    /// <summary>Multiply-adds (m·n·k, summed over a batch) from which the work is split across threads.</summary>
    /// <remarks>Settable only so the benchmark can measure where splitting starts to pay.</remarks>
    public static long ParallelThreshold { get; set; } = 1L << 19;

    /// <summary>The widest microkernel family this machine runs in hardware.</summary>
    public static GemmPath BestPath { get; } =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated && Fma.IsSupported ? GemmPath.Vector256
        : GemmPath.Scalar;

    /// <summary>C = alpha·op(A)·op(B) + beta·C; see the type remarks for the layout.</summary>
    /// <remarks>
    /// maxThreads bounds the threads (0: all cores; products under <see cref="ParallelThreshold"/> run on one);
    /// path picks the microkernel family (<see cref="GemmPath.Auto"/>: the fastest available).
    /// </remarks>
    public static void Multiply<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc,
        int maxThreads = 0, GemmPath path = GemmPath.Auto)
        where T : unmanaged, INumber<T>
    {
        CheckShape(m, n, k, lda, ldb, ldc);
        CheckExtent(a.Length, 0, transA ? k : m, transA ? m : k, lda, "A");
        CheckExtent(b.Length, 0, transB ? n : k, transB ? k : n, ldb, "B");
        CheckExtent(c.Length, 0, m, n, ldc, "C");
        fixed (T* pa = a, pb = b, pc = c)
        {
            var g = new GemmArgs<T>(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            Execute(g, Threads(maxThreads, (long)m * n * k), path);
        }
    }

    /// <summary>
    /// A batch of products of one shape: for each batch item i, C_i = alpha·op(A_i)·op(B_i) + beta·C_i where
    /// A_i starts at <c>a[offA[i]]</c>, and so on. Offsets may repeat for A and B (a broadcast operand is read
    /// in place for every item, never copied); the C blocks must not overlap.
    /// </summary>
    /// <remarks>maxThreads and path as for <see cref="Multiply{T}"/>.</remarks>
    public static void MultiplyBatched<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, ReadOnlySpan<int> offA, int lda, ReadOnlySpan<T> b, ReadOnlySpan<int> offB, int ldb,
        T beta, Span<T> c, ReadOnlySpan<int> offC, int ldc, int maxThreads = 0, GemmPath path = GemmPath.Auto)
        where T : unmanaged, INumber<T>
    {
        int batches = offC.Length;
        if (offA.Length != batches || offB.Length != batches)
            throw new ArgumentException($"gemm: {offA.Length}, {offB.Length} and {offC.Length} batch offsets for A, B and C differ");
        CheckShape(m, n, k, lda, ldb, ldc);
        for (int i = 0; i < batches; i++)
        {
            CheckExtent(a.Length, offA[i], transA ? k : m, transA ? m : k, lda, "A");
            CheckExtent(b.Length, offB[i], transB ? n : k, transB ? k : n, ldb, "B");
            CheckExtent(c.Length, offC[i], m, n, ldc, "C");
        }
        long work = (long)m * n * k;
        int threads = Threads(maxThreads, work * batches);
        fixed (T* pa = a, pb = b, pc = c)
        fixed (int* oa = offA, ob = offB, oc = offC)
        {
            var g = new GemmArgs<T>(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            // Whole items go to threads (one fork, no packing shared across threads) when the batch divides
            // evenly enough; a batch of a few products, each big enough to split on its own, splits each one.
            bool byItems = threads > 1 && batches >= threads &&
                (work < 4 * ParallelThreshold || batches % threads == 0 || batches >= 4 * threads);
            if (!byItems)
            {
                for (int i = 0; i < batches; i++) Execute(g.At(oa[i], ob[i], oc[i]), threads, path);
                return;
            }
            nint offsets = (nint)oa, offsetsB = (nint)ob, offsetsC = (nint)oc;
            int per = (batches + threads - 1) / threads;
            GemmThreads.For((batches + per - 1) / per, t =>
            {
                int* xa = (int*)offsets, xb = (int*)offsetsB, xc = (int*)offsetsC;
                for (int i = t * per, end = Math.Min(batches, (t + 1) * per); i < end; i++)
                    Execute(g.At(xa[i], xb[i], xc[i]), 1, path);
            });
        }
    }

    internal static int Threads(int maxThreads, long work)
    {
        int cores = ThreadBudget.KernelThreads;
        int limit = maxThreads <= 0 ? cores : Math.Min(maxThreads, cores);
        return work < ParallelThreshold ? 1 : limit;
    }

    internal static void Execute<T>(GemmArgs<T> g, int threads, GemmPath path) where T : unmanaged, INumber<T>
    {
        if (g.M == 0 || g.N == 0) return;
        if (g.C16 != null && !(typeof(T) == typeof(float) && g.Widens && g.K > 0 && g.Alpha != T.Zero && !WidensOneRow(g)))
        {
            // Only the blocked widening path rounds tile by tile; the others round C once at the end (Note [Rounding epilogue]).
            Execute(g.WithoutC16(), threads, path);
            g.Round(0, 0, g.M, g.N);
            return;
        }
        if (g.K == 0 || g.Alpha == T.Zero)
        {
            Scale(g);
            return;
        }
        if (g.Widens)
        {
            // See Note [Widening GEMM]: the blocked kernels' packing reads 16-bit operands, and so does the one-row
            // product over transposed 16-bit weights.
            if (WidensOneRow(g))
            {
                GemmWiden.Gemv(System.Runtime.CompilerServices.Unsafe.As<GemmArgs<T>, GemmArgs<float>>(ref g), threads);
                return;
            }
            // The small path reads operands in place, so a widening product runs blocked (Auto and Small: the best family).
            switch (path is GemmPath.Auto or GemmPath.Small ? BestPath : path)
            {
                case GemmPath.Vector512: Split<T, Vector512Kernel12x2<T>>(g, threads); break;
                case GemmPath.Vector256: Split<T, Vector256Kernel6x2<T>>(g, threads); break;
                default: Split<T, ScalarKernel4x4<T>>(g, threads); break;
            }
            return;
        }
        if ((g.M == 1 || g.N == 1) && path == GemmPath.Auto)
        {
            Gemv.Run(g);
            return;
        }
        if (path == GemmPath.Small || (path == GemmPath.Auto && SmallGemm.Fits(g.M, g.N, g.K)))
        {
            if (g.N > SmallGemm.MaxN)
                throw new ArgumentException($"gemm: the small path takes at most {SmallGemm.MaxN} columns, got n = {g.N}");
            SmallGemm.Run(g);
            return;
        }
        switch (path == GemmPath.Auto ? BestPath : path)
        {
            case GemmPath.Vector512: Split<T, Vector512Kernel12x2<T>>(g, threads); break;
            case GemmPath.Vector256: Split<T, Vector256Kernel6x2<T>>(g, threads); break;
            default: Split<T, ScalarKernel4x4<T>>(g, threads); break;
        }
    }

    /// <summary>A one-row float32 product over transposed 16-bit weights: GemmWiden.Gemv's case (Note [Widening GEMM]).</summary>
    private static bool WidensOneRow<T>(in GemmArgs<T> g) where T : unmanaged =>
        typeof(T) == typeof(float) && g.M == 1 && g.TransB && g.SourceB != GemmSource.Native && !g.TransC;

    /// <summary>C = beta·C, the whole product when op(A)·op(B) contributes nothing (k = 0 or alpha = 0).</summary>
    private static void Scale<T>(GemmArgs<T> g) where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < g.M; i++)
        {
            var row = new Span<T>(g.C + i * g.Ldc, g.N);
            if (g.Beta == T.Zero) row.Clear();
            else if (g.Beta != T.One)
                for (int j = 0; j < row.Length; j++) row[j] *= g.Beta;
        }
    }

    /// <summary>Runs the blocked loops, on one thread or split into bands of whole tiles along the dimension with more tiles.</summary>
    private static void Split<T, TK>(GemmArgs<T> g, int threads)
        where T : unmanaged, INumber<T>
        where TK : struct, IGemmKernel<T>
    {
        // NOTE: vectors run along N, so a narrow C (n = 10 classes, n = 1) wastes most lanes; when the
        // transposed product Cᵀ = op(B)ᵀ·op(A)ᵀ pads much less, compute that and write C transposed.
        int w = TK.NR / 2;
        if ((long)RoundUp(g.M, w) * g.N < 4L * RoundUp(g.N, w) * g.M / 5 && g.K >= 16) g = g.Swapped();
        int mTiles = (g.M + TK.MR - 1) / TK.MR, nTiles = (g.N + TK.NR - 1) / TK.NR;
        if (threads <= 1 || Math.Max(mTiles, nTiles) < 2)
        {
            GemmDriver<T, TK>.Run(g, 0, g.M, 0, g.N);
            return;
        }
        SplitBands<T, TK>(g, threads, mTiles > nTiles, mTiles, nTiles);
    }

    // Separate from Split so that the closure is allocated only when a product is actually forked.
    private static void SplitBands<T, TK>(GemmArgs<T> g, int threads, bool byRows, int mTiles, int nTiles)
        where T : unmanaged, INumber<T>
        where TK : struct, IGemmKernel<T>
    {
        int tiles = byRows ? mTiles : nTiles, size = byRows ? g.M : g.N, unit = byRows ? TK.MR : TK.NR;
        int per = (tiles + threads - 1) / threads * unit;
        int parts = (size + per - 1) / per;
        GemmThreads.For(parts, t =>
        {
            int lo = t * per, hi = Math.Min(size, lo + per);
            if (byRows) GemmDriver<T, TK>.Run(g, lo, hi, 0, g.N);
            else GemmDriver<T, TK>.Run(g, 0, g.M, lo, hi);
        });
    }

    private static int RoundUp(int x, int m) => (x + m - 1) / m * m;

    internal static void CheckShape(int m, int n, int k, int lda, int ldb, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"gemm: negative size m={m}, n={n}, k={k}");
        if (lda < 0 || ldb < 0)
            throw new ArgumentOutOfRangeException(nameof(lda), $"gemm: negative leading dimension lda={lda}, ldb={ldb}");
        if (m > 1 && ldc < n)
            throw new ArgumentOutOfRangeException(nameof(ldc), $"gemm: ldc={ldc} is less than n={n}, so rows of C would overlap");
    }

    /// <summary>Checks that a <paramref name="rows"/> x <paramref name="cols"/> operand with row stride <paramref name="ld"/> at <paramref name="offset"/> lies in the buffer.</summary>
    internal static void CheckExtent(int length, int offset, int rows, int cols, int ld, string name)
    {
        if (rows == 0 || cols == 0) return;
        long last = offset + (long)(rows - 1) * ld + cols;
        if (offset < 0 || last > length)
            throw new ArgumentException($"gemm: operand {name} ({rows} x {cols}, leading dimension {ld}, offset {offset}) needs {last} elements but the buffer has {length}");
    }
}
