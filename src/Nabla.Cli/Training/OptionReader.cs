using System.Globalization;

namespace Nabla.Cli.Training;

/// <summary>
/// Reads <c>--name value</c>, <c>--name=value</c> and <c>--flag</c> options plus positional arguments, and reports
/// unknown or malformed options as <see cref="UsageException"/>s that say what to do.
/// </summary>
public sealed class OptionReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];

    /// <summary>Parses <paramref name="args"/>; <paramref name="valued"/> options take a value, <paramref name="flags"/> do not.</summary>
    public OptionReader(IReadOnlyList<string> args, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags, string command)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal) || a == "--")
            {
                if (a == "-h") { _values["--help"] = null; continue; }
                _positional.Add(a);
                continue;
            }
            string name = a, inline = "";
            bool hasInline = false;
            int eq = a.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0) { name = a[..eq]; inline = a[(eq + 1)..]; hasInline = true; }
            if (flags.Contains(name))
            {
                if (hasInline) throw new UsageException($"option {name} takes no value", $"run 'nabla {command} --help'");
                _values[name] = null;
            }
            else if (valued.Contains(name))
            {
                if (hasInline) _values[name] = inline;
                else if (i + 1 < args.Count) _values[name] = args[++i];
                else throw new UsageException($"option {name} needs a value", $"run 'nabla {command} --help' to see its format");
            }
            else throw new UsageException($"unknown option '{name}'", $"run 'nabla {command} --help' to see the options");
        }
    }

    /// <summary>Arguments that are not options.</summary>
    public IReadOnlyList<string> Positional => _positional;

    /// <summary>The names of the options and flags given (such as <c>--lr</c>), in no particular order.</summary>
    public IReadOnlyCollection<string> Given => _values.Keys;

    /// <summary>Whether an option or flag was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>A string option, or <paramref name="fallback"/>.</summary>
    public string String(string name, string fallback) => _values.TryGetValue(name, out string? v) && v is not null ? v : fallback;

    /// <summary>A string option, or null.</summary>
    public string? OptionalString(string name) => _values.TryGetValue(name, out string? v) ? v : null;

    /// <summary>An integer option within [min, max], or <paramref name="fallback"/>.</summary>
    public int Int(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (!_values.TryGetValue(name, out string? v) || v is null) return fallback;
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long r))
        {
            bool digits = v.Trim().TrimStart('-', '+').All(char.IsAsciiDigit) && v.Trim().Length > 0;
            throw new UsageException(digits ? $"{name}: {v} is out of range" : $"{name}: '{v}' is not an integer", $"pass a whole number from {min} to {max}, e.g. {name} {fallback}");
        }
        if (r < min || r > max)
            throw new UsageException($"{name}: {r} is out of range", $"pass a whole number from {min} to {max}");
        return (int)r;
    }

    /// <summary>A non-negative integer option that fits 64 bits (a seed), or <paramref name="fallback"/>.</summary>
    public ulong UInt64(string name, ulong fallback)
    {
        if (!_values.TryGetValue(name, out string? v) || v is null) return fallback;
        if (!ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out ulong r))
            throw new UsageException($"{name}: '{v}' is not a whole number from 0 to {ulong.MaxValue}", $"pass e.g. {name} {fallback}");
        return r;
    }

    /// <summary>
    /// A comma-separated list of integers, each within [min, max], or null when the option is absent; at least
    /// <paramref name="minCount"/> entries. <paramref name="example"/> shows the format in the hint.
    /// </summary>
    public int[]? IntList(string name, int min, int max, int minCount, string example)
    {
        if (!_values.TryGetValue(name, out string? v) || v is null) return null;
        string[] parts = v.Split(',');
        var result = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string p = parts[i].Trim();
            if (!long.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long r))
                throw new UsageException($"{name}: '{p}' in '{v}' is not a whole number", $"write a comma-separated list like {name} {example}");
            if (r < min || r > max)
                throw new UsageException($"{name}: {p} is out of range", $"each entry must be from {min} to {max.ToString(CultureInfo.InvariantCulture)}, e.g. {name} {example}");
            result[i] = (int)r;
        }
        if (result.Length < minCount)
            throw new UsageException($"{name}: '{v}' needs at least {minCount} entries", $"write it like {name} {example}");
        return result;
    }

    /// <summary>A path option, or <paramref name="fallback"/>; an empty path or one with characters no file name may hold is a usage error.</summary>
    public string Path(string name, string fallback) => OptionalPath(name) ?? fallback;

    /// <summary>A path option, or null when absent; see <see cref="Path"/>.</summary>
    public string? OptionalPath(string name) =>
        _values.TryGetValue(name, out string? v) && v is not null ? CheckPath(v, name) : null;

    /// <summary>Returns <paramref name="path"/> if it can name a file; otherwise a usage error naming <paramref name="what"/>.</summary>
    public static string CheckPath(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Trim().Length == 0)
            throw new UsageException($"{what}: the path is empty", $"pass a file or directory name, e.g. {what} runs/my-run");
        if (path.IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0)
            throw new UsageException($"{what}: '{path.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a character no path may contain", "pass a plain file or directory name");
        return path;
    }

    /// <summary>A number option within [min, max], or <paramref name="fallback"/>.</summary>
    public double Double(string name, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        if (!_values.TryGetValue(name, out string? v) || v is null) return fallback;
        if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) || !double.IsFinite(r))
            throw new UsageException($"{name}: '{v}' is not a number", $"pass a number, e.g. {name} {fallback.ToString(CultureInfo.InvariantCulture)}");
        if (r < min || r > max)
            throw new UsageException($"{name}: {v} is out of range", $"pass a value from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return r;
    }
}

/// <summary>A command-line mistake: its message and a hint of what to do instead (exit code 2).</summary>
public sealed class UsageException(string message, string hint) : Exception(message)
{
    /// <summary>What the user should do.</summary>
    public string Hint { get; } = hint;
}
