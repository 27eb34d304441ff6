using Nabla.Runtime;

namespace Nabla.Cli;

// Note [Runtime policy of the tool]
// The library tunes nothing unasked (Note [Runtime policy]); the tool asks, here, for what its commands and benchmarks
// need. Main calls Apply before any command runs; commands run in-process (Program.Run, as the tests run them) get none
// of it. Apply switches on:
//  * the collection after backward on the main thread, where every command runs (the scalar micrograd demo of `bench
//    scalar` relies on it: Note [Collect after backward]);
//  * the JIT profile of the command line (Note [JIT profiles]): one per command, `bench-<workload>` for bench, under
//    ~/.nabla/jit-profiles or $NABLA_JIT_PROFILES; NABLA_JIT_PROFILES=off turns it off. Only an optimisation: when the
//    directory cannot be made the run goes on without it;
//  * the warm-up (Note [Warm-up]) for the commands that start it through StartWarmup once they have set their thread
//    budget, so that `--threads 1` leaves no thread for it: `train` and `playground` (float32), whose first step or
//    first session then finds its code compiled, and `bench scalar` (float64), whose batched form compiles while the
//    single-threaded scalar form runs. Not `bench mlp|cnn` (their two untimed steps compile the same code, and their
//    GEMMs keep both cores busy) nor `bench gemm|overhead` (best of several repetitions). NABLA_WARMUP=off turns it off.
// Buffer pools are not switched on here: the loops that want them open their own scope around exactly the loop a pool
// serves (Trainer's training and evaluation, the bench workloads), since a pool belongs to one thread's loop. `--threads
// N` is a ThreadBudget.Limit around the command. The process's GC and JIT settings are in Nabla.Cli.csproj.

/// <summary>What the tool's process switches on in Nabla.Runtime. See Note [Runtime policy of the tool].</summary>
internal static class RuntimePolicy
{
    /// <summary>The environment variable that moves the JIT profiles (a directory) or turns them off (<c>off</c>).</summary>
    public const string JitProfilesVariable = "NABLA_JIT_PROFILES";

    /// <summary>The environment variable that turns the warm-up off (<c>off</c>).</summary>
    public const string WarmupVariable = "NABLA_WARMUP";

    private static volatile bool s_warmup;

    /// <summary>
    /// Applies the tool's policy for the command line <paramref name="args"/>; called once by <c>Main</c>. The scope
    /// returned ends the collection after backward.
    /// </summary>
    public static IDisposable Apply(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        StartJitProfile(args, environment);
        s_warmup = WarmupAllowedBy(environment);
        return CollectAfterBackward.Enable();
    }

    /// <summary>True once the tool's process has applied its policy and the environment does not turn the warm-up off.</summary>
    public static bool WarmupEnabled => s_warmup;

    /// <summary>False when <see cref="WarmupVariable"/> is <c>off</c> (any case).</summary>
    public static bool WarmupAllowedBy(Func<string, string?> environment) =>
        !string.Equals(environment(WarmupVariable), "off", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts the warm-up for <paramref name="dtype"/> when enabled; a command calls it after setting its thread budget.</summary>
    public static void StartWarmup(DType dtype)
    {
        // Not awaited: the warm-up only moves compilation earlier (and starts nothing when no thread is spare).
        if (s_warmup) _ = JitWarmup.Start(dtype);
    }

    /// <summary>The JIT profile's file name for a command line, or null when it names no known command.</summary>
    public static string? JitProfileName(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || !Program.Commands.ContainsKey(args[0])) return null;
        string name = args[0];
        // bench runs different workloads, each with its own methods.
        if (args[0] == "bench" && args.Count > 1 && args[1].All(char.IsAsciiLetterLower)) name += "-" + args[1];
        return name + ".jitprofile";
    }

    /// <summary>The directory of the JIT profiles, or null when they are turned off.</summary>
    public static string? JitProfileDirectory(Func<string, string?> environment)
    {
        string? configured = environment(JitProfilesVariable);
        if (string.Equals(configured, "off", StringComparison.OrdinalIgnoreCase)) return null;
        if (!string.IsNullOrEmpty(configured)) return configured;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".nabla", "jit-profiles");
    }

    private static void StartJitProfile(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        if (JitProfileName(args) is not { } file || JitProfileDirectory(environment) is not { } dir) return;
        try
        {
            JitProfiles.Enable(dir, file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // an optimisation only: run without it
        }
    }
}
