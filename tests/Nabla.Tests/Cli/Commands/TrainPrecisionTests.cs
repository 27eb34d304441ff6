using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.IO;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>`nabla train --precision` on image and tabular data: autocast in the loop, recorded in the run, old runs as fp32.</summary>
public sealed class TrainPrecisionTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("bf16")]
    [InlineData("fp16")]
    public void Train_MixedPrecision_LearnsDiffersFromFloat32AndRecordsThePrecision(string precision)
    {
        string fp32 = _dir.File("fp32"), half = _dir.File(precision);
        var (code, _, err) = Run("train", "--epochs", "3", "--out", fp32);
        Assert.True(code == 0, err);
        (code, _, err) = Run("train", "--epochs", "3", "--precision", precision, "--out", half);
        Assert.True(code == 0, err);
        double halfAcc = Summary(half).GetProperty("test_accuracy").GetDouble();
        Assert.True(halfAcc >= 0.9, $"digits accuracy with {precision}: {halfAcc}");
        // Autocast ran: the 16-bit products round, so the losses are close but not equal.
        double a = Summary(fp32).GetProperty("test_loss").GetDouble(), b = Summary(half).GetProperty("test_loss").GetDouble();
        Assert.NotEqual(a, b);
        Assert.Equal(a, b, 0.05);
        Assert.Equal(precision, SafeTensors.LoadMetadata(Path.Combine(half, "model.safetensors"))["precision"]);

        (code, _, err) = Run("train", "--resume", half, "--epochs", "4");
        Assert.True(code == 0, err);
        (code, _, err) = Run("train", "--resume", half, "--epochs", "5", "--precision", "fp32");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"--precision fp32 conflicts with the checkpoint", err);
        Assert.Contains($"trained with --precision {precision}", err);
    }

    [Fact]
    public void Train_BadPrecision_IsAUsageError()
    {
        var (code, _, err) = Run("train", "--precision", "fp8", "--out", _dir.File("bad"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unknown precision 'fp8'", err);
        Assert.Contains("use one of fp32, bf16, fp16", err);
    }

    [Fact]
    public void RecordedSettings_WithoutPrecision_ReadAsFloat32()
    {
        var recorded = new TrainSettings { Model = "mlp", Precision = "bf16" }.ToDictionary();
        Assert.Equal("bf16", RecordedSettings.Parse(recorded, "m", "the checkpoint", "retrain").Precision);
        recorded.Remove("precision");
        Assert.Equal("fp32", RecordedSettings.Parse(recorded, "m", "the checkpoint", "retrain").Precision);
        recorded["precision"] = "fp64";
        var e = Assert.Throws<InvalidDataException>(() => RecordedSettings.Parse(recorded, "m", "the checkpoint", "retrain"));
        Assert.Contains("unknown precision 'fp64'", e.Message);
    }
}
