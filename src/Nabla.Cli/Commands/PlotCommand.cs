using System.Globalization;
using System.Text;
using Nabla.Cli.Training;
using Nabla.Data;
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
    public static string Usage { get; } = $"""
        usage: nabla plot <file.csv> [--columns a,b,...] [--x COLUMN] [--out FILE] [--title TEXT] [--log-y]

        Draws numeric columns of a CSV file with a header row against its first column (or --x) as an SVG
        chart with axes, ticks, a legend and titles. Columns whose names contain 'loss' share one panel,
        columns whose names contain 'acc' share another, and every other column gets a panel of its own.
        The CSV is read as 'nabla train --dataset csv:' reads one (RFC 4180 quoting, the same bounds), and
        at most {MaxValues.ToString("N0", CultureInfo.InvariantCulture)} numbers are kept.

        options:
          --columns a,b,...     the columns to draw (default: every numeric column except x)
          --x COLUMN            the column on the x axis (default: the first)
          --out FILE            the SVG to write (default: the CSV's path with .plot.svg, so that plotting a
                                run's metrics.csv writes metrics.plot.svg and keeps the metrics.svg train drew)
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
            string outPath = o.Path("--out", Path.ChangeExtension(path, ".plot.svg"));
            if (Path.GetFullPath(outPath) == Path.GetFullPath(path))
                throw new UsageException($"--out: '{outPath}' is the CSV file being plotted; writing the chart there would replace it", "pass another --out, such as --out chart.svg");
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

    /// <summary>The most numbers <see cref="ReadCsv(string)"/> keeps (8 bytes each): a chart of more points is not readable anyway.</summary>
    public const int MaxValues = 1 << 22;

    /// <summary>Reads a CSV with a header row; returns the header and every column whose cells all parse as numbers.</summary>
    /// <exception cref="InvalidDataException">The file is not CSV with a header and a data row, a row is not as wide as
    /// the header, it holds more than <see cref="MaxValues"/> numbers, or a bound of <see cref="CsvRecordReader"/> is
    /// passed; the message names the file and the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static (string[] Header, Dictionary<string, double[]> Columns) ReadCsv(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, FileOptions.SequentialScan);
        using var text = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        return ReadCsv(text, path, MaxValues);
    }

    /// <summary>Reads CSV <paramref name="text"/> named <paramref name="name"/> in messages, keeping at most <paramref name="maxValues"/> numbers.</summary>
    internal static (string[] Header, Dictionary<string, double[]> Columns) ReadCsv(TextReader text, string name, int maxValues)
    {
        var records = new CsvRecordReader(text, name);
        if (!records.Read()) throw new InvalidDataException($"{name}: the file is empty; expected a header row and at least one data row");
        int headerLine = records.Line;
        string[] header = records.Fields();
        var cells = new List<double>?[header.Length]; // null once a cell of the column is not a number
        for (int c = 0; c < header.Length; c++) cells[c] = [];
        long kept = 0;
        int rows = 0;
        while (records.Read())
        {
            if (records.FieldCount != header.Length)
                throw new InvalidDataException($"{name}: line {records.Line} has {records.FieldCount} cells but the header (line {headerLine}) has {header.Length}");
            rows++;
            for (int c = 0; c < header.Length; c++)
            {
                if (cells[c] is not { } column) continue;
                if (!double.TryParse(records.Field(c), NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                {
                    kept -= column.Count;
                    cells[c] = null;
                    continue;
                }
                if (++kept > maxValues)
                    throw new InvalidDataException($"{name}: line {records.Line}: the numeric columns hold more than {maxValues:N0} numbers, the most nabla plot reads; plot a shorter file");
                column.Add(v);
            }
        }
        if (rows == 0) throw new InvalidDataException($"{name}: expected a header row and at least one data row, but there is only the header (line {headerLine})");
        var columns = new Dictionary<string, double[]>(StringComparer.Ordinal);
        for (int c = 0; c < header.Length; c++)
            if (cells[c] is { } column) columns.TryAdd(header[c], [.. column]);
        return (header, columns);
    }
}
