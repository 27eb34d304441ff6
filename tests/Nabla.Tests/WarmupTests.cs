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

    [Fact]
    public async Task Start_CompletesOnItsOwnThread()
    {
        Task task = Warmup.Start(DType.Float32, DType.Float64);
        await task;
        Assert.Equal(TaskStatus.RanToCompletion, task.Status);
    }

    /// <summary>Five SGD steps of a small seeded model; returns its parameters' values.</summary>
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
        Task warmup = Warmup.Start(DType.Float32, DType.Float64);
        float[] beside = Train();
        await warmup;
        Assert.Equal(alone, beside);
    }
}

/// <summary>The warm-up leaves process-wide state alone: the default generator and the engine's collections. Runs alone.</summary>
[Collection(BufferReuseGroup.Name)]
public class WarmupGlobalStateTests
{
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
