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
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r))
            throw new UsageException($"{name}: '{v}' is not an integer", $"pass a whole number, e.g. {name} {fallback}");
        if (r < min || r > max)
            throw new UsageException($"{name}: {r} is out of range", $"pass a value from {min} to {(max == int.MaxValue ? "any" : max.ToString(CultureInfo.InvariantCulture))}");
        return r;
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
