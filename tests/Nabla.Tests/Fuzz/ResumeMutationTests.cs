using System.Text;
using Nabla.Cli.Commands;
using Nabla.IO;
using Nabla.Tests.Data;
using Nabla.Tests.Fuzz;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Fuzz;

/// <summary>
/// `nabla train --resume` over mutated metrics.csv and checkpoint metadata (Note [Mutation tests]): the command either
/// resumes or exits non-zero with a message; no exception escapes it and no stack trace is printed.
/// </summary>
public sealed class ResumeMutationTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _run;
    private readonly byte[] _checkpoint;
    private readonly byte[] _metrics;

    public ResumeMutationTests()
    {
        _run = _dir.File("run");
        // A finished run: resuming it reads and checks everything, then has nothing to train (a fast accept).
        var (code, _, err) = Run("train", "--dataset", "moons", "--layers", "2,4,2", "--epochs", "2", "--batch-size", "500", "--optimizer", "momentum", "--out", _run);
        Assert.True(code == 0, err);
        _checkpoint = File.ReadAllBytes(CheckpointPath);
        _metrics = File.ReadAllBytes(MetricsPath);
    }

    public void Dispose() => _dir.Dispose();

    private string CheckpointPath => Path.Combine(_run, "checkpoint.safetensors");

    private string MetricsPath => Path.Combine(_run, "metrics.csv");

    /// <summary>A refusal with a message, which the harness counts as refused.</summary>
    private sealed class Refused(string message) : Exception(message);

    /// <summary>Resumes the run; a non-zero exit must come with a message, and nothing may escape the command.</summary>
    private void Resume()
    {
        var (code, _, err) = Run("train", "--resume", _run);
        if (code == ExitCodes.Success) return;
        Assert.True(code is ExitCodes.Failure or ExitCodes.Usage, $"exit code {code}: {err}");
        AssertMessage(err);
        throw new Refused(err);
    }

    [Fact]
    public void Resume_MutatedMetricsCsv_ResumesOrFailsWithAMessage()
    {
        var (accepted, refused) = Mutations.Run("train --resume (metrics.csv)", _metrics, bytes =>
        {
            File.WriteAllBytes(CheckpointPath, _checkpoint);
            File.WriteAllBytes(MetricsPath, bytes);
            Resume();
        }, [typeof(Refused)], count: 1000, seed: 13, maxBytes: 256L << 20);
        Assert.True(accepted > 0 && refused > 0, $"{accepted} accepted, {refused} refused");
    }

    [Fact]
    public void Resume_MutatedCheckpointMetadata_ResumesOrFailsWithAMessage()
    {
        IReadOnlyDictionary<string, Tensor> tensors = SafeTensors.Load(CheckpointPath);
        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadMetadata(CheckpointPath);
        const string key = "nabla.checkpoint";
        int readerRefused = 0;
        var (accepted, refused) = Mutations.Run("train --resume (checkpoint metadata)", Encoding.UTF8.GetBytes(metadata[key]), bytes =>
        {
            File.WriteAllBytes(MetricsPath, _metrics);
            SafeTensors.Save(CheckpointPath, tensors, new Dictionary<string, string> { [key] = Encoding.UTF8.GetString(bytes) });
            // Metadata that TrainingState.Load refuses is its own reader's to report (src/Nabla/IO); what it accepts
            // (settings, epoch, generator and optimizer states the CLI interprets) is this command's.
            try
            {
                TrainingState.Load(CheckpointPath);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                readerRefused++;
                return;
            }
            Resume();
        }, [typeof(Refused)], count: 800, seed: 17, maxBytes: 256L << 20);
        Assert.True(accepted - readerRefused > 0 && refused > 0, $"{accepted - readerRefused} accepted, {refused} refused by the command, {readerRefused} by the reader");
    }
}
