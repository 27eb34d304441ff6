using System.Text.Json;
using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Training;

/// <summary>A run stopped mid-epoch keeps the partial epoch out of metrics.csv and reports it.</summary>
public sealed class PartialEpochTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Train_StoppedMidEpoch_LeavesThePartialEpochOutOfMetricsAndReportsIt()
    {
        string outDir = _dir.File("partial");
        var trainer = new Trainer(TrainCommand.Parse(["--dataset", "moons", "--layers", "2,8,2", "--epochs", "3", "--out", outDir]), TextWriter.Null, interactive: false);
        trainer.EpochCompleted += m => { if (m.Epoch == 1) trainer.RequestStop(); };
        trainer.Run();
        string[] metrics = File.ReadAllLines(Path.Combine(outDir, "metrics.csv"));
        Assert.Equal([EpochMetrics.Header, metrics[1]], metrics);
        Assert.StartsWith("1,", metrics[1]);
        JsonElement partial = Summary(outDir).GetProperty("partial_epoch");
        Assert.Equal(2, partial.GetProperty("epoch").GetInt32());
        Assert.Equal(1, partial.GetProperty("batches").GetInt32());
        Assert.Equal(1, Summary(outDir).GetProperty("epochs").GetInt32());
    }
}
