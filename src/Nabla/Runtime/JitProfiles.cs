using System.Runtime;

namespace Nabla.Runtime;

// Note [JIT profiles]
// A short run spends much of its time compiling (Note [Warm-up]). The runtime's multicore JIT removes that from later
// runs: a run records which methods it compiled into a profile file, written when the process exits, and the next run
// with the same profile compiles them on a background thread ahead of their first call. The runtime validates a
// profile it reads and ignores a damaged one. Starting it is the application's choice (Note [Runtime policy]): it
// starts a thread and writes a file. One profile per kind of run (the CLI keeps one per command); figures in
// docs/benchmarks.md.

/// <summary>
/// The runtime's profile-guided multicore JIT (<see cref="ProfileOptimization"/>) for a program built on Nabla: later runs
/// compile, on a background thread, the methods an earlier run needed. Off unless enabled. See Note [JIT profiles].
/// </summary>
/// <example><code>JitProfiles.Enable(Path.Combine(home, ".myapp", "jit"), "train.jitprofile"); // first thing in Main</code></example>
public static class JitProfiles
{
    /// <summary>
    /// Starts recording this process's JIT profile into <paramref name="directory"/>/<paramref name="name"/> (written
    /// when the process exits), after compiling ahead what the profile of that name recorded by an earlier run lists.
    /// Creates the directory. Call it once, as early as possible.
    /// </summary>
    /// <param name="directory">Where the profiles are kept.</param>
    /// <param name="name">The profile's file name: one per kind of run, such as <c>train.jitprofile</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="directory"/> is empty, or <paramref name="name"/> is not a plain file name.</exception>
    /// <exception cref="IOException">The directory cannot be created.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory cannot be created for lack of permission.</exception>
    public static void Enable(string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(name);
        if (directory.Length == 0)
            throw new ArgumentException("JitProfiles.Enable: expected a directory, got an empty string", nameof(directory));
        if (name.Length == 0 || name is "." or ".." || name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || name.Contains('/') || name.Contains('\\'))
            throw new ArgumentException($"JitProfiles.Enable: expected a file name without a directory, such as 'train.jitprofile', got '{name}'", nameof(name));
        Directory.CreateDirectory(directory);
        ProfileOptimization.SetProfileRoot(directory);
        ProfileOptimization.StartProfile(name);
    }
}
