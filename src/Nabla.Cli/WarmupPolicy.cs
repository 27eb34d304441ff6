using System.Globalization;

namespace Nabla.Cli;

// Note [Warm-up in the tool]
// The tool starts Nabla's background warm-up (Note [Warm-up]) for commands whose run begins with a training loop that
// has not been compiled yet: `train` (float32) and `bench scalar` (float64, the micrograd demo; the warm-up compiles the
// batched form's ops on the idle core while the single-threaded scalar form runs). Not for `bench mlp|cnn`, which run
// two untimed training steps before their timed epoch (as bench/pytorch does) that compile the same code, and whose
// GEMMs already keep both cores busy; nor for `bench gemm|overhead`, which time the best of several repetitions.
// And for `playground` (float32): its server starts in a second and waits for a browser, so its first session and first
// training step find their code compiled. `bash bench/playground-latency.sh` (curl 3 s after start, three alternating
// pairs): creating a session 0.80-0.84 s -> 0.54-0.62 s, the first step 0.096-0.098 s -> 0.062-0.068 s (the second
// 0.03 s either way); most of what remains is the web stack's own first calls. Other commands are short. NABLA_WARMUP=off turns it
// off, to measure without it. The warm-up's thread counts against the thread budget (Parallelism.MaxThreads), so it is not
// started for `--threads 1`: it starts before the command sets the budget from its options.

/// <summary>Which dtypes a command line warms up in the background. See Note [Warm-up in the tool].</summary>
internal static class WarmupPolicy
{
    /// <summary>The environment variable that turns the warm-up off (<c>off</c>).</summary>
    public const string Variable = "NABLA_WARMUP";

    /// <summary>The dtypes to warm up for a command line (none when it names no such command or the warm-up is off).</summary>
    public static DType[] DTypes(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        if (string.Equals(environment(Variable), "off", StringComparison.OrdinalIgnoreCase) || RequestedThreads(args) == 1) return [];
        return args switch
        {
            ["train", ..] => [DType.Float32],
            ["bench", "scalar", ..] => [DType.Float64],
            ["playground", ..] => [DType.Float32],
            _ => [],
        };
    }

    /// <summary>The value of a <c>--threads N</c> or <c>--threads=N</c> option, or null when there is none or it is not a number.</summary>
    internal static int? RequestedThreads(IReadOnlyList<string> args)
    {
        const string option = "--threads";
        for (int i = 0; i < args.Count; i++)
        {
            string? value = args[i] == option && i + 1 < args.Count ? args[i + 1]
                : args[i].StartsWith(option + "=", StringComparison.Ordinal) ? args[i][(option.Length + 1)..] : null;
            if (value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int threads)) return threads;
        }
        return null;
    }

    /// <summary>Starts the warm-up this command line asks for, if any.</summary>
    public static void Start(IReadOnlyList<string> args)
    {
        DType[] dtypes = DTypes(args, Environment.GetEnvironmentVariable);
        // The task is not awaited: the warm-up only moves compilation earlier, and the command's own ops check their results.
        if (dtypes.Length > 0) _ = Warmup.Start(dtypes);
    }
}
