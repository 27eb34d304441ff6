using System.Globalization;

namespace Nabla.Cli.Training;

/// <summary>One row of <c>metrics.csv</c>: a completed epoch.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double Lr, double Seconds, double SamplesPerSecond)
{
    /// <summary>The CSV header.</summary>
    public const string Header = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds,samples_per_s";

    private const int Columns = 8;

    /// <summary>This row as CSV.</summary>
    public string ToCsv() => string.Join(",",
        Epoch.ToString(CultureInfo.InvariantCulture), F(TrainLoss), F(TrainAccuracy), F(TestLoss), F(TestAccuracy), F(Lr), F(Seconds), F(SamplesPerSecond));

    private static string F(double v) => v.ToString("G9", CultureInfo.InvariantCulture);

    /// <summary>Parses a row written by <see cref="ToCsv"/>; anything else is an <see cref="InvalidDataException"/> naming the column.</summary>
    public static EpochMetrics Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] p = line.Split(',');
        if (p.Length != Columns) throw new InvalidDataException($"expected {Columns} columns ({Header}), got {p.Length}");
        if (!int.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch))
            throw new InvalidDataException($"column 'epoch' holds '{Clip(p[0])}', not an epoch number");
        var v = new double[Columns];
        string[] names = Header.Split(',');
        for (int i = 1; i < Columns; i++)
            if (!double.TryParse(p[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]))
                throw new InvalidDataException($"column '{names[i]}' holds '{Clip(p[i])}', not a number");
        return new(epoch, v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    /// <summary>
    /// Reads the first <paramref name="epochs"/> rows of a <c>metrics.csv</c>, which must be epochs 1 to
    /// <paramref name="epochs"/> in order (later rows, of epochs a resumed run redoes, are not read).
    /// </summary>
    /// <exception cref="InvalidDataException">The header, a row or the epoch sequence is not what <c>nabla train</c> writes; the message names the file and line.</exception>
    public static List<EpochMetrics> ReadCsv(string path, int epochs)
    {
        ArgumentNullException.ThrowIfNull(path);
        const string hint = "fix or delete that line (deleting metrics.csv resumes without the earlier epochs' metrics)";
        var rows = new List<EpochMetrics>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1)
            {
                if (line.Trim() != Header) throw new InvalidDataException($"{path}: line 1 is not the header '{Header}' but '{Clip(line)}'; {hint}");
                continue;
            }
            if (rows.Count == epochs) break;
            if (line.Length == 0) continue;
            EpochMetrics row;
            try
            {
                row = Parse(line);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: line {lineNumber}: {e.Message}; {hint}");
            }
            if (row.Epoch != rows.Count + 1)
                throw new InvalidDataException($"{path}: line {lineNumber} is epoch {row.Epoch}, expected epoch {rows.Count + 1}; {hint}");
            rows.Add(row);
        }
        if (rows.Count < epochs)
            throw new InvalidDataException($"{path} holds {rows.Count} epochs but the checkpoint beside it has completed {epochs}; restore the file, or delete it to resume without the earlier epochs' metrics");
        return rows;
    }

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
