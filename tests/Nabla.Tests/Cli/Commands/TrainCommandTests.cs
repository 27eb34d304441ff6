using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.IO;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>
/// `nabla train` end to end, in process, on the embedded, synthetic and CSV datasets: thresholds, stops, diagnostics
/// flags, and the errors for options, memory and labels.
/// </summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Train_WithoutArguments_TrainsDigitsMlpAboveThreshold()
    {
        string outDir = _dir.File("digits");
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
        string outDir = _dir.File(dataset);
        var (code, _, err) = Run("train", "--dataset", dataset, "--epochs", "60", "--lr", "0.01", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.True(Summary(outDir).GetProperty("test_accuracy").GetDouble() >= threshold);
    }

    [Fact]
    public void Train_LayersOption_BuildsThatMlp()
    {
        string outDir = _dir.File("layers");
        var (code, output, err) = Run("train", "--dataset", "moons", "--layers", "2,8,2", "--activation", "tanh", "--init", "xavier",
            "--optimizer", "momentum", "--lr", "0.1", "--epochs", "5", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("mlp 2,8,2", output);
        Assert.Equal(new Shape(8, 2), SafeTensors.Load(Path.Combine(outDir, "model.safetensors"))["0.weight"].Shape);
    }

    [Fact]
    public void RequestStop_StopsAfterCurrentBatchAndStillWritesFiles()
    {
        string outDir = _dir.File("stopped");
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
        var (code, output, _) = Run("train", "--optimizer", "sgd", "--lr", "1e5", "--epochs", "2", "--out", _dir.File("nan"));
        Assert.Equal(1, code);
        Assert.Contains("the loss became", output);
        Assert.Contains("lower --lr", output);
    }

    [Fact]
    public void Train_UnwritableOut_FailsBeforeTraining()
    {
        string file = _dir.File("a-file");
        Directory.CreateDirectory(_dir.Path);
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
        var (code, _, err) = Run("train", option, value, "--out", _dir.File("bad"));
        Assert.Equal(2, code);
        Assert.Contains(message, err);
        Assert.Contains("hint:", err);
    }

    [Fact]
    public void Train_LayersNotMatchingDataset_NamesTheSizes()
    {
        var (code, _, err) = Run("train", "--layers", "10,5,10", "--out", _dir.File("mismatch"));
        Assert.Equal(2, code);
        Assert.Contains("64 features", err);
    }

    [Fact]
    public void Train_Diagnose_WritesGradientFlowFilesAndReport()
    {
        string outDir = _dir.File("diag");
        var (code, output, err) = Run("train", "--dataset", "xor", "--epochs", "3", "--out", outDir, "--diagnose");
        Assert.True(code == 0, err);
        Assert.Contains("gradient flow over", output);
        Assert.Contains("healthy", output);
        Assert.True(File.Exists(Path.Combine(outDir, "gradient-flow.csv")));
        Assert.Contains("Gradient norm per layer", SvgTexts(File.ReadAllText(Path.Combine(outDir, "gradient-flow.svg"))));
        Assert.Contains("Learning rate", SvgTexts(File.ReadAllText(Path.Combine(outDir, "metrics.svg"))));
    }

    [Fact]
    public void Train_DetectAnomaly_NamesTheOpThatOverflowed()
    {
        string csv = _dir.File("huge.csv");
        File.WriteAllLines(csv, ["a,b,label", .. Enumerable.Range(0, 20).Select(i => string.Create(CultureInfo.InvariantCulture, $"{3e38},{2.5e38},{i % 2}"))]);
        var (code, output, _) = Run("train", "--dataset", "csv:" + csv, "--layers", "2,8,2", "--epochs", "1", "--out", _dir.File("nan"), "--detect-anomaly");
        Assert.Equal(1, code);
        Assert.Contains("--detect-anomaly: at epoch 1, batch 1: anomaly in the forward pass: op AddmmRelu (backward node AddmmReluBackward)", output);
        Assert.Contains("input shapes: [16, 2], [8, 2], [8]", output);
        Assert.Contains("in module LinearReLU(in_features=2, out_features=8, bias=True), inside Sequential", output);

        (code, output, _) = Run("train", "--dataset", "csv:" + csv, "--layers", "2,8,2", "--epochs", "1", "--out", _dir.File("nan2"));
        Assert.Equal(1, code);
        Assert.Contains("run with --detect-anomaly", output);
    }

    [Fact]
    public void Train_LayersNeedingMoreMemoryThanTheMachineHas_RefusedWithTheFigureBeforeAllocating()
    {
        // 200 layers of 40000 x 40000 float32 weights: 1.3 trillion bytes of weights alone, more than any machine here.
        string layers = string.Join(",", [64, .. Enumerable.Repeat(40000, 200), 10]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var (code, output, err) = Run("train", "--layers", layers, "--out", _dir.File("huge"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64L << 20);
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains("parameters, float32, adam, batch 32) needs at least 5.1 TB of memory, but this machine has", err);
        Assert.Contains("hint: pass narrower --layers", err);
        Assert.DoesNotContain("epoch", output);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("3000000000")]
    [InlineData("300000000")]
    public void Train_CsvLabelNegativeOrHuge_NamesTheLabel(string label)
    {
        string csv = _dir.File("labels.csv");
        File.WriteAllLines(csv, ["a,b,label", "1,2,0", "2,3,1", $"1,1,{label}", "3,3,0", "1,2,1"]);
        var (code, _, err) = Run("train", "--dataset", "csv:" + csv, "--epochs", "1", "--out", _dir.File("labels"));
        Assert.NotEqual(ExitCodes.Success, code);
        AssertMessage(err);
        Assert.Contains($"label {label} ", err);
        Assert.DoesNotContain("out_features", err);
    }

    [Fact]
    public void Train_FilesOfAnEarlierRun_AreNotListedAsWritten()
    {
        string outDir = _dir.File("listing");
        Assert.Equal(0, Run("train", "--dataset", "xor", "--epochs", "1", "--out", outDir, "--diagnose").Code);
        var (code, output, err) = Run("train", "--dataset", "xor", "--epochs", "1", "--out", outDir);
        Assert.True(code == 0, err);
        string wrote = output.Split('\n').Single(l => l.StartsWith("wrote ", StringComparison.Ordinal));
        Assert.Contains("model.safetensors", wrote);
        Assert.Contains("metrics.csv", wrote);
        Assert.DoesNotContain("gradient-flow", wrote);
    }
}
