using System.Globalization;
using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.IO;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Training;

/// <summary>`nabla train --resume`: options applied or refused (Note [Resume rules]), where it writes, and an interrupted run continued exactly.</summary>
public sealed class ResumptionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A finished two-epoch run of a small MLP on moons (four batches an epoch), without a scheduler.</summary>
    private string TrainSmall(string name, params string[] extra)
    {
        string outDir = _dir.File(name);
        var (code, _, err) = Run(["train", "--dataset", "moons", "--layers", "2,8,2", "--epochs", "2", "--batch-size", "250", "--optimizer", "sgd", "--lr", "0.01", .. extra, "--out", outDir]);
        Assert.True(code == 0, err);
        return outDir;
    }

    private static double SavedLr(string dir) => TrainingState.Load(Path.Combine(dir, "checkpoint.safetensors")).Optimizer!.Scalars["paramGroups.0.lr"];

    [Fact]
    public void Resume_LrAndMoreEpochs_AppliesBothAndRecordsWhatWasApplied()
    {
        string run = TrainSmall("lr");
        var (code, output, err) = Run("train", "--resume", run, "--epochs", "3", "--lr", "0.5");
        Assert.True(code == 0, err);
        Assert.Contains("applied --lr 0.5 (the checkpoint's run had 0.01)", output);
        Assert.Contains("applied --epochs 3", output);
        Assert.Equal(0.5, SavedLr(run));
        string[] metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal(4, metrics.Length);
        Assert.Equal(0.5, double.Parse(metrics[3].Split(',')[5], CultureInfo.InvariantCulture));
        Assert.Equal("0.5", Summary(run).GetProperty("settings").GetProperty("lr").GetString());
        Assert.Equal(3, Summary(run).GetProperty("epochs").GetInt32());
    }

    [Fact]
    public void Resume_WithoutOut_ContinuesInTheResumedDirectory()
    {
        string run = TrainSmall("here");
        var (code, output, err) = Run("train", "--resume", Path.Combine(run, "checkpoint.safetensors"), "--epochs", "3");
        Assert.True(code == 0, err);
        Assert.Contains($"into {run}", output);
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
        Assert.Equal(3, TrainingState.Load(Path.Combine(run, "checkpoint.safetensors")).Epoch);
    }

    [Theory]
    [InlineData("--optimizer", "adam", "--optimizer sgd")]
    [InlineData("--layers", "2,16,2", "--layers 2,8,2")]
    [InlineData("--dataset", "xor", "--dataset moons")]
    [InlineData("--batch-size", "64", "--batch-size 250")]
    [InlineData("--seed", "7", "--seed 1")]
    [InlineData("--scheduler", "cosine", "--scheduler none")]
    public void Resume_OptionTheCheckpointDependsOn_RefusedNamingBothValues(string option, string value, string theirs)
    {
        string run = TrainSmall("conflict");
        var (code, _, err) = Run("train", "--resume", run, "--epochs", "3", option, value);
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains($"{option} {value} conflicts with the checkpoint", err);
        Assert.Contains(theirs, err);
        Assert.Equal(2, TrainingState.Load(Path.Combine(run, "checkpoint.safetensors")).Epoch);
    }

    [Fact]
    public void Resume_SameValuesAsTheCheckpoint_AreAccepted()
    {
        string run = TrainSmall("same");
        var (code, _, err) = Run("train", "--resume", run, "--epochs", "3", "--dataset", "moons", "--layers", "2,8,2", "--optimizer", "sgd", "--lr", "0.01");
        Assert.True(code == 0, err);
    }

    [Fact]
    public void Resume_LrOrEpochsWithAScheduler_RefusedBecauseTheScheduleDependsOnThem()
    {
        string run = TrainSmall("cosine", "--scheduler", "cosine");
        var (code, _, err) = Run("train", "--resume", run, "--lr", "0.5");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("'cosine' scheduler sets the learning rate from the run's --lr 0.01", err);
        (code, _, err) = Run("train", "--resume", run, "--epochs", "4");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--epochs 4 conflicts", err);
    }

    [Fact]
    public void Resume_FewerEpochsThanDone_Refused_AndAFinishedRunHasNothingToTrain()
    {
        string run = TrainSmall("done");
        var (code, _, err) = Run("train", "--resume", run, "--epochs", "1");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--epochs 1 is fewer than the 2 epochs", err);
        (code, string output, err) = Run("train", "--resume", run);
        Assert.True(code == 0, err);
        Assert.Contains("nothing to train", output);
    }

    [Fact]
    public void Resume_MetricsRowWithTextInANumberColumn_NamesFileLineAndColumn()
    {
        string run = TrainSmall("badcsv");
        string csv = Path.Combine(run, "metrics.csv");
        string[] lines = File.ReadAllLines(csv);
        string[] cells = lines[2].Split(',');
        cells[3] = "oops";
        lines[2] = string.Join(",", cells);
        File.WriteAllLines(csv, lines);
        var (code, _, err) = Run("train", "--resume", run, "--epochs", "3");
        Assert.Equal(ExitCodes.Failure, code);
        AssertMessage(err);
        Assert.Contains($"{csv}: line 3: column 'test_loss' holds 'oops', not a number", err);
    }

    [Fact]
    public void Resume_CheckpointWithInvalidSettingsOrState_NamesTheCheckpoint()
    {
        string run = TrainSmall("badck");
        string path = Path.Combine(run, "checkpoint.safetensors");
        TrainingState ck = TrainingState.Load(path);
        Rewrite(ck, settings: new Dictionary<string, string>(ck.Settings) { ["epochs"] = "many" }).Save(path);
        var (code, _, err) = Run("train", "--resume", run);
        Assert.Equal(ExitCodes.Failure, code);
        AssertMessage(err);
        Assert.Contains($"{path}: the run settings stored in the checkpoint are not valid (--epochs: 'many' is not an integer)", err);

        Rewrite(ck, generators: new Dictionary<string, ulong[]> { ["model"] = ck.Generators["model"] }).Save(path);
        (code, _, err) = Run("train", "--resume", run, "--epochs", "3");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"{path}: the checkpoint does not fit the run its settings describe: it holds no state of the 'data' random generator", err);

        Rewrite(ck, epoch: 9).Save(path);
        (code, _, err) = Run("train", "--resume", run, "--epochs", "3");
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("completed epoch 9 of 2", err);
    }

    private static TrainingState Rewrite(TrainingState ck, IDictionary<string, string>? settings = null, IDictionary<string, ulong[]>? generators = null, int? epoch = null) => new()
    {
        Model = ck.Model,
        Optimizer = ck.Optimizer,
        Scheduler = ck.Scheduler,
        Epoch = epoch ?? ck.Epoch,
        Generators = generators ?? ck.Generators,
        Settings = settings ?? ck.Settings,
    };

    [Fact]
    public void Resume_AfterInterruption_ContinuesExactlyWhereItStopped()
    {
        string straight = _dir.File("straight"), split = _dir.File("split");
        string[] common = ["--epochs", "3", "--scheduler", "cosine", "--optimizer", "adamw", "--weight-decay", "0.01"];
        Assert.Equal(0, Run(["train", .. common, "--out", straight]).Code);

        // Interrupt the second run during epoch 2 (as Ctrl+C would), then resume it.
        var trainer = new Trainer(TrainCommand.Parse([.. common, "--out", split]), TextWriter.Null, interactive: false);
        trainer.EpochCompleted += m => { if (m.Epoch == 1) trainer.RequestStop(); };
        Assert.Contains("Ctrl+C", trainer.Run().Stopped);
        var (code, output, err) = Run(["train", .. common, "--out", split, "--resume", split]);
        Assert.True(code == 0, err);
        Assert.Contains("resuming", output);

        var a = SafeTensors.Load(Path.Combine(straight, "model.safetensors"));
        var b = SafeTensors.Load(Path.Combine(split, "model.safetensors"));
        foreach (string name in a.Keys) Assert.Equal(a[name].ToArray<float>(), b[name].ToArray<float>());
        string[] metricsA = File.ReadAllLines(Path.Combine(straight, "metrics.csv")), metricsB = File.ReadAllLines(Path.Combine(split, "metrics.csv"));
        Assert.Equal(4, metricsB.Length);
        for (int i = 1; i < 4; i++)
            Assert.Equal(string.Join(",", metricsA[i].Split(',')[..5]), string.Join(",", metricsB[i].Split(',')[..5]));
    }
}
