using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>SequentialLR: PyTorch 1.13's restart at each milestone, warm-up then cosine, state, bad arguments.</summary>
public class SequentialLRTests
{
    [Fact]
    public void Step_DocstringExample_RestartsTheSecondSchedulerAtItsBaseRate()
    {
        // PyTorch's docstring claims 0.1, 0.1, 0.9, 0.81; 1.13 restarts ExponentialLR at step 0 (the base rate).
        Sgd sgd = Sgd(1.0);
        var scheduler = new SequentialLR(sgd, [new ConstantLR(sgd, factor: 0.1, totalIters: 2), new ExponentialLR(sgd, gamma: 0.9)], [2]);
        AssertSchedule(t => t < 2 ? 0.1 : Math.Pow(0.9, t - 2), Run(scheduler, 8), 1e-14);
    }

    [Theory]
    [InlineData(5, 5)]
    [InlineData(3, 6)]
    [InlineData(8, 4)]
    public void Step_WarmupThenCosine_SwitchesAtTheMilestone(int totalIters, int milestone)
    {
        Sgd sgd = Sgd(0.1);
        var warmup = new LinearLR(sgd, startFactor: 0.1, totalIters: totalIters);
        var cosine = new CosineAnnealingLR(sgd, tMax: 10, etaMin: 0.001);
        var scheduler = new SequentialLR(sgd, [warmup, cosine], [milestone]);
        double Expected(int t) => t < milestone
            ? 0.1 * (0.1 + 0.9 * Math.Min(t, totalIters) / totalIters)
            : 0.001 + 0.099 * (1 + Math.Cos(Math.PI * (t - milestone) / 10)) / 2;
        double[] lrs = Run(scheduler, 30);
        AssertSchedule(Expected, lrs, 1e-12);
        Assert.Equal(0.1, lrs[milestone], 15);
        Assert.Equal(sgd.ParamGroups[0].Lr, scheduler.LastLr()[0]);
    }

    [Fact]
    public void LoadStateDict_MidSchedule_ResumesTheSameRates()
    {
        static (Sgd, SequentialLR) Create()
        {
            Sgd sgd = Sgd(0.1);
            return (sgd, new SequentialLR(sgd, [new LinearLR(sgd, 0.2, 1.0, 4), new CosineAnnealingLR(sgd, tMax: 6)], [4]));
        }
        var (a, sa) = Create();
        for (int i = 0; i < 6; i++) { a.Step(); sa.Step(); }
        var (b, sb) = Create();
        b.LoadStateDict(a.StateDict());
        sb.LoadStateDict(sa.StateDict().AsReadOnly());
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(a.ParamGroups[0].Lr, b.ParamGroups[0].Lr);
            a.Step(); sa.Step();
            b.Step(); sb.Step();
        }
    }

    [Fact]
    public void Constructor_WrongMilestoneCount_ThrowsWithBothCounts()
    {
        Sgd sgd = Sgd(0.1);
        var ex = Assert.Throws<ArgumentException>(() => new SequentialLR(sgd, [new StepLR(sgd, 2), new ExponentialLR(sgd, 0.9)], [2, 4]));
        ErrorAssert.AssertMessage(ex, "SequentialLR", "2 schedulers", "2 milestones");
    }

    [Fact]
    public void Constructor_DecreasingMilestones_Throws()
    {
        Sgd sgd = Sgd(0.1);
        var ex = Assert.Throws<ArgumentException>(() => new SequentialLR(sgd, [new StepLR(sgd, 2), new ExponentialLR(sgd, 0.9), new StepLR(sgd, 3)], [5, 5]));
        ErrorAssert.AssertMessage(ex, "SequentialLR", "[5, 5]", "strictly increasing");
        Assert.Equal("milestones", ex.ParamName);
    }

    [Fact]
    public void Constructor_SchedulerOfAnotherOptimizer_Throws()
    {
        Sgd sgd = Sgd(0.1), other = Sgd(0.1);
        var ex = Assert.Throws<ArgumentException>(() => new SequentialLR(sgd, [new StepLR(sgd, 2), new ExponentialLR(other, 0.9)], [3]));
        ErrorAssert.AssertMessage(ex, "SequentialLR", "scheduler 1", "ExponentialLR");
    }

    [Fact]
    public void Constructor_NestedComposite_Throws()
    {
        Sgd sgd = Sgd(0.1);
        var chain = new ChainedScheduler([new StepLR(sgd, 2)]);
        var ex = Assert.Throws<ArgumentException>(() => new SequentialLR(sgd, [new StepLR(sgd, 2), chain], [3]));
        ErrorAssert.AssertMessage(ex, "SequentialLR", "ChainedScheduler");
    }
}
