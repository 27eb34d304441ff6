using System.Globalization;
using Nabla.Cli.Training;
using Nabla.Diagnostics;
using Nabla.IO;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla plot metrics.csv</c>: draws columns of a CSV file (such as the <c>metrics.csv</c> of <c>nabla train</c>) as
/// an SVG chart, one panel per kind of column (losses together, accuracies together, every other column alone).
/// </summary>
public static class PlotCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "plot";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "draw columns of a CSV file (such as metrics.csv) as an SVG chart";

    private static readonly string[] Valued = ["--columns", "--x", "--out", "--title"];
    private static readonly string[] Flags = ["--help", "--log-y"];

    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: nabla plot <file.csv> [--columns a,b,...] [--x COLUMN] [--out FILE] [--title TEXT] [--log-y]

        Draws numeric columns of a CSV file with a header row against its first column (or --x) as an SVG
        chart with axes, ticks, a legend and titles. Columns whose names contain 'loss' share one panel,
        columns whose names contain 'acc' share another, and every other column gets a panel of its own.

        options:
          --columns a,b,...     the columns to draw (default: every numeric column except x)
          --x COLUMN            the column on the x axis (default: the first)
          --out FILE            the SVG to write (default: the CSV's path with .svg)
          --title TEXT          a title above the first panel's own
          --log-y               logarithmic y axes (non-positive values are skipped)

        examples:
          nabla plot runs/digits-mlp/metrics.csv
          nabla plot runs/digits-mlp/metrics.csv --columns train_loss,test_loss --out loss.svg

        """;

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            var o = new OptionReader(args, Valued, Flags, Name);
            if (o.Has("--help"))
            {
                stdout.Write(Usage);
                return ExitCodes.Success;
            }
            if (o.Positional.Count != 1)
                throw new UsageException(o.Positional.Count == 0 ? "missing CSV file" : $"unexpected argument '{o.Positional[1]}'",
                    "give one CSV file, as in nabla plot runs/digits-mlp/metrics.csv");
            string path = OptionReader.CheckPath(o.Positional[0], "the CSV file");
            if (!File.Exists(path)) throw new UsageException($"no file at '{path}'", "pass the path of a CSV file with a header row, such as the metrics.csv of nabla train");
            var (header, columns) = ReadCsv(path);
            string x = o.String("--x", header[0]);
            if (!columns.ContainsKey(x)) throw new UsageException($"--x: no numeric column '{x}' in {path}", $"the numeric columns are {string.Join(", ", columns.Keys)}");
            string[] wanted = o.OptionalString("--columns") is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [.. header.Where(h => h != x && columns.ContainsKey(h))];
            foreach (string c in wanted)
                if (!columns.ContainsKey(c))
                    throw new UsageException($"--columns: no numeric column '{c}' in {path}", $"the numeric columns are {string.Join(", ", columns.Keys)}");
            if (wanted.Length == 0) throw new UsageException($"{path} has no numeric column to draw besides '{x}'", "pass --columns");

            string svg = Render(columns, x, wanted, o.OptionalString("--title"), o.Has("--log-y"));
            string outPath = o.Path("--out", Path.ChangeExtension(path, ".svg"));
            AtomicFile.Write(outPath, stream =>
            {
                using var w = new StreamWriter(stream, leaveOpen: true);
                w.Write(svg);
            });
            stdout.WriteLine($"wrote {outPath}: {string.Join(", ", wanted)} against {x}");
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }

    /// <summary>Draws <paramref name="columns"/> against <paramref name="x"/>, grouped into panels by kind.</summary>
    public static string Render(IReadOnlyDictionary<string, double[]> table, string x, IReadOnlyList<string> columns, string? title = null, bool logY = false)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(columns);
        var panels = new List<LineChart>();
        foreach (var group in columns.GroupBy(Kind))
        {
            string panelTitle = group.Key switch { "loss" => "Loss", "accuracy" => "Accuracy", _ => Capitalized(Pretty(group.Key)) };
            if (panels.Count == 0 && title is not null) panelTitle = $"{title}: {panelTitle}";
            var chart = new LineChart { Title = panelTitle, XLabel = Pretty(x), YLabel = group.Key is "loss" or "accuracy" ? group.Key : Pretty(group.Key), LogY = logY };
            foreach (string c in group) chart.Series.Add(new ChartSeries(c, table[x], table[c]));
            panels.Add(chart);
        }
        return LineChart.RenderPanels(panels);
    }

    private static string Kind(string column) =>
        column.Contains("loss", StringComparison.OrdinalIgnoreCase) ? "loss"
        : column.Contains("acc", StringComparison.OrdinalIgnoreCase) ? "accuracy"
        : column;

    private static string Pretty(string column) => column switch
    {
        "lr" => "learning rate",
        "samples_per_s" => "samples per second",
        _ => column.Replace('_', ' '),
    };

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>Reads a CSV with a header row; returns the header and every column whose cells all parse as numbers.</summary>
    public static (string[] Header, Dictionary<string, double[]> Columns) ReadCsv(string path)
    {
        string[] lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToArray();
        if (lines.Length < 2) throw new InvalidDataException($"{path}: expected a header row and at least one data row, got {lines.Length} non-empty lines");
        string[] header = lines[0].Split(',').Select(h => h.Trim()).ToArray();
        var cells = new double[header.Length][];
        var numeric = new bool[header.Length];
        for (int c = 0; c < header.Length; c++) { cells[c] = new double[lines.Length - 1]; numeric[c] = true; }
        for (int r = 1; r < lines.Length; r++)
        {
            string[] parts = lines[r].Split(',');
            if (parts.Length != header.Length)
                throw new InvalidDataException($"{path}: line {r + 1} has {parts.Length} cells but the header has {header.Length}");
            for (int c = 0; c < header.Length; c++)
            {
                if (!numeric[c]) continue;
                if (double.TryParse(parts[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) cells[c][r - 1] = v;
                else numeric[c] = false;
            }
        }
        var columns = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int c = 0; c < header.Length; c++)
            if (numeric[c]) columns.TryAdd(header[c], cells[c]);
        return (header, columns);
    }
}
