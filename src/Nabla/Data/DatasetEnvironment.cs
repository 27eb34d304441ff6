namespace Nabla.Data;

/// <summary>
/// Where dataset files are looked for: environment variables and the home directory, injectable so tests need not
/// touch the real ones.
/// </summary>
internal sealed class DatasetEnvironment(Func<string, string?> getVariable, string homeDirectory)
{
    /// <summary>The variable naming a directory that holds one folder per dataset (<c>$NABLA_DATA/fashion-mnist</c>).</summary>
    public const string DataVariable = "NABLA_DATA";

    /// <summary>The variable naming a base URL that replaces the built-in download mirrors.</summary>
    public const string MirrorVariable = "NABLA_DATASET_MIRROR";

    public static DatasetEnvironment Current { get; } =
        new(Environment.GetEnvironmentVariable, Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    public string? DataDirectory => NonEmpty(getVariable(DataVariable));

    public string? Mirror => NonEmpty(getVariable(MirrorVariable));

    /// <summary><c>~/.nabla/datasets</c>.</summary>
    public string CacheRoot => Path.Combine(homeDirectory, ".nabla", "datasets");

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
