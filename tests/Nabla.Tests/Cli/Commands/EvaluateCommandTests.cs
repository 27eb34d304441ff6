using System.Globalization;
using System.Text.Json;
using Nabla.Cli.Training;
using Nabla.IO;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>`nabla evaluate` end to end: accuracy, the confusion matrix, JSON output and the errors for a model that does not fit.</summary>
public sealed class EvaluateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

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
    public void Evaluate_PrintsAccuracyAndConfusionMatrix_AndJson()
    {
        string outDir = _dir.File("eval");
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
        string outDir = _dir.File("small");
        Assert.Equal(0, Run("train", "--dataset", "moons", "--epochs", "1", "--out", outDir).Code);
        // A file without nabla's recorded settings (as PyTorch saves one): a file with them refuses --layers 2,16,2 up front.
        string plain = Path.Combine(outDir, "plain.safetensors");
        SafeTensors.Save(plain, SafeTensors.Load(Path.Combine(outDir, "model.safetensors")));
        var (code, _, err) = Run("evaluate", plain, "--layers", "2,16,2", "--dataset", "moons");
        Assert.Equal(1, code);
        Assert.Contains("tensor '0.weight' has shape [32, 2] in the state but [16, 2] in the model", err);
    }
}
