using Nabla.Cli.Training;
using Nabla.Tests.Cli;
using Nabla.Tests.Data;

namespace Nabla.Tests.Distributed;

/// <summary><c>nabla train --distributed</c>: under mpirun end to end, and its usage errors in-process.</summary>
public class DistributedCliTests
{
    private static void AssertOnlyRankZeroWrote(MpiJob.Result job, TempDirectory dir, string firstLine)
    {
        Assert.True(job.Code == 0, job.ToString());
        // Rank 0 alone prints (one "training" line, not two) and writes: a second writer would also have failed on run.lock.
        Assert.Single(MpiJob.Lines(job.Out, firstLine));
        Assert.Equal(["checkpoint.safetensors", "metrics.csv", "metrics.svg", "model.safetensors", "summary.json"], dir.FileNames());
    }

    [Fact]
    public void Train_ImagePresetOnTwoRanks_TrainsAndOnlyRankZeroPrintsAndWrites()
    {
        using var dir = new TempDirectory();
        MpiJob.Result job = MpiJob.Cli(2, ["train", "--distributed", "--model", "mlp", "--epochs", "2", "--batch-size", "32", "--no-progress", "--out", dir.Path]);
        AssertOnlyRankZeroWrote(job, dir, "training mlp on digits");
        Assert.Contains("batch 32 per rank x 2 ranks = 64", job.Out);
        var summary = CliRunner.Summary(dir.Path);
        Assert.True(summary.GetProperty("test_accuracy").GetDouble() > 0.8, job.Out);
    }

    [Fact]
    public void Train_TinyGptOnTwoRanks_TrainsAndOnlyRankZeroPrintsAndWrites()
    {
        using var dir = new TempDirectory();
        MpiJob.Result job = MpiJob.Cli(2, ["train", "--distributed", "--dataset", "shakespeare", "--iters", "30", "--eval-interval", "15", "--eval-iters", "2",
            "--n-layer", "1", "--n-head", "2", "--n-embd", "32", "--block-size", "16", "--batch-size", "8", "--bucket-cap-mb", "0.02", "--no-progress", "--out", dir.Path]);
        AssertOnlyRankZeroWrote(job, dir, "training gpt on shakespeare");
        Assert.Contains("batch 8 x 16 per rank x 2 ranks", job.Out);
        var summary = CliRunner.Summary(dir.Path);
        Assert.Equal(2, summary.GetProperty("ranks").GetInt32());
        Assert.True(summary.GetProperty("val_loss").GetDouble() < 4.0, job.Out); // ln 65 = 4.17 at the start
    }

    [Theory]
    [InlineData("--dataset", "digits")]
    [InlineData("--dataset", "shakespeare")]
    public void Train_DistributedWithoutMpirun_UsageErrorSaysHowToLaunch(string option, string dataset)
    {
        Assert.Null(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"));
        var (code, _, err) = CliRunner.Run("train", option, dataset, "--distributed");
        Assert.Equal(2, code);
        CliRunner.AssertMessage(err);
        Assert.Contains("--distributed needs the processes of an MPI job", err);
        Assert.Contains("mpirun -np 2 nabla train --distributed", err);
    }

    [Fact]
    public void Train_BucketCapWithoutDistributed_UsageError()
    {
        var (code, _, err) = CliRunner.Run("train", "--bucket-cap-mb", "4");
        Assert.Equal(2, code);
        Assert.Contains("--bucket-cap-mb applies to distributed training only", err);
    }
}
