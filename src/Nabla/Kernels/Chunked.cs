using Nabla.Runtime;

namespace Nabla.Kernels;

// Note [Elementwise threads]
// Elementwise kernels, row reductions and optimizer updates split large tensors into one contiguous chunk per
// thread (ThreadBudget.KernelThreads of them), forked through GemmThreads (caller + spinning helpers, so a fork costs
// a few microseconds rather than a thread-pool wake-up). Every element, row or column is computed by exactly the
// same code whichever thread runs it, and chunk boundaries fall on whole vectors (elementwise) or whole rows or
// columns (reductions), so results are bit-identical for any thread count: reductions split over the dims they
// keep, never over the dims they sum.
// Below the threshold the fork costs more than it saves. Measured with `dotnet run -c Release --project
// bench/Nabla.Bench -- chunks` (float32, 1 thread / 2 threads, best of 10 alternating in one process) on the
// 2-core host while sibling builds kept the load average at 8-11:
//        n     a+b           relu          a+bias        sum(0)        adam
//      65536   5.3/30.2 us   2.7/17.7 us   8.1/21.8 us   3.9/15.6 us   45/68 us
//     262144  31.7/97.9 us  25.8/54.2 us  27.6/43.3 us  18.0/34.2 us   175/216 us
//    1048576   199/707 us    114/73 us     104/323 us    65/267 us    1143/1335 us
//    4194304  1324/1428 us   582/541 us    799/840 us    486/571 us   3976/2925 us
// With the second core busy, the fork (a helper that must be scheduled) cost 10-20 µs and splitting lost
// below ~4 Mi elements (elementwise) and ~2 Mi (the Adam update, which does more arithmetic per byte), so
// the thresholds sit there: every op of the mlp preset (at most 401k elements) stays on one thread. On an
// idle machine the fork costs a few µs and the thresholds could be much lower; re-measure before lowering.
// Re-measured on the idle machine (load 0.4, same command): two threads first win at 1 Mi elements (a+b
// 163/149 µs, relu 105/67, a+bias 113/75) and clearly at 4 Mi (a+b 699/329, adam 2884/1531); at 256 Ki they
// still lose for a+b (31/94) and sum(0) never wins (4 Mi: 405/468). The thresholds stay: 1 Mi would help only
// ReLU-sized ops the presets do not have, and a busy second core slows memory-bound work on the first here.
// The optimizer-update threshold is lower (128 Ki) for a reason the standalone table cannot show: in training,
// the forward GEMM has just read each weight on both cores (each thread packs its own band of W), and writing a
// line that sits in the other core's cache costs a cross-core invalidation. Adam on a [512, 784] weight took
// 250 µs on one thread when only that thread had read it, 612 µs when a two-thread GEMM had, and 150 µs split
// over the two threads the way the GEMM split it (thread 0 the first half, as in GemmThreads.For); in the mlp
// benchmark the step fell from 0.87-0.95 to 0.40-0.50 ms and `nabla bench mlp` rose from 40-43k to 47-49k
// samples/s (scratch harness and three CLI runs on the idle machine). The Adam figures above predate the update's
// 512-bit lane rewrite (Note [Fused optimizer updates]: about 2.5x faster on one thread, 2x on two); the
// thresholds were not re-measured after it.
// Transcendental ops (exp, log, log1p, tanh, sigmoid, sin, cos, erf) are compute-bound, not memory-bound, and split from
// 32 Ki elements (IUnaryOp.ParallelThreshold; the memory-bound ops keep 4 Mi). The same command with tanh, exp and
// sigmoid added, idle machine, 1 thread / 2 threads: 16 Ki 6.4/4.5, 10.4/7.7, 10.0/7.4 µs; 64 Ki 25.5/14.4,
// 18.5/10.8, 41.1/23.7; 256 Ki 164/84, 102/52, 169/92; 1 Mi 676/337, 422/209, 668/359 (a+b at 1 Mi: 163/170, still no
// gain). PyTorch splits elementwise work from 32 Ki elements (its grain size) for every op.

/// <summary>Splits a range of work into one chunk per thread. See Note [Elementwise threads].</summary>
internal static class Chunked
{
    /// <summary>Elements below which an elementwise kernel or reduction stays on the calling thread (4 Mi).</summary>
    public const int ElementwiseThreshold = 1 << 22;

    /// <summary>
    /// Elements below which a transcendental elementwise op (exp, log, tanh, sigmoid, ...) stays on the calling thread
    /// (32 Ki): compute-bound, they halve on two threads from ~64 Ki elements (see Note [Elementwise threads]).
    /// </summary>
    public const int TranscendentalThreshold = 1 << 15;

    /// <summary>Elements below which an optimizer update stays on the calling thread (128 Ki; see Note [Elementwise threads]).</summary>
    public const int UpdateThreshold = 1 << 17;

    /// <summary>How many chunks to run <paramref name="n"/> units of work in: 1 below <paramref name="threshold"/>, else the thread budget.</summary>
    public static int Parts(long n, int threshold, int threads) => n < threshold || threads <= 1 ? 1 : Math.Min(threads, ThreadBudget.KernelThreads);

    /// <summary>
    /// Runs <c>body(start, length)</c> over <c>[0, n)</c> in <paramref name="parts"/> chunks whose starts are multiples of
    /// <paramref name="align"/>, in parallel when there is more than one, and returns when all have finished.
    /// </summary>
    public static void For(int n, int align, int parts, Action<int, int> body)
    {
        if (n <= 0) return;
        if (parts <= 1)
        {
            body(0, n);
            return;
        }
        int chunk = (n + parts - 1) / parts;
        chunk = (chunk + align - 1) / align * align;
        // NOTE: when the helpers are busy (another thread runs a GEMM or a chunked kernel), every core already
        // has work, so the chunks run here one after the other rather than on more threads.
        if (GemmThreads.TryFor(parts, p => RunChunk(p, chunk, n, align, body))) return;
        for (int p = 0; p < parts; p++) RunChunk(p, chunk, n, align, body);
    }

    /// <summary>
    /// Chunk p; a tail shorter than <paramref name="align"/> joins the chunk before it, so no chunk but a whole range is
    /// shorter than one alignment unit (a vectorised function never falls back to its scalar tail on a short chunk,
    /// which for tanh or exp can differ in the last bit from its vector lanes).
    /// </summary>
    private static void RunChunk(int p, int chunk, int n, int align, Action<int, int> body)
    {
        long start = (long)p * chunk;
        if (start >= n || (p > 0 && n - start < align)) return;
        long end = Math.Min(n, start + chunk);
        if (n - end < align) end = n;
        body((int)start, (int)(end - start));
    }
}
