using Nabla.Distributed;

namespace Nabla.Tests.Distributed;

/// <summary>The MPI binding, run by the test worker's "binding" scenario on two ranks (and in-process where no MPI is needed).</summary>
public class ProcessGroupTests
{
    private static readonly Lazy<MpiJob.Result> Binding = new(() => MpiJob.Worker(2, ["binding"]));

    private static Dictionary<string, string> Checks(int rank)
    {
        MpiJob.Result job = Binding.Value;
        Assert.True(job.Code == 0, job.ToString());
        string marker = $" rank {rank}: ";
        return MpiJob.Lines(job.Out, "check ").Where(l => l.Contains(marker, StringComparison.Ordinal))
            .ToDictionary(l => l[6..l.IndexOf(marker, StringComparison.Ordinal)], l => l[(l.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Collectives_TwoRanks_EveryRankGetsTheResult(int rank)
    {
        var c = Checks(rank);
        Assert.Equal("2", c["size"]);
        Assert.Equal("3,30,1", c["allreduce_f32"]);                        // (1 + 2), (10 + 20), (0.5 + 0.5)
        Assert.Equal("0.30000000000000004,2E+300", c["allreduce_f64"]);    // 0.1 + 0.2 in float64, 1e300 twice
        Assert.Equal("3298534883328", c["allreduce_i64"]);                 // 2^40 * (1 + 2)
        Assert.Equal("1,4", c["allreduce_span"]);
        Assert.Equal("3,3,True,True", c["iallreduce"]);                    // 2^20 elements, first, last, all equal, completed
        Assert.Equal("14,-1", c["broadcast"]);                             // rank 1's values (root = Size - 1)
        Assert.Equal("[2, 2]:0,100,1,101", c["allgather"]);
        Assert.Equal("passed", c["barrier"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Broadcast_InvalidRoot_MpiErrorBecomesExceptionNamingTheCall(int rank)
    {
        var c = Checks(rank);
        Assert.StartsWith("MPI_Bcast|MPI_Bcast failed: MPI_ERR_ROOT", c["bad_root"]);
        Assert.Equal("all_reduce: dtype bool is not supported; use float32, float64 or int64", c["bool_dtype"]);
    }

    [Fact]
    public void Load_NoMpiLibrary_MessageSaysWhatToInstallAndHowToLaunch()
    {
        var e = Assert.Throws<DllNotFoundException>(() => Mpi.Load(["libnabla-no-such-mpi.so.40"]));
        Assert.Contains("libnabla-no-such-mpi.so.40", e.Message);
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", e.Message);
        Assert.Contains("mpirun", e.Message);
    }
}
