using System.Text.Json;
using Nabla.Cli;
using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.IO;

namespace Nabla.Tests.Cli.Commands;

/// <summary>`nabla train` and `nabla evaluate` end to end, in process, on the embedded and synthetic datasets.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-train-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Summary(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement;

    [Fact]
    public void Train_WithoutArguments_TrainsDigitsMlpAboveThreshold()
    {
        string outDir = Path.Combine(_dir, "digits");
        var (code, output, err) = Run("train", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("training mlp on digits", output);
        Assert.Contains("test accuracy", output);
        JsonElement s = Summary(outDir);
        Assert.True(s.GetProperty("test_accuracy").GetDouble() >= 0.95, $"digits accuracy {s.GetProperty("test_accuracy").GetDouble()}");
        Assert.Equal(15, s.GetProperty("epochs").GetInt32());
        Assert.True(s.GetProperty("samples_per_s").GetDouble() > 0);
        foreach (string f in new[] { "model.safetensors", "checkpoint.safetensors", "metrics.csv", "metrics.svg", "summary.json" })
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        Assert.Equal(16, File.ReadAllLines(Path.Combine(outDir, "metrics.csv")).Length);
        System.Xml.Linq.XDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.svg")));
        Assert.Equal(["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"], SafeTensors.Load(Path.Combine(outDir, "model.safetensors")).Keys.Order().ToArray());
    }

    [Theory]
    [InlineData("spiral", 0.95)]
    [InlineData("moons", 0.97)]
    [InlineData("xor", 0.85)]
    public void Train_SyntheticSet_ReachesThreshold(string dataset, double threshold)
    {
        string outDir = Path.Combine(_dir, dataset);
        var (code, _, err) = Run("train", "--dataset", dataset, "--epochs", "60", "--lr", "0.01", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.True(Summary(outDir).GetProperty("test_accuracy").GetDouble() >= threshold);
    }

    [Fact]
    public void Train_LayersOption_BuildsThatMlp()
    {
        string outDir = Path.Combine(_dir, "layers");
        var (code, output, err) = Run("train", "--dataset", "moons", "--layers", "2,8,2", "--activation", "tanh", "--init", "xavier",
            "--optimizer", "momentum", "--lr", "0.1", "--epochs", "5", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("mlp 2,8,2", output);
        Assert.Equal(new Shape(8, 2), SafeTensors.Load(Path.Combine(outDir, "model.safetensors"))["0.weight"].Shape);
    }

    [Fact]
    public void Resume_AfterInterruption_ContinuesExactlyWhereItStopped()
    {
        string straight = Path.Combine(_dir, "straight"), split = Path.Combine(_dir, "split");
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

    [Fact]
    public void RequestStop_StopsAfterCurrentBatchAndStillWritesFiles()
    {
        string outDir = Path.Combine(_dir, "stopped");
        var trainer = new Trainer(TrainCommand.Parse(["--epochs", "3", "--out", outDir]), TextWriter.Null, interactive: false);
        trainer.RequestStop();
        TrainResult result = trainer.Run();
        Assert.Contains("Ctrl+C", result.Stopped);
        // The epoch cut after its first batch is reported, not recorded as a whole epoch (Note [Partial epochs]).
        Assert.Empty(result.Metrics);
        Assert.Equal(1, result.Partial!.Batches);
        Assert.True(File.Exists(Path.Combine(outDir, "model.safetensors")));
        Assert.True(File.Exists(Path.Combine(outDir, "summary.json")));
    }

    [Fact]
    public void Train_NaNLoss_StopsWithMessageAndNonZeroExit()
    {
        var (code, output, _) = Run("train", "--optimizer", "sgd", "--lr", "1e5", "--epochs", "2", "--out", Path.Combine(_dir, "nan"));
        Assert.Equal(1, code);
        Assert.Contains("the loss became", output);
        Assert.Contains("lower --lr", output);
    }

    [Fact]
    public void Train_UnwritableOut_FailsBeforeTraining()
    {
        string file = Path.Combine(_dir, "a-file");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(file, "x");
        var (code, output, err) = Run("train", "--out", Path.Combine(file, "sub"));
        Assert.Equal(2, code);
        Assert.Contains("--out", err);
        Assert.DoesNotContain("epoch", output);
    }

    [Theory]
    [InlineData("--epochs", "zero", "not an integer")]
    [InlineData("--lr", "-1", "out of range")]
    [InlineData("--model", "resnet9000", "unknown model")]
    [InlineData("--dataset", "imagenet", "unknown dataset")]
    [InlineData("--optimizer", "lion", "unknown optimizer")]
    [InlineData("--layers", "2,x", "comma-separated")]
    [InlineData("--bogus", "1", "unknown option")]
    public void Train_BadOption_SaysWhatToDoAndExits2(string option, string value, string message)
    {
        var (code, _, err) = Run("train", option, value, "--out", Path.Combine(_dir, "bad"));
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Contains("hint:", err);
    }

    [Fact]
    public void Train_LayersNotMatchingDataset_NamesTheSizes()
    {
        var (code, _, err) = Run("train", "--layers", "10,5,10", "--out", Path.Combine(_dir, "mismatch"));
        Assert.Equal(2, code);
        Assert.Contains("64 features", err);
    }

    [Fact]
    public void Evaluate_PrintsAccuracyAndConfusionMatrix_AndJson()
    {
        string outDir = Path.Combine(_dir, "eval");
        Assert.Equal(0, Run("train", "--epochs", "3", "--out", outDir).Code);
        string model = Path.Combine(outDir, "model.safetensors");
        var (code, output, err) = Run("evaluate", model, "--model", "mlp", "--dataset", "digits");
        Assert.True(code == 0, err);
        Assert.Contains("accuracy", output);
        Assert.Contains("confusion matrix", output);
        var (jcode, json, _) = Run("evaluate", model, "--dataset", "digits", "--json");
        Assert.Equal(0, jcode);
        JsonElement e = JsonDocument.Parse(json).RootElement;
        Assert.Equal(Summary(outDir).GetProperty("test_accuracy").GetDouble(), e.GetProperty("accuracy").GetDouble(), 9);
        Assert.Equal(359, e.GetProperty("confusion").EnumerateArray().Sum(r => r.EnumerateArray().Sum(v => v.GetInt32())));
    }

    [Fact]
    public void Evaluate_ModelNotMatchingPreset_NamesTensorAndShapes()
    {
        string outDir = Path.Combine(_dir, "small");
        Assert.Equal(0, Run("train", "--dataset", "moons", "--epochs", "1", "--out", outDir).Code);
        var (code, _, err) = Run("evaluate", Path.Combine(outDir, "model.safetensors"), "--layers", "2,16,2", "--dataset", "moons");
        Assert.Equal(1, code);
        Assert.Contains("tensor '0.weight' has shape [32, 2] in the state but [16, 2] in the model", err);
    }
}
