using Nabla.Graph;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Tests;

/// <summary>The background warm-up (Note [Warm-up]): it runs, refuses what it cannot warm up, and changes no result.</summary>
public class WarmupTests
{
    [Fact]
    public void Run_BothFloatingDTypes_InsideNoGrad_LeavesTheThreadsGradModeAsItWas()
    {
        using (Autograd.NoGrad())
        {
            Warmup.Run(DType.Float32);
            Warmup.Run(DType.Float64);
            Assert.False(Autograd.IsGradEnabled);
        }
        Assert.True(Autograd.IsGradEnabled);
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Run_ComputesNoNaNOrInfinity_UnderAnomalyDetection(DType dtype)
    {
        using (Autograd.DetectAnomaly()) Warmup.Run(dtype); // throws AnomalyException naming the op otherwise
    }

    [Theory]
    [InlineData(DType.Int64, "int64")]
    [InlineData(DType.Bool, "bool")]
    public void RunAndStart_RejectANonFloatingDType_NamingIt(DType dtype, string name)
    {
        var run = Assert.Throws<ArgumentException>(() => Warmup.Run(dtype));
        Assert.Contains("Warmup", run.Message);
        Assert.Contains(name, run.Message);
        var start = Assert.Throws<ArgumentException>(() => { _ = Warmup.Start(DType.Float32, dtype); }); // thrown at once, not by the task
        Assert.Contains(name, start.Message);
    }

    [Fact]
    public void Start_WithoutADType_IsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => { _ = Warmup.Start(); });
        Assert.Contains("at least one dtype", e.Message);
    }
}

/// <summary>
/// The warm-up's background thread and its share of the thread budget, and the process-wide state it leaves alone (the
/// default generator, the engine's collections). These start warm-ups, which take a thread from every parallel kernel
/// while they run, or set the budget, so they run alone.
/// </summary>
[Collection(BufferReuseGroup.Name)]
public class WarmupGlobalStateTests
{
    [Fact]
    public async Task Start_CompletesOnItsOwnThread_AndGivesItsThreadBack()
    {
        int kernels = Parallelism.KernelThreads;
        Task<bool> task = Warmup.Start(DType.Float32, DType.Float64);
        bool ran = await task;
        Assert.Equal(Parallelism.MaxThreads >= 2, ran);
        Assert.Equal(kernels, Parallelism.KernelThreads);
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
        float[] alone = Train();
        Task<bool> warmup = Warmup.Start(DType.Float32, DType.Float64);
        float[] beside = Train();
        await warmup;
        Assert.Equal(alone, beside);
    }

    [Fact]
    public void TryReserve_TakesOneThreadFromTheKernels_OnlyWhileOneIsSpare()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = Environment.ProcessorCount;
            if (Environment.ProcessorCount >= 2)
            {
                Assert.True(Parallelism.TryReserve());
                Assert.Equal(Environment.ProcessorCount - 1, Parallelism.KernelThreads);
                Assert.Equal(Environment.ProcessorCount - 1, Parallelism.Options.MaxDegreeOfParallelism);
                if (Environment.ProcessorCount == 2) Assert.False(Parallelism.TryReserve()); // the kernels keep one
                Parallelism.Release();
                Assert.Equal(Environment.ProcessorCount, Parallelism.KernelThreads);
            }
            Parallelism.MaxThreads = 1;
            Assert.False(Parallelism.TryReserve());
            Assert.Equal(1, Parallelism.KernelThreads);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public async Task Start_WithABudgetOfOneThread_StartsNothing()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            Task<bool> task = Warmup.Start(DType.Float32);
            Assert.True(task.IsCompletedSuccessfully);
            Assert.False(await task);
            Assert.Equal(1, Parallelism.KernelThreads);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    [Fact]
    public void Run_DrawsNothingFromTheDefaultGenerator_AndNeverCollects()
    {
        ulong[] generator = Generator.Default.GetState();
        long collections = GraphCollection.Collections;
        Warmup.Run(DType.Float32);
        Warmup.Run(DType.Float64);
        Assert.Equal(generator, Generator.Default.GetState());
        Assert.Equal(collections, GraphCollection.Collections);
    }
}
