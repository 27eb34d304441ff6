using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>LinearLR (PyTorch's name; <see cref="LinearWarmup"/> is the same class under Nabla's older name).</summary>
public class LinearLRTests
{
    [Fact]
    public void Step_Warmup_RampsThenHolds()
    {
        Sgd sgd = Sgd(0.1);
        AssertSchedule(t => 0.1 * (0.25 + 0.75 * Math.Min(t, 8) / 8.0), Run(new LinearLR(sgd, startFactor: 0.25, totalIters: 8), 20));
    }

    [Fact]
    public void Step_LinearWarmup_IsTheSameSchedule()
    {
        double[] a = Run(new LinearLR(Sgd(0.1), 0.1, 0.9, 6), 10);
        double[] b = Run(new LinearWarmup(Sgd(0.1), 0.1, 0.9, 6), 10);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Constructor_BadStartFactor_ThrowsNamingTheClass()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LinearLR(Sgd(0.1), startFactor: 0));
        Assert.StartsWith("LinearLR: invalid startFactor = 0", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => new LinearWarmup(Sgd(0.1), startFactor: 0));
        Assert.StartsWith("LinearWarmup: invalid startFactor = 0", ex.Message, StringComparison.Ordinal);
    }
}
