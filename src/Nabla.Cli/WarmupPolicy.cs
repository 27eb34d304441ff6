namespace Nabla.Cli;

// Note [Warm-up in the tool]
// Three commands start Nabla's background warm-up (Note [Warm-up]) once they have set the thread budget from their
// options, so that the budget decides whether a thread is spare (`--threads 1`: none, and no warm-up):
//  * `train` (float32): its first epoch finds the training step's code compiled;
//  * `bench scalar` (float64, the micrograd demo): the batched form's ops compile on the idle core while the
//    single-threaded scalar form runs;
//  * `playground` (float32): its server starts in a second and waits for a browser, so its first session and first
//    training step find their code compiled. `bash bench/playground-latency.sh` (curl 3 s after start, three
//    alternating pairs): creating a session 0.80-0.84 s -> 0.54-0.62 s, the first step 0.096-0.098 s -> 0.062-0.068 s
//    (the second 0.03 s either way); most of what remains is the web stack's own first calls.
// Not `bench mlp|cnn`, which run two untimed training steps before their timed epoch (as bench/pytorch does) that
// compile the same code, and whose GEMMs already keep both cores busy; nor `bench gemm|overhead`, which time the best of
// several repetitions; other commands are short. Only the tool's process starts it (Program.Main enables it): commands
// run in-process, as the tests run them, start no background work. NABLA_WARMUP=off turns it off, to measure without it.

/// <summary>Whether the tool's commands start the background warm-up. See Note [Warm-up in the tool].</summary>
internal static class WarmupPolicy
{
    /// <summary>The environment variable that turns the warm-up off (<c>off</c>).</summary>
    public const string Variable = "NABLA_WARMUP";

    private static volatile bool s_enabled;

    /// <summary>True once the tool's process has enabled the warm-up and the variable does not turn it off.</summary>
    public static bool Enabled => s_enabled;

    /// <summary>False when <see cref="Variable"/> is <c>off</c> (any case).</summary>
    public static bool AllowedBy(Func<string, string?> environment) =>
        !string.Equals(environment(Variable), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>Enables the warm-up for this process unless the environment turns it off. Called by <c>Main</c>.</summary>
    public static void Enable(Func<string, string?> environment) => s_enabled = AllowedBy(environment);

    /// <summary>Starts the warm-up for <paramref name="dtype"/> when enabled; a command calls it after setting the thread budget.</summary>
    public static void Start(DType dtype)
    {
        // Not awaited: the warm-up only moves compilation earlier (and starts nothing when no thread is spare).
        if (s_enabled) _ = Warmup.Start(dtype);
    }
}
