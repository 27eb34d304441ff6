using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using Nabla.Cli;
using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.IO;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Training;

/// <summary>Bad input to the commands becomes a message that names the input and says what to do, never a crash.</summary>
public sealed class OptionReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("bench gemm --sizes 99999999999", "--sizes: 99999999999 is out of range")]
    [InlineData("bench gemm --sizes 64,0", "--sizes: 0 is out of range")]
    [InlineData("bench gemm --sizes 64,x", "--sizes: 'x' in '64,x' is not a whole number")]
    [InlineData("bench overhead --ops 99999999999", "--ops: 99999999999 is out of range")]
    [InlineData("bench mlp --batch-size 0", "--batch-size: 0 is out of range")]
    [InlineData("bench mlp --epochs 99999999", "--epochs: 99999999 is out of range")]
    [InlineData("bench gemm --threads -1", "--threads: -1 is out of range")]
    [InlineData("train --epochs 99999999999", "--epochs: 99999999999 is out of range")]
    [InlineData("train --batch-size 2147483648", "--batch-size: 2147483648 is out of range")]
    [InlineData("train --seed -1", "--seed: '-1' is not a whole number")]
    [InlineData("train --seed 18446744073709551616", "--seed: '18446744073709551616' is not a whole number")]
    [InlineData("train --layers 64,99999999999,10", "--layers: 99999999999 is out of range")]
    [InlineData("train --layers 64,-5,10", "--layers: -5 is out of range")]
    [InlineData("train --layers 64", "--layers: '64' needs at least 2 entries")]
    [InlineData("train --lr 1e400", "--lr: '1e400' is not a number")]
    [InlineData("train --weight-decay NaN", "--weight-decay: 'NaN' is not a number")]
    [InlineData("train --threads 99999", "--threads: 99999 is out of range")]
    [InlineData("train --model mlp --activation tanh", "--activation applies to --layers only")]
    [InlineData("train --scheduler linear", "unknown scheduler 'linear'")]
    [InlineData("train --layers 64,8,10 --init zeros", "unknown init 'zeros'")]
    [InlineData("evaluate m.safetensors --batch-size 99999999999", "--batch-size: 99999999999 is out of range")]
    [InlineData("gradcheck --batch-size 99999999999", "--batch-size: 99999999999 is out of range")]
    [InlineData("gradcheck --max-elements -1", "--max-elements: -1 is out of range")]
    [InlineData("graph --batch-size -5", "--batch-size: -5 is out of range")]
    [InlineData("playground --port 70000", "--port: 70000 is out of range")]
    public void Option_MalformedOrOutOfRange_ExitsTwoWithMessageAndHint(string command, string message)
    {
        var (code, _, err) = Run(command.Split(' '));
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains(message, err);
        Assert.Contains("hint:", err);
    }

    [Theory]
    [InlineData("train", "--out")]
    [InlineData("train", "--resume")]
    [InlineData("graph", "--out")]
    public void PathOption_Empty_NamesTheOption(string command, string option)
    {
        var (code, _, err) = Run(command, option, "");
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains($"{option}: the path is empty", err);
    }

    [Fact]
    public void Plot_EmptyOut_NamesTheOption()
    {
        string csv = _dir.File("m.csv");
        File.WriteAllLines(csv, ["epoch,loss", "1,2", "2,1"]);
        var (code, _, err) = Run("plot", csv, "--out", "");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--out: the path is empty", err);
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

    [Fact]
    public void MemoryEstimate_BeyondWhatIsAvailable_NamesBothFigures()
    {
        var e = Assert.Throws<UsageException>(() => MemoryEstimate.Require(25.6e9, "training --layers 64,40000,40000,10", "pass narrower --layers", availableBytes: 16_000_000_000));
        Assert.Equal("training --layers 64,40000,40000,10 needs at least 25.6 GB of memory, but this machine has 16 GB", e.Message);
        MemoryEstimate.Require(15e9, "a model", "", availableBytes: 16_000_000_000);
    }

    [Theory]
    [InlineData("mlp", 784, 10)]
    [InlineData("cnn", 784, 10)]
    [InlineData("cnn-bn", 784, 7)]
    public void ModelPresetsSize_ParameterCount_MatchesTheBuiltModel(string preset, int inputs, int classes)
    {
        Assert.Equal(ModelPresets.Build(preset, inputs, classes, new Generator(1)).ParameterCount(), ModelPresets.Size(preset, inputs, classes).Parameters);
        int[] layers = [5, 7, 3];
        Assert.Equal(ModelPresets.FromLayers(layers, "relu", "he", new Generator(1)).ParameterCount(), ModelPresets.SizeOfLayers(layers).Parameters);
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
    public void Evaluate_LossIsNaN_JsonHoldsNullAndTextSaysNaN()
    {
        string run = _dir.File("nan");
        Assert.Equal(0, Run("train", "--dataset", "moons", "--layers", "2,4,2", "--epochs", "1", "--out", run).Code);
        string model = Path.Combine(run, "model.safetensors");
        var weights = SafeTensors.Load(model).ToDictionary(p => p.Key, p => p.Value);
        weights["0.weight"] = Tensor.Full(weights["0.weight"].Dims, double.NaN);
        SafeTensors.Save(model, weights);

        var (code, json, err) = Run("evaluate", model, "--layers", "2,4,2", "--dataset", "moons", "--json");
        Assert.True(code == 0, err);
        JsonElement e = JsonDocument.Parse(json).RootElement;
        Assert.Equal(JsonValueKind.Null, e.GetProperty("loss").ValueKind);
        Assert.Equal(500, e.GetProperty("samples").GetInt32());
        (code, string text, err) = Run("evaluate", model, "--layers", "2,4,2", "--dataset", "moons");
        Assert.True(code == 0, err);
        Assert.Contains("loss NaN", text);
    }

    [Fact]
    public void Evaluate_ManyClasses_SummarisesTheConfusionMatrixInTextAndJson()
    {
        const int classes = 150;
        string csv = _dir.File("many.csv");
        File.WriteAllLines(csv, ["x,y,label", .. Enumerable.Range(0, 4 * classes).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i % 7},{i % 5},{i % classes}"))]);
        string run = _dir.File("many");
        var (code, _, err) = Run("train", "--dataset", "csv:" + csv, "--layers", $"2,8,{classes}", "--epochs", "1", "--out", run);
        Assert.True(code == 0, err);
        string model = Path.Combine(run, "model.safetensors");

        (code, string text, err) = Run("evaluate", model, "--dataset", "csv:" + csv, "--layers", $"2,8,{classes}");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("confusion matrix (rows", text);
        Assert.Contains($"{classes} classes (", text);
        Assert.Contains("least accurate classes", text);
        Assert.InRange(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, 3, 3 + Confusion.WorstClasses);

        (code, string json, err) = Run("evaluate", model, "--dataset", "csv:" + csv, "--layers", $"2,8,{classes}", "--json");
        Assert.True(code == 0, err);
        Assert.True(json.Length < 4096, $"{json.Length} characters of JSON");
        JsonElement e = JsonDocument.Parse(json).RootElement;
        Assert.Equal(JsonValueKind.Null, e.GetProperty("confusion").ValueKind);
        Assert.Equal(classes, e.GetProperty("classes").GetInt32());
        JsonElement worst = e.GetProperty("worst_classes");
        Assert.Equal(Confusion.WorstClasses, worst.GetArrayLength());
        Assert.All(worst.EnumerateArray(), w => Assert.InRange(w.GetProperty("accuracy").GetDouble(), 0, 1));
    }

    [Fact]
    public void ClassCount_LabelsBeyondTheClassRange_NameTheLabelAndSample()
    {
        Assert.Equal(4, DatasetCatalog.ClassCount([0, 3, 1], "csv:a.csv", "y"));
        var e = Assert.Throws<UsageException>(() => DatasetCatalog.ClassCount([0, 1, -1], "csv:a.csv", "y"));
        Assert.Equal("--dataset csv:a.csv: label -1 of sample 3 in column 'y' is negative", e.Message);
        e = Assert.Throws<UsageException>(() => DatasetCatalog.ClassCount([3_000_000_000], "csv:a.csv", "y"));
        Assert.Contains("label 3000000000 of sample 1 in column 'y' is too large", e.Message);
    }

    [Fact]
    public void Confusion_Summary_ListsTheLeastAccurateClassesWithTheirCommonestMistake()
    {
        var c = new Confusion(30);
        for (int k = 0; k < 30; k++) for (int n = 0; n < 4; n++) c.Add(k, k); // every class right 4 times
        c.Add(7, 3); c.Add(7, 3); c.Add(7, 9); // class 7: 4 of 7 right, mostly taken for 3
        c.Add(12, 0); // class 12: 4 of 5 right
        var worst = c.Worst();
        Assert.Equal((7, 7L, 4L, 4.0 / 7, 3), worst[0]);
        Assert.Equal((12, 5L, 4L, 0.8, 0), worst[1]);
        Assert.Equal(Confusion.WorstClasses, worst.Count);
        Assert.Equal(2L, c.Count(7, 3));
    }

    [Fact]
    public void Plot_ValuesNearTheLimitsOfDouble_WritesOnlyFiniteCoordinates()
    {
        string csv = _dir.File("extreme.csv");
        File.WriteAllLines(csv, ["step,huge,wide,flat,close",
            "1,1e308,-1e308,1.7976931348623157e308,1e16",
            "2,1.7e308,1e308,1.7976931348623157e308,10000000000000002",
            "3,1.79e308,5,1.7976931348623157e308,10000000000000004"]);
        string svg = _dir.File("extreme.svg");
        var (code, _, err) = Run("plot", csv, "--out", svg);
        Assert.True(code == 0, err);
        string[] coordinates = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy"];
        var values = XDocument.Load(svg).Descendants()
            .SelectMany(e => e.Attributes().Where(a => coordinates.Contains(a.Name.LocalName)).Select(a => a.Value)
                .Concat(e.Attribute("points")?.Value.Split(' ', ',') ?? []))
            .ToList();
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.True(double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d), $"coordinate '{v}'"));
    }

    [Fact]
    public void Guarded_ExceptionNoCommandReported_IsOneLineWithExitCode70()
    {
        var stderr = new StringWriter();
        int code = Program.Guarded(() => throw new InvalidOperationException("boom"), stderr);
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.StartsWith("error: internal error: InvalidOperationException: boom", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
    }
}
