namespace Nabla.Runtime;

// Note [Runtime policy]
// The library changes no process state unless the application calls one of the switches of Nabla.Runtime; until then
// no library call forces a garbage collection or starts a thread of its own. Each switch and its default:
//  * BufferPool.Begin(): recycles large buffers on the calling thread, forcing full collections to find dead ones.
//    Off: nothing is pooled (a DataLoader's prefetch thread pools only while its consumer's thread does).
//  * CollectAfterBackward.Enable(): a gen-0 collection at the end of a large backward pass on the thread. Off.
//  * JitWarmup.Start(): compiles the common ops on a background thread it starts. Off until called.
//  * JitProfiles.Enable(): the runtime's profile-guided multicore JIT. Off until called.
//  * ThreadBudget: the threads an op may keep busy. Default: every core, as torch.get_num_threads(), because splitting
//    an op the caller invoked over the cores (and the GEMM's helper threads) is what a compute library is asked for.
//    Max and Limit(n) lower it; nothing reserves from it unless the application started a warm-up.
// The switches are scoped where a program (or a test) wants them for one part of its work: pools and the collection to
// the thread, limits of the budget to the async flow (which parallel kernels and threads started inside inherit).
// What the process itself should run with (blocking GC, QuickJit off) is the application's project file: docs/runtime.md.

/// <summary>
/// How many threads Nabla's ops keep busy: the process's budget (<see cref="Max"/>, every core by default) and limits
/// for a part of a program (<see cref="Limit"/>). Results never depend on the count. See Note [Runtime policy].
/// </summary>
/// <example><code>using (ThreadBudget.Limit(1)) { model.Forward(x); } // one thread for this part only</code></example>
public static class ThreadBudget
{
    private static readonly Lock s_lock = new();
    private static readonly Budget s_process = new(null, Environment.ProcessorCount);
    private static readonly AsyncLocal<Budget?> s_limit = new();
    private static readonly ParallelOptions[] s_options =
        Enumerable.Range(0, Environment.ProcessorCount + 1).Select(n => new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, n) }).ToArray();
    // Live Limit scopes in the process: while there are none, kernels skip the async-local lookup.
    private static int s_limits;

    /// <summary>The process's budget: 1 to the core count (larger values are capped at the core count); the core count by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public static int Max
    {
        get => s_process.Threads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"ThreadBudget.Max: must be at least 1, got {value}");
            lock (s_lock) s_process.Threads = Math.Min(value, Environment.ProcessorCount);
        }
    }

    /// <summary>The budget that applies here: the innermost <see cref="Limit"/> around this code, or <see cref="Max"/>.</summary>
    public static int Current => Here.Max;

    /// <summary>
    /// Limits the ops run here -- on this thread, and in parallel work and threads started from here -- to
    /// <paramref name="threads"/> threads (at most <see cref="Current"/>) until the returned scope is disposed. Other
    /// threads keep their budget.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static IDisposable Limit(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), $"ThreadBudget.Limit: must be at least 1, got {threads}");
        Budget? outer = s_limit.Value;
        s_limit.Value = new Budget(outer ?? s_process, threads);
        Interlocked.Increment(ref s_limits);
        return new Scope(() =>
        {
            s_limit.Value = outer;
            Interlocked.Decrement(ref s_limits);
        });
    }

    private static Budget Here => Volatile.Read(ref s_limits) == 0 ? s_process : s_limit.Value ?? s_process;

    /// <summary>The threads a parallel kernel may use here: the budget less the threads reserved (a running warm-up), at least 1.</summary>
    internal static int KernelThreads => Here.Available;

    /// <summary>Options for <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> that respect <see cref="KernelThreads"/>.</summary>
    internal static ParallelOptions Options => s_options[KernelThreads];

    /// <summary>
    /// Takes one thread of the budget here away from the kernels, for work on a thread of its own, until the returned
    /// reservation is disposed; or returns null when the kernels would be left with none.
    /// </summary>
    internal static IDisposable? TryReserve()
    {
        Budget budget = Here;
        lock (s_lock)
        {
            if (budget.Available < 2) return null;
            budget.Reserved++;
        }
        return new Scope(() => { lock (s_lock) budget.Reserved--; });
    }

    /// <summary>A budget: the process's, or a limit within an outer one. Written under the lock, read without it.</summary>
    private sealed class Budget(Budget? outer, int threads)
    {
        public volatile int Threads = threads;
        public volatile int Reserved;

        public int Max => outer is null ? Threads : Math.Min(Threads, outer.Max);

        public int Available => Math.Max(1, outer is null ? Threads - Reserved : Math.Min(Max - Reserved, outer.Available));
    }
}
