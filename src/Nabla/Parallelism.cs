namespace Nabla;

/// <summary>
/// How many threads Nabla keeps busy. Defaults to the number of cores; never more are used: the kernels' helper threads
/// and a running <see cref="Warmup"/> share this budget.
/// </summary>
public static class Parallelism
{
    private static readonly Lock s_lock = new();
    private static int s_maxThreads = Environment.ProcessorCount;
    private static int s_reserved;
    private static volatile int s_kernelThreads = Environment.ProcessorCount;
    private static volatile ParallelOptions s_options = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    /// <summary>The thread budget (1 to the core count; larger values are capped at the core count).</summary>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"Parallelism.MaxThreads: must be at least 1, got {value}");
            lock (s_lock)
            {
                s_maxThreads = Math.Min(value, Environment.ProcessorCount);
                Update();
            }
        }
    }

    /// <summary>The threads a parallel kernel may use now: <see cref="MaxThreads"/> less those reserved (a running warm-up), at least 1.</summary>
    internal static int KernelThreads => s_kernelThreads;

    /// <summary>Options for <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> that respect <see cref="KernelThreads"/>.</summary>
    internal static ParallelOptions Options => s_options;

    /// <summary>
    /// Takes one thread of the budget away from the kernels for work on a thread of its own, and returns true; or returns
    /// false when the kernels would be left with none (a budget of one, or every spare thread already reserved).
    /// </summary>
    internal static bool TryReserve()
    {
        lock (s_lock)
        {
            if (s_maxThreads - s_reserved < 2) return false;
            s_reserved++;
            Update();
            return true;
        }
    }

    /// <summary>Gives back a thread taken by <see cref="TryReserve"/>.</summary>
    internal static void Release()
    {
        lock (s_lock)
        {
            s_reserved--;
            Update();
        }
    }

    private static void Update()
    {
        int threads = Math.Max(1, s_maxThreads - s_reserved);
        s_kernelThreads = threads;
        s_options = new ParallelOptions { MaxDegreeOfParallelism = threads };
    }
}
