using System.Globalization;

namespace Nabla.Cli.Training;

/// <summary>One row of <c>metrics.csv</c>.</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double Lr, double Seconds, double SamplesPerSecond)
{
    /// <summary>The CSV header.</summary>
    public const string Header = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,lr,seconds,samples_per_s";

    /// <summary>This row as CSV.</summary>
    public string ToCsv() => string.Join(",",
        Epoch.ToString(CultureInfo.InvariantCulture), F(TrainLoss), F(TrainAccuracy), F(TestLoss), F(TestAccuracy), F(Lr), F(Seconds), F(SamplesPerSecond));

    private static string F(double v) => v.ToString("G9", CultureInfo.InvariantCulture);

    /// <summary>Parses a row written by <see cref="ToCsv"/>.</summary>
    public static EpochMetrics Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] p = line.Split(',');
        if (p.Length != 8) throw new InvalidDataException($"metrics.csv: expected 8 columns, got {p.Length} in '{line}'");
        double D(int i) => double.Parse(p[i], CultureInfo.InvariantCulture);
        return new(int.Parse(p[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), D(4), D(5), D(6), D(7));
    }
}
