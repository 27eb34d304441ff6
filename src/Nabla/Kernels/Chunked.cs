namespace Nabla.Kernels;

// Note [Elementwise threads]
// Elementwise kernels, row reductions and optimizer updates split large tensors into one contiguous chunk per
// thread (Parallelism.MaxThreads of them), forked through GemmThreads (caller + spinning helpers, so a fork costs
// a few microseconds rather than a thread-pool wake-up). Every element, row or column is computed by exactly the
// same code whichever thread runs it, and chunk boundaries fall on whole vectors (elementwise) or whole rows or
// columns (reductions), so results are bit-identical for any thread count: reductions split over the dims they
// keep, never over the dims they sum.
// Below the threshold the fork costs more than it saves. Measured on the 2-core host (best of 7, alternating
// 1 and 2 threads in one process, /tmp micro-benchmark of float32 a + b, relu and an Adam update):
// see ElementwiseThreshold and UpdateThreshold for the numbers.

/// <summary>Splits a range of work into one chunk per thread. See Note [Elementwise threads].</summary>
internal static class Chunked
{
    /// <summary>Elements below which an elementwise kernel or reduction stays on the calling thread.</summary>
    public const int ElementwiseThreshold = 1 << 16;

    /// <summary>Elements below which an optimizer update stays on the calling thread.</summary>
    public const int UpdateThreshold = 1 << 15;

    /// <summary>How many chunks to run <paramref name="n"/> units of work in: 1 below <paramref name="threshold"/>, else the thread budget.</summary>
    public static int Parts(long n, int threshold, int threads) => n < threshold || threads <= 1 ? 1 : Math.Min(threads, Parallelism.MaxThreads);

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
        if (GemmThreads.TryFor(parts, p => RunChunk(p, chunk, n, body))) return;
        for (int p = 0; p < parts; p++) RunChunk(p, chunk, n, body);
    }

    private static void RunChunk(int p, int chunk, int n, Action<int, int> body)
    {
        long start = (long)p * chunk;
        if (start < n) body((int)start, (int)Math.Min(chunk, n - start));
    }
}
