using System.Globalization;
using System.Text.Json;
using Nabla.Cli.Training;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>
/// The text commands end to end on a small UTF-8 file: <c>train --dataset text:FILE</c> (gpt and char-lstm), resuming,
/// <c>generate</c> and <c>evaluate</c> of the model file, and their errors.
/// </summary>
public sealed class TextCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _text;

    public TextCommandsTests()
    {
        _text = _dir.File("verse.txt");
        var lines = Enumerable.Range(0, 200).Select(i => i % 3 == 0 ? "to be or not to be, that is the question;" : i % 3 == 1 ? "whether 'tis nobler in the mind to suffer" : "the slings and arrows of outrageous fortune.");
        File.WriteAllText(_text, string.Join("\n", lines));
    }

    public void Dispose() => _dir.Dispose();

    private static readonly string[] TinyGpt = ["--n-layer", "1", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4"];

    private (string Run, JsonElement Summary) Train(string name, params string[] extra)
    {
        string run = _dir.File(name);
        var (code, output, err) = Run(["train", "--dataset", "text:" + _text, "--out", run, "--eval-iters", "2", .. extra]);
        Assert.True(code == 0, err + output);
        return (run, JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement);
    }

    [Fact]
    public void Train_Gpt_WritesFilesAndLowersTheLoss()
    {
        var (run, summary) = Train("gpt", [.. TinyGpt, "--iters", "60", "--eval-interval", "30", "--lr", "3e-3", "--warmup-iters", "5"]);
        foreach (string file in TextTrainer.OutputFiles) Assert.True(File.Exists(Path.Combine(run, file)), file);
        string[] rows = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal("iter,train_loss,val_loss,lr,seconds,tokens_per_s", rows[0]);
        Assert.Equal(["30", "60"], rows.Skip(1).Select(r => r.Split(',')[0]));
        double valLoss = summary.GetProperty("val_loss").GetDouble();
        Assert.InRange(valLoss, 0.1, Math.Log(24));  // below a uniform guess over the file's 24 characters
        Assert.Equal(60, summary.GetProperty("iters").GetInt32());

        var (code, json, err) = Run("evaluate", Path.Combine(run, "model.safetensors"), "--json");
        Assert.True(code == 0, err);
        Assert.Equal(valLoss, JsonDocument.Parse(json).RootElement.GetProperty("val_loss").GetDouble(), 12);
    }

    [Fact]
    public void Train_Resume_ContinuesFromTheCheckpoint()
    {
        var (run, _) = Train("resume", [.. TinyGpt, "--iters", "4", "--eval-interval", "2"]);
        var (code, output, err) = Run("train", "--resume", run, "--iters", "6");
        Assert.True(code == 0, err + output);
        Assert.Contains("after step 4 of 6", output);
        Assert.Equal(["2", "4", "6"], File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(r => r.Split(',')[0]));

        (code, _, err) = Run("train", "--resume", run, "--iters", "8", "--lr", "0.1");
        Assert.Equal(2, code);
        Assert.Contains("--lr cannot change when resuming", err);
    }

    [Fact]
    public void Generate_SameSeedSameText_CacheChangesNothing_BadPromptIsAUsageError()
    {
        var (run, _) = Train("gen", ["--model", "char-lstm", "--n-embd", "8", "--hidden-size", "16", "--n-layer", "1", "--block-size", "16",
            "--iters", "20", "--eval-interval", "20"]);
        string model = Path.Combine(run, "model.safetensors");
        var first = Run("generate", model, "--prompt", "to be", "--tokens", "40", "--seed", "7");
        var again = Run("generate", model, "--prompt", "to be", "--tokens", "40", "--seed", "7");
        var uncached = Run("generate", model, "--prompt", "to be", "--tokens", "40", "--seed", "7", "--no-cache");
        Assert.True(first.Code == 0, first.Err);
        Assert.StartsWith("to be", first.Out);
        Assert.Equal(5 + 40, first.Out.TrimEnd('\n', '\r').Length);
        Assert.Equal(first.Out, again.Out);
        Assert.Equal(first.Out, uncached.Out);

        var bad = Run("generate", model, "--prompt", "TO BE");
        Assert.Equal(2, bad.Code);
        Assert.Contains("'T'", bad.Err);
        Assert.Contains("not in the vocabulary", bad.Err);
    }

    [Fact]
    public void Evaluate_ExplicitOptions_AreCheckedAgainstTheFile()
    {
        string file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "shakespeare_gpt.safetensors");
        var (code, _, err) = Run("evaluate", file, "--n-head", "4");
        Assert.Equal(1, code);
        Assert.Contains("n_head = 4 was asked for", err);
        (code, _, err) = Run("evaluate", file, "--block-size", "16");
        Assert.Equal(1, code);
        Assert.Contains("has block_size 32", err);
    }

    [Fact]
    public void Evaluate_PyTorchsShakespeareGpt_ReproducesItsValidationLoss()
    {
        string file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "shakespeare_gpt.safetensors");
        var (code, json, err) = Run("evaluate", file, "--json");
        Assert.True(code == 0, err);
        double expected = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(file, null) + ".expected.json")).RootElement.GetProperty("val_loss").GetProperty("value").GetDouble();
        Assert.Equal(expected, JsonDocument.Parse(json).RootElement.GetProperty("val_loss").GetDouble(), 1e-3);
    }

    [Theory]
    [InlineData("--model gpt --hidden-size 8", "--hidden-size does not apply to the gpt model")]
    [InlineData("--model char-lstm --n-head 2", "--n-head does not apply to the char-lstm model")]
    [InlineData("--n-embd 10 --n-head 4", "not a multiple of --n-head")]
    [InlineData("--model transformer", "unknown model 'transformer' for text")]
    [InlineData("--precision fp8", "unknown precision 'fp8'")]
    public void Train_BadTextOptions_AreUsageErrors(string options, string message)
    {
        var (code, _, err) = Run(["train", "--dataset", "text:" + _text, "--out", _dir.File("bad"), .. options.Split(' ')]);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Theory]
    [InlineData("bf16")]
    [InlineData("fp16")]
    public void Train_GptWithMixedPrecision_LowersTheLossAndRecordsThePrecision(string precision)
    {
        var (run, summary) = Train("gpt-" + precision, [.. TinyGpt, "--iters", "60", "--eval-interval", "60", "--lr", "3e-3", "--warmup-iters", "5",
            "--precision", precision]);
        Assert.InRange(summary.GetProperty("val_loss").GetDouble(), 0.1, Math.Log(24));
        var (code, output, err) = Run("train", "--resume", run, "--iters", "62");
        Assert.True(code == 0, err + output);
        var settings = TextSettings.FromDictionary(
            new TextSettings { Dataset = "shakespeare", Out = run, Precision = precision }.ToDictionary(), run, "test");
        Assert.Equal(precision, settings.Precision);
        var old = new TextSettings { Dataset = "shakespeare", Out = run }.ToDictionary();
        old.Remove("precision");
        Assert.Equal("fp32", TextSettings.FromDictionary(old, run, "test").Precision);
    }

    [Fact]
    public void Train_MissingTextFile_SaysWhatToPass()
    {
        var (code, _, err) = Run("train", "--dataset", "text:" + _dir.File("absent.txt"), "--out", _dir.File("x"));
        Assert.Equal(2, code);
        Assert.Contains("text:PATH of a non-empty UTF-8 text file", err);
    }

    [Fact]
    public void TextCommands_BadInputs_SayWhatToDo()
    {
        var (code, _, err) = Run("train", "--dataset", "text:" + _text, "--out", _dir.File("m"), "--lr", "1e-4", "--min-lr", "1e-3");
        Assert.Equal(2, code);
        Assert.Contains("--min-lr 0.001 exceeds --lr 0.0001", err);

        (code, _, err) = Run("train", "--dataset", "text:" + _text, "--out", _dir.File("r"), "--resume", _dir.File("nowhere"));
        Assert.Equal(2, code);
        Assert.Contains("--resume: no checkpoint at", err);

        string classifier = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "fmnist_mlp.safetensors");
        (code, _, err) = Run("generate", classifier);
        Assert.Equal(1, code);
        Assert.Contains("the text commands read 'gpt' and 'char_lstm' files", err);

        string gpt = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "shakespeare_gpt.safetensors");
        (code, _, err) = Run("generate", gpt, "--prompt", "");
        Assert.Equal(2, code);
        Assert.Contains("--prompt is empty", err);

        (code, _, err) = Run("evaluate", gpt, "--dataset", "digits");
        Assert.Equal(2, code);
        Assert.Contains("is a language model; 'digits' is not text", err);

        (code, _, err) = Run("evaluate", gpt, "--dataset", "text:" + _text);
        Assert.Equal(2, code);
        Assert.Contains("was trained on another vocabulary", err);

        (code, _, err) = Run("generate", _dir.File("absent.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("no model file at", err);
    }

    [Fact]
    public void LearningRate_WarmupThenCosine_IsNanoGpts()
    {
        var s = new TextSettings { Dataset = "shakespeare", Out = "x", Iters = 2000, WarmupIters = 100, Lr = 1e-3, MinLr = 1e-4 };
        Assert.Equal(1e-3 / 101, s.LearningRate(0), 15);
        Assert.Equal(1e-3, s.LearningRate(100), 15);
        Assert.Equal(1e-4 + 0.5 * 0.9e-3, s.LearningRate(1050), 15);
        Assert.Equal(1e-4, s.LearningRate(2000), 15);
        Assert.Equal(s, TextSettings.FromDictionary(s.ToDictionary(), "x", "test") with { Given = s.Given });
    }
}
