using Nabla.Runtime;

namespace Nabla.Kernels;

// Note [Elementwise threads]
// Elementwise kernels, row reductions and optimizer updates split a large tensor into one contiguous chunk per thread
// (ThreadBudget.KernelThreads of them), forked through GemmThreads (caller + spinning helpers, no thread-pool wake-up).
// Every element, row or column is computed by the same code whichever thread runs it, and chunk boundaries fall on
// whole vectors (elementwise) or whole rows or columns (reductions, which split only over the dims they keep), so
// results are bit-identical for any thread count.
// A split pays only when the work outweighs the fork, whose helper on a busy two-core host can be slow to be
// scheduled, so the threshold follows the work per byte: memory-bound elementwise ops and reductions split from 4 Mi
// elements (ElementwiseThreshold: every op of the mlp preset stays on one thread), compute-bound transcendental ops
// (exp, log, log1p, tanh, sigmoid, sin, cos, erf) from 32 Ki (TranscendentalThreshold, PyTorch's grain size), and
// optimizer updates from 128 Ki (UpdateThreshold): in training a two-thread GEMM has just read each weight on both
// cores, and an update split the way the GEMM splits it (thread 0 the first half) writes lines its own core holds
// instead of paying a cross-core invalidation per line. The figures, and the command to re-measure them before
// changing a threshold, are in docs/benchmarks.md under Note [Elementwise threads].

/// <summary>Splits a range of work into one chunk per thread. See Note [Elementwise threads].</summary>
internal static class Chunked
{
    /// <summary>Elements below which an elementwise kernel or reduction stays on the calling thread (4 Mi).</summary>
    public const int ElementwiseThreshold = 1 << 22;

    /// <summary>
    /// Elements below which a transcendental elementwise op (exp, log, tanh, sigmoid, ...) stays on the calling thread
    /// (32 Ki): compute-bound, they gain from a second thread at far smaller sizes (see Note [Elementwise threads]).
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
