using Nabla.Cli;
using Nabla.Runtime;

namespace Nabla.Tests.Runtime;

/// <summary>
/// The thread budget (Note [Runtime policy]). Every test works inside a <see cref="ThreadBudget.Limit"/> of its own and
/// never lowers the process's budget, so tests run beside each other.
/// </summary>
public class ThreadBudgetTests
{
    [Fact]
    public void TryReserve_TakesOneThreadFromTheKernels_OnlyWhileOneIsSpare()
    {
        using (ThreadBudget.Limit(Environment.ProcessorCount))
        {
            if (Environment.ProcessorCount >= 2)
            {
                IDisposable? reservation = ThreadBudget.TryReserve();
                Assert.NotNull(reservation);
                Assert.Equal(Environment.ProcessorCount - 1, ThreadBudget.KernelThreads);
                Assert.Equal(Environment.ProcessorCount - 1, ThreadBudget.Options.MaxDegreeOfParallelism);
                if (Environment.ProcessorCount == 2) Assert.Null(ThreadBudget.TryReserve()); // the kernels keep one
                reservation.Dispose();
                Assert.Equal(Environment.ProcessorCount, ThreadBudget.KernelThreads);
            }
        }
        using (ThreadBudget.Limit(1))
        {
            Assert.Null(ThreadBudget.TryReserve());
            Assert.Equal(1, ThreadBudget.KernelThreads);
        }
    }

    [Fact]
    public void Limit_AppliesHere_AndToParallelWorkStartedHere_NotToOtherThreads()
    {
        int outside = ThreadBudget.KernelThreads;
        using (ThreadBudget.Limit(1))
        {
            Assert.Equal(1, ThreadBudget.Current);
            Assert.Equal(1, ThreadBudget.KernelThreads);
            var nested = new System.Collections.Concurrent.ConcurrentBag<int>();
            Parallel.For(0, 8, _ => nested.Add(ThreadBudget.KernelThreads)); // a kernel inside a parallel kernel
            Assert.All(nested, n => Assert.Equal(1, n));
            int elsewhere = 0;
            var other = new Thread(() => elsewhere = ThreadBudget.KernelThreads);
            using (ExecutionContext.SuppressFlow()) other.Start(); // a thread that does not come from this code
            other.Join();
            Assert.Equal(ThreadBudget.Max, elsewhere);
        }
        Assert.Equal(outside, ThreadBudget.KernelThreads);
    }

    [Fact]
    public void Limit_NeverRaisesTheBudget_AndNests()
    {
        using (ThreadBudget.Limit(Environment.ProcessorCount + 3))
            Assert.Equal(ThreadBudget.Max, ThreadBudget.Current);
        using (ThreadBudget.Limit(1))
        {
            using (ThreadBudget.Limit(2)) Assert.Equal(1, ThreadBudget.Current);
            Assert.Equal(1, ThreadBudget.Current);
        }
        Assert.Equal(ThreadBudget.Max, ThreadBudget.Current);
    }

    [Fact]
    public void MaxAndLimit_BelowOne_AreErrorsNamingTheValue()
    {
        var max = Assert.Throws<ArgumentOutOfRangeException>(() => ThreadBudget.Max = 0);
        Assert.Contains("ThreadBudget.Max", max.Message);
        Assert.Contains("got 0", max.Message);
        var limit = Assert.Throws<ArgumentOutOfRangeException>(() => ThreadBudget.Limit(-2));
        Assert.Contains("ThreadBudget.Limit", limit.Message);
        Assert.Contains("got -2", limit.Message);
#pragma warning disable CS0618 // the forwarder kept for programs written against it
        Assert.Throws<ArgumentOutOfRangeException>(() => Parallelism.MaxThreads = 0);
        Assert.Equal(ThreadBudget.Max, Parallelism.MaxThreads);
#pragma warning restore CS0618
    }

    [Fact]
    public void Max_AboveTheCoreCount_IsTheCoreCount()
    {
        // Setting it above the core count leaves it where every test expects it: at the core count, the default.
        ThreadBudget.Max = Environment.ProcessorCount + 5;
        Assert.Equal(Environment.ProcessorCount, ThreadBudget.Max);
    }

    [Fact]
    public void CliThreadsOption_LimitsTheCommand_AndLeavesTheProcessBudget()
    {
        // `--threads 1` used to set the process's budget, which stayed at 1 for every later in-process run (and test).
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(["bench", "gemm", "--sizes", "32", "--json", "--threads", "1"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.Contains("\"threads\":1", stdout.ToString());
        Assert.Equal(Environment.ProcessorCount, ThreadBudget.Max);
    }
}
