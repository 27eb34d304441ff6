namespace Nabla.Cli.Training;

/// <summary>The <c>--threads</c> option of <c>train</c> and <c>bench</c>: one range, one default and one help text for both.</summary>
public static class ThreadsOption
{
    /// <summary>The largest thread budget accepted.</summary>
    public const int Max = 4096;

    /// <summary>What the option means, as the commands' help prints it after <c>--threads N</c>.</summary>
    public static string Help { get; } = $"threads for the kernels: 0 (all cores, the default) to {Max}";

    /// <summary>The thread budget given, 0 (all cores) when absent; a value outside 0 to <see cref="Max"/> is a <see cref="UsageException"/>.</summary>
    public static int Read(OptionReader options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Int("--threads", 0, 0, Max);
    }
}
