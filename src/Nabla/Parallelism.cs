namespace Nabla;

/// <summary>
/// How many threads Nabla's kernels may keep busy. Defaults to the number of cores; never more are used.
/// </summary>
public static class Parallelism
{
    private static int s_maxThreads = Environment.ProcessorCount;
    private static ParallelOptions s_options = new() { MaxDegreeOfParallelism = Environment.ProcessorCount };

    /// <summary>The thread budget of every parallel kernel (1 to the core count; larger values are capped at the core count).</summary>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), $"Parallelism.MaxThreads: must be at least 1, got {value}");
            s_maxThreads = Math.Min(value, Environment.ProcessorCount);
            s_options = new ParallelOptions { MaxDegreeOfParallelism = s_maxThreads };
        }
    }

    /// <summary>Options for <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/> that respect <see cref="MaxThreads"/>.</summary>
    internal static ParallelOptions Options => s_options;
}
