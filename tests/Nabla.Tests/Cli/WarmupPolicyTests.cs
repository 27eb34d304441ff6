using Nabla.Cli;

namespace Nabla.Tests.Cli;

/// <summary>Which commands start the background warm-up (Note [Warm-up in the tool]).</summary>
public class WarmupPolicyTests
{
    [Fact]
    public void TrainAndThePlaygroundWarmUpFloat32_TheMicrogradDemoFloat64_OtherCommandsNothing()
    {
        static string? None(string _) => null;
        Assert.Equal([DType.Float32], WarmupPolicy.DTypes(["train", "--epochs", "3"], None));
        Assert.Equal([DType.Float64], WarmupPolicy.DTypes(["bench", "scalar", "--json"], None));
        Assert.Equal([DType.Float32], WarmupPolicy.DTypes(["playground", "--port", "0"], None));
        Assert.Empty(WarmupPolicy.DTypes(["bench", "mlp"], None));
        Assert.Empty(WarmupPolicy.DTypes(["bench", "overhead"], None));
        Assert.Empty(WarmupPolicy.DTypes(["grad", "x*y"], None));
        Assert.Empty(WarmupPolicy.DTypes([], None));
    }

    [Fact]
    public void ABudgetOfOneThread_StartsNoWarmup()
    {
        static string? None(string _) => null;
        Assert.Empty(WarmupPolicy.DTypes(["train", "--threads", "1"], None));
        Assert.Empty(WarmupPolicy.DTypes(["bench", "scalar", "--threads=1"], None));
        Assert.Equal([DType.Float64], WarmupPolicy.DTypes(["bench", "scalar", "--threads", "2"], None));
        Assert.Equal([DType.Float32], WarmupPolicy.DTypes(["train", "--threads", "0"], None));
        Assert.Null(WarmupPolicy.RequestedThreads(["train", "--threads"]));
        Assert.Null(WarmupPolicy.RequestedThreads(["train", "--threads", "many"]));
    }

    [Fact]
    public void TheVariableTurnsItOff()
    {
        Assert.Empty(WarmupPolicy.DTypes(["train"], v => v == WarmupPolicy.Variable ? "off" : null));
        Assert.Empty(WarmupPolicy.DTypes(["bench", "scalar"], v => v == WarmupPolicy.Variable ? "OFF" : null));
        Assert.Equal([DType.Float32], WarmupPolicy.DTypes(["train"], v => v == WarmupPolicy.Variable ? "on" : null));
    }
}
