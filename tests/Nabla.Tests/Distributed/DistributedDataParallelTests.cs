using System.Globalization;
using Nabla.Tests.Data;

namespace Nabla.Tests.Distributed;

/// <summary>
/// DistributedDataParallel on two ranks over loopback, through the test worker: an MLP trained for 50 steps with SGD
/// (momentum 0.9) on a fixed synthetic regression, buckets of 2 KB so that the model spans several.
/// </summary>
public class DistributedDataParallelTests
{
    private static float[] ReadParameters(string path) =>
        [.. File.ReadAllLines(path).Select(l => float.Parse(l, CultureInfo.InvariantCulture))];

    private static (MpiJob.Result Job, float[] Parameters) TrainDdp(int steps, int micro, TempDirectory dir)
    {
        string path = Path.Combine(dir.Path, $"ddp-{micro}.txt");
        MpiJob.Result job = MpiJob.Worker(2, ["train", "ddp", steps.ToString(), "128", micro.ToString(), path]);
        Assert.True(job.Code == 0, job.ToString());
        return (job, ReadParameters(path));
    }

    private static float[] TrainAlone(int steps, TempDirectory dir)
    {
        string path = Path.Combine(dir.Path, "single.txt");
        // One process without mpirun or MPI: the worker's "single" mode never loads the library.
        MpiJob.Result job = MpiJob.Worker(0, ["train", "single", steps.ToString(), "128", "1", path]);
        Assert.True(job.Code == 0, job.ToString());
        return ReadParameters(path);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tolerance, $"largest parameter difference {worst:G3} > {tolerance:G3}");
    }

    [Fact]
    public void Train_TwoRanksOfBatch64_MatchOneProcessOfBatch128After50Steps()
    {
        using var dir = new TempDirectory();
        var (_, ddp) = TrainDdp(50, 1, dir);
        float[] single = TrainAlone(50, dir);
        AssertClose(single, ddp, 1e-5);
    }

    [Fact]
    public void Train_EveryStep_ParametersBitIdenticalAcrossRanks()
    {
        using var dir = new TempDirectory();
        var (job, _) = TrainDdp(50, 1, dir);
        string[] lines = MpiJob.Lines(job.Out, "step ");
        Assert.Equal(100, lines.Length);
        var byStep = lines.Select(l => l.Split(' ')).GroupBy(f => int.Parse(f[1], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(50, byStep.Count);
        foreach (var step in byStep)
        {
            string[][] ranks = [.. step];
            Assert.Equal(["0", "1"], ranks.Select(f => f[3]).Order());
            Assert.True(ranks[0][5] == ranks[1][5], $"step {step.Key}: rank hashes differ: {ranks[0][5]} vs {ranks[1][5]}");
        }
        // The ranks start from different initial weights (their own seeds): equality proves the broadcast at construction.
        Assert.NotEqual(byStep[0].First()[5], byStep[^1].First()[5]);
    }

    [Fact]
    public void NoSync_TwoMicroBatchesPerRank_MatchesOneProcessOfTheWholeBatch()
    {
        using var dir = new TempDirectory();
        var (_, accumulated) = TrainDdp(20, 2, dir);
        float[] single = TrainAlone(20, dir);
        AssertClose(single, accumulated, 1e-5);
    }

    [Fact]
    public void Backward_UnusedParameter_ErrorNamesItOrFindUnusedLeavesItsGradNull()
    {
        MpiJob.Result strict = MpiJob.Worker(2, ["unused", "strict"]);
        Assert.True(strict.Code == 0, strict.ToString());
        string[] errors = MpiJob.Lines(strict.Out, "unused rank ");
        Assert.Equal(2, errors.Length);
        Assert.All(errors, l => Assert.Contains("error DistributedDataParallel: 2 parameter(s) received no gradient in this backward pass (unused.bias, unused.weight)", l));
        Assert.All(errors, l => Assert.Contains("findUnusedParameters: true", l));

        MpiJob.Result find = MpiJob.Worker(2, ["unused", "find"]);
        Assert.True(find.Code == 0, find.ToString());
        string[] grads = MpiJob.Lines(find.Out, "unused rank ");
        Assert.Equal(2, grads.Length);
        // Rank r's input is all (r + 1): the summed output's gradient is 4 (r + 1) per weight, averaged (4 + 8) / 2 = 6.
        Assert.All(grads, l => Assert.EndsWith(": used.weight=6,6,6,6,6,6 used.bias=4,4 unused.weight=null unused.bias=null", l));
    }

    [Fact]
    public void Job_RankDiesMidTraining_MpirunEndsTheJobNonZeroWithAMessageWithin60Seconds()
    {
        using var dir = new TempDirectory();
        MpiJob.Result job = MpiJob.Worker(2, ["train", "ddp", "50", "128", "1", Path.Combine(dir.Path, "dead.txt")],
            new Dictionary<string, string> { ["NABLA_TEST_DIE_AT"] = "5" }, timeoutSeconds: 60);
        Assert.True(job.Elapsed < TimeSpan.FromSeconds(60), job.ToString());
        Assert.NotEqual(0, job.Code);
        Assert.Contains("rank 1 exits abruptly at step 5", job.Err);
        Assert.Contains("exited with non-zero status", job.Err);
        Assert.DoesNotContain("step 6 rank 0", job.Out);
        Assert.False(File.Exists(Path.Combine(dir.Path, "dead.txt")));
    }
}
