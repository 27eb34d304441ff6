using Nabla.IO;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary><c>nabla train --grad-checkpoint</c>: the same run with less memory, recorded for --resume, refused where it does not apply.</summary>
public sealed class GradCheckpointCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _text;

    public GradCheckpointCommandTests()
    {
        _text = _dir.File("verse.txt");
        File.WriteAllText(_text, string.Join("\n", Enumerable.Range(0, 120).Select(i => i % 2 == 0 ? "to be or not to be" : "that is the question")));
    }

    public void Dispose() => _dir.Dispose();

    private static readonly string[] TinyGpt =
        ["--n-layer", "2", "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "4", "--dropout", "0.1",
         "--eval-iters", "2", "--eval-interval", "2"];

    private string Train(string name, params string[] extra)
    {
        string run = _dir.File(name);
        var (code, output, err) = Run(["train", "--dataset", "text:" + _text, "--out", run, .. TinyGpt, .. extra]);
        Assert.True(code == 0, err + output);
        return run;
    }

    private static string[] Losses(string run) =>
        [.. File.ReadAllLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(r => string.Join(',', r.Split(',')[..3]))];

    [Fact]
    public void Train_GradCheckpoint_SameLossesAndWeights_RecordedAndKeptOnResume()
    {
        string plain = Train("plain", "--iters", "4"), ck = Train("ck", "--iters", "4", "--grad-checkpoint");
        Assert.Equal(Losses(plain), Losses(ck));
        var a = SafeTensors.Load(Path.Combine(plain, "model.safetensors"));
        var b = SafeTensors.Load(Path.Combine(ck, "model.safetensors"));
        foreach (var (name, t) in a) Assert.Equal(t.ToDoubleArray(), b[name].ToDoubleArray());
        string checkpoint = Path.Combine(ck, "checkpoint.safetensors");
        Assert.Equal("true", TrainingState.Load(checkpoint).Settings["grad_checkpoint"]);
        Assert.Equal("false", TrainingState.Load(Path.Combine(plain, "checkpoint.safetensors")).Settings["grad_checkpoint"]);

        var (code, output, err) = Run("train", "--resume", ck, "--iters", "6");
        Assert.True(code == 0, err + output);
        Assert.Equal("true", TrainingState.Load(checkpoint).Settings["grad_checkpoint"]);
        (code, output, err) = Run("train", "--resume", plain, "--iters", "6", "--grad-checkpoint");
        Assert.True(code == 0, err + output);
        Assert.Equal("true", TrainingState.Load(Path.Combine(plain, "checkpoint.safetensors")).Settings["grad_checkpoint"]);
        Assert.Equal(Losses(ck), Losses(plain));
    }

    [Fact]
    public void Train_GradCheckpointOnCharLstm_IsAUsageErrorNamingTheOption()
    {
        var (code, _, err) = Run("train", "--dataset", "text:" + _text, "--model", "char-lstm", "--grad-checkpoint", "--out", _dir.File("lstm"));
        Assert.Equal(2, code);
        Assert.Contains("--grad-checkpoint does not apply to the char-lstm model", err);
    }

    [Fact]
    public void Train_GradCheckpointOnAnImageDataset_IsAUsageErrorSayingWhereItApplies()
    {
        var (code, _, err) = Run("train", "--dataset", "digits", "--grad-checkpoint", "--out", _dir.File("digits"));
        Assert.Equal(2, code);
        Assert.Contains("--grad-checkpoint applies to text training only", err);
    }

    [Fact]
    public void Train_GradCheckpointWithAValue_IsAUsageError()
    {
        var (code, _, err) = Run("train", "--dataset", "text:" + _text, "--grad-checkpoint=yes", "--out", _dir.File("v"));
        Assert.Equal(2, code);
        Assert.Contains("option --grad-checkpoint takes no value", err);
    }
}
