using Nabla.Cli.Commands;
using Nabla.Cli.Training;
using Nabla.IO;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Training;

/// <summary>The run lock: a second run on the same directory is refused, a dead run's stale lock is taken over.</summary>
public sealed class RunLockTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Train_SecondRunOnTheSameOut_RefusedNamingTheDirectoryAndTheProcess()
    {
        string outDir = _dir.File("locked");
        (int Code, string Out, string Err)? second = null;
        var first = new Trainer(TrainCommand.Parse(["--dataset", "moons", "--layers", "2,8,2", "--epochs", "2", "--out", outDir]), TextWriter.Null, interactive: false);
        // The second run starts while the first holds the directory (between its epochs).
        first.EpochCompleted += m => { if (m.Epoch == 1) second = Run("train", "--dataset", "xor", "--epochs", "1", "--out", outDir); };
        Assert.Null(first.Run().Stopped);

        Assert.Equal(ExitCodes.Failure, second!.Value.Code);
        AssertMessage(second.Value.Err);
        Assert.Contains($"the run directory '{Path.GetFullPath(outDir)}' is in use by another training run (process {Environment.ProcessId})", second.Value.Err);
        Assert.Contains("moons", File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(2, TrainingState.Load(Path.Combine(outDir, "checkpoint.safetensors")).Epoch);
        Assert.False(File.Exists(Path.Combine(outDir, RunLock.FileName)));
    }

    [Theory]
    [InlineData(int.MaxValue, "2020-01-01T00:00:00.0000000Z")] // no such process
    [InlineData(-1, "2020-01-01T00:00:00.0000000Z")] // this process's id, reused: it started later
    public void Train_StaleLockOfADeadRun_IsTakenOver(int pid, string started)
    {
        string outDir = _dir.File("stale");
        Directory.CreateDirectory(outDir);
        string lockFile = Path.Combine(outDir, RunLock.FileName);
        File.WriteAllText(lockFile, $"pid {(pid < 0 ? Environment.ProcessId : pid)}\nstarted {started}\n");
        var (code, _, err) = Run("train", "--dataset", "xor", "--layers", "2,4,2", "--epochs", "1", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.False(File.Exists(lockFile));
    }

    [Fact]
    public void Train_LockOfALiveRun_Refused()
    {
        string outDir = _dir.File("live");
        using (RunLock.Acquire(Directory.CreateDirectory(outDir).FullName))
        {
            var (code, _, err) = Run("train", "--dataset", "xor", "--epochs", "1", "--out", outDir);
            Assert.Equal(ExitCodes.Failure, code);
            Assert.Contains($"process {Environment.ProcessId}", err);
        }
        Assert.Equal(0, Run("train", "--dataset", "xor", "--epochs", "1", "--out", outDir).Code);
    }
}
