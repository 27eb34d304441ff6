using Nabla.NN;
using Nabla.Optim;
using Nabla.Runtime;

namespace Nabla.Tests.Runtime;

/// <summary>The background warm-up (Note [Warm-up]): it runs, refuses what it cannot warm up, and changes no result.</summary>
public class JitWarmupTests
{
    [Fact]
    public void Run_BothFloatingDTypes_InsideNoGrad_LeavesTheThreadsGradModeAsItWas()
    {
        using (Autograd.NoGrad())
        {
            JitWarmup.Run(DType.Float32);
            JitWarmup.Run(DType.Float64);
            Assert.False(Autograd.IsGradEnabled);
        }
        Assert.True(Autograd.IsGradEnabled);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Run_ComputesNoNaNOrInfinity_UnderAnomalyDetection(DType dtype)
    {
        using (Autograd.DetectAnomaly()) JitWarmup.Run(dtype); // throws AnomalyException naming the op otherwise
    }

    [Theory]
    [InlineData(DType.Int64, "int64")]
    [InlineData(DType.Bool, "bool")]
    public void RunAndStart_RejectANonFloatingDType_NamingIt(DType dtype, string name)
    {
        var run = Assert.Throws<ArgumentException>(() => JitWarmup.Run(dtype));
        Assert.Contains("Warmup", run.Message);
        Assert.Contains(name, run.Message);
        var start = Assert.Throws<ArgumentException>(() => { _ = JitWarmup.Start(DType.Float32, dtype); }); // thrown at once, not by the task
        Assert.Contains(name, start.Message);
    }

    [Fact]
    public void Start_WithoutADType_IsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => { _ = JitWarmup.Start(); });
        Assert.Contains("at least one dtype", e.Message);
    }
}

/// <summary>
/// The warm-up's background thread and its share of the thread budget. Each test starts its warm-ups inside a
/// <see cref="ThreadBudget.Limit"/> of its own, so the thread they take comes from that test's budget, not from the
/// kernels of tests running beside it.
/// </summary>
public class JitWarmupBudgetTests
{
    [Fact]
    public async Task Start_CompletesOnItsOwnThread_AndGivesItsThreadBack()
    {
        using (ThreadBudget.Limit(Environment.ProcessorCount))
        {
            int kernels = ThreadBudget.KernelThreads;
            Task<bool> task = JitWarmup.Start(DType.Float32, DType.Float64);
            bool ran = await task;
            Assert.Equal(ThreadBudget.Current >= 2, ran);
            Assert.Equal(kernels, ThreadBudget.KernelThreads);
        }
    }

    /// <summary>Five Adam steps of a small seeded model; returns its parameters' values.</summary>
    private static float[] Train()
    {
        var gen = new Generator(11);
        var model = new Sequential(new Linear(48, 64, generator: gen), new Relu(), new Linear(64, 3, generator: gen));
        var x = Tensor.Rand([16, 48], generator: gen);
        var y = Tensor.From(Enumerable.Range(0, 16).Select(i => (long)(i % 3)).ToArray());
        var optimizer = new Adam(model.Parameters(), 1e-2);
        for (int step = 0; step < 5; step++)
        {
            optimizer.ZeroGrad();
            Functional.CrossEntropy(model.Forward(x), y).Backward();
            optimizer.Step();
        }
        return model.Parameters().SelectMany(p => p.ToArray<float>()).ToArray();
    }

    [Fact]
    public async Task TrainingBesideAWarmup_GivesBitForBitTheSameParameters()
    {
        using (ThreadBudget.Limit(Environment.ProcessorCount))
        {
            float[] alone = Train();
            Task<bool> warmup = JitWarmup.Start(DType.Float32, DType.Float64);
            float[] beside = Train();
            await warmup;
            Assert.Equal(alone, beside);
        }
    }

    [Fact]
    public async Task Start_WithABudgetOfOneThread_StartsNothing()
    {
        using (ThreadBudget.Limit(1))
        {
            Task<bool> task = JitWarmup.Start(DType.Float32);
            Assert.True(task.IsCompletedSuccessfully);
            Assert.False(await task);
            Assert.Equal(1, ThreadBudget.KernelThreads);
        }
    }

    [Fact]
    public async Task ObsoleteWarmup_StillStartsAndRunsTheWarmUp()
    {
#pragma warning disable CS0618 // the forwarder kept for programs written against it
        Nabla.Warmup.Run(DType.Float32);
        var e = Assert.Throws<ArgumentException>(() => { _ = Nabla.Warmup.Start(); });
        Assert.Contains("at least one dtype", e.Message);
        using (ThreadBudget.Limit(Environment.ProcessorCount))
            Assert.Equal(ThreadBudget.Current >= 2, await Nabla.Warmup.Start(DType.Float64));
#pragma warning restore CS0618
    }
}

/// <summary>The process-wide state the warm-up leaves alone: the default generator, which any test may draw from, so it runs alone.</summary>
[Collection(ProcessWideGroup.Name)]
public class JitWarmupGlobalStateTests
{
    [Fact]
    public void Run_DrawsNothingFromTheDefaultGenerator_AndNeverCollects()
    {
        ulong[] generator = Generator.Default.GetState();
        using (CollectAfterBackward.Enable(spacing: 0)) // a graph of MinNodes nodes would collect
        {
            long collections = CollectAfterBackward.CollectionsOnThisThread;
            JitWarmup.Run(DType.Float32);
            JitWarmup.Run(DType.Float64);
            Assert.Equal(generator, Generator.Default.GetState());
            Assert.Equal(collections, CollectAfterBackward.CollectionsOnThisThread);
        }
    }
}
