using System.Runtime;

namespace Nabla.Cli;

// Note [JIT profiles]
// A short run of the tool spends a large share of its time compiling: the mlp benchmark's one-epoch run
// compiles ~430 methods in ~0.35 s of a ~1.3 s epoch (System.Runtime.JitInfo), and the batched micrograd demo
// is mostly its first step's compilation. A per-assembly ReadyToRun image does not remove that (crossgen leaves
// AggressiveOptimization methods, TensorPrimitives' instantiations and code depending on CoreLib value types'
// layouts to the JIT); the composite image of bench/publish.sh does, at the costs docs/benchmarks.md lists. The runtime's
// multicore JIT does: a run records which methods it compiled into a profile file, and the next run of the
// same command compiles them on a background thread ahead of their first call. The profile is per command
// (`train`, `bench-mlp`, ...) under ~/.nabla/jit-profiles, or $NABLA_JIT_PROFILES; NABLA_JIT_PROFILES=off
// turns it off. It is only an optimisation: when the directory cannot be made, the run goes on without it;
// the runtime validates a profile it reads and ignores a damaged one, and writes it when the process exits.
// Measured with `nabla bench mlp` alternately with and without a profile on the idle 2-core host: 53-62k
// against 40-51k samples/s; the batched micrograd demo, whose methods the profile compiles while the scalar
// form runs, 0.009-0.063 s against 0.09-0.12 s.

/// <summary>Starts the runtime's profile-guided multicore JIT for a command. See Note [JIT profiles].</summary>
internal static class JitProfile
{
    /// <summary>The environment variable that moves the profiles (a directory) or turns them off (<c>off</c>).</summary>
    public const string Variable = "NABLA_JIT_PROFILES";

    /// <summary>The profile's file name for a command line, or null when it names no known command.</summary>
    public static string? FileName(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || !Program.Commands.ContainsKey(args[0])) return null;
        string name = args[0];
        // bench runs different workloads, each with its own methods.
        if (args[0] == "bench" && args.Count > 1 && args[1].All(char.IsAsciiLetterLower)) name += "-" + args[1];
        return name + ".jitprofile";
    }

    /// <summary>The directory of the profiles, or null when they are turned off.</summary>
    public static string? Directory(Func<string, string?> environment)
    {
        string? configured = environment(Variable);
        if (string.Equals(configured, "off", StringComparison.OrdinalIgnoreCase)) return null;
        if (!string.IsNullOrEmpty(configured)) return configured;
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".nabla", "jit-profiles");
    }

    /// <summary>Starts recording (and, when a profile exists, replaying) the JIT profile of this command line.</summary>
    public static void Start(IReadOnlyList<string> args)
    {
        if (FileName(args) is not { } file || Directory(Environment.GetEnvironmentVariable) is not { } dir) return;
        try
        {
            System.IO.Directory.CreateDirectory(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // an optimisation only: run without it
        }
        ProfileOptimization.SetProfileRoot(dir);
        ProfileOptimization.StartProfile(file);
    }
}
