using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>Learning-rate schedules against their closed forms, chaining, OneCycle phases and momentum, state and errors.</summary>
public class LrSchedulerTests
{
    private static Tensor Param() => Tensor.Zeros([1], DType.Float64, requiresGrad: true);

    // The learning rates used by optimizer steps 1..steps (index t = value before step t+1).
    private static double[] Run(Optimizer optimizer, LrScheduler scheduler, int steps, Func<ParamGroup, double>? read = null)
    {
        read ??= g => g.Lr;
        var values = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            values[t] = read(optimizer.ParamGroups[0]);
            optimizer.Step();
            scheduler.Step();
        }
        return values;
    }

    private static void AssertClose(Func<int, double> expected, double[] actual, double rtol = 1e-12)
    {
        for (int t = 0; t < actual.Length; t++)
            Assert.True(Math.Abs(actual[t] - expected(t)) <= 1e-15 + rtol * Math.Abs(expected(t)), $"t = {t}: expected {expected(t):R}, got {actual[t]:R}");
    }

    [Fact]
    public void StepLR_Schedule_DecaysEveryStepSize()
    {
        var sgd = new Sgd([Param()], lr: 0.1);
        AssertClose(t => 0.1 * Math.Pow(0.5, t / 5), Run(sgd, new StepLR(sgd, stepSize: 5, gamma: 0.5), 23));
    }

    [Fact]
    public void MultiStepLR_Schedule_DecaysAtMilestonesCountingRepeats()
    {
        var sgd = new Sgd([Param()], lr: 1.0);
        AssertClose(t => t < 2 ? 1.0 : t < 5 ? 0.1 : 0.001, Run(sgd, new MultiStepLR(sgd, [5, 2, 5], gamma: 0.1), 9));
    }

    [Fact]
    public void ExponentialLR_Schedule_MultipliesEveryStep()
    {
        var sgd = new Sgd([Param()], lr: 0.2);
        AssertClose(t => 0.2 * Math.Pow(0.9, t), Run(sgd, new ExponentialLR(sgd, gamma: 0.9), 30));
    }

    [Fact]
    public void CosineAnnealingLR_Schedule_FollowsClosedFormAndRisesAfterTMax()
    {
        var sgd = new Sgd([Param()], lr: 0.1);
        double[] lrs = Run(sgd, new CosineAnnealingLR(sgd, tMax: 10, etaMin: 0.001), 41);
        AssertClose(t => 0.001 + (0.1 - 0.001) * (1 + Math.Cos(Math.PI * t / 10)) / 2, lrs, 1e-10);
        Assert.Equal(0.001, lrs[10], 12);
        Assert.Equal(0.1, lrs[20], 12);
    }

    [Fact]
    public void LinearWarmup_Schedule_RampsThenHolds()
    {
        var sgd = new Sgd([Param()], lr: 0.5);
        AssertClose(t => 0.5 * (0.25 + 0.75 * Math.Min(t, 4) / 4.0), Run(sgd, new LinearWarmup(sgd, startFactor: 0.25, totalIters: 4), 10));
    }

    [Fact]
    public void LinearWarmup_EndFactorBelowStart_DecaysLinearly()
    {
        var sgd = new Sgd([Param()], lr: 1.0);
        AssertClose(t => 1.0 - 0.5 * Math.Min(t, 5) / 5.0, Run(sgd, new LinearWarmup(sgd, startFactor: 1.0, endFactor: 0.5, totalIters: 5), 8));
    }

    [Fact]
    public void ChainedScheduler_WarmupAndExponential_MultiplyTheirFactors()
    {
        var sgd = new Sgd([Param()], lr: 1.0);
        var chain = new ChainedScheduler([new LinearWarmup(sgd, startFactor: 0.1, totalIters: 5), new ExponentialLR(sgd, gamma: 0.9)]);
        double[] lrs = Run(sgd, chain, 12);
        AssertClose(t => (0.1 + 0.9 * Math.Min(t, 5) / 5.0) * Math.Pow(0.9, t), lrs);
        Assert.Equal(12, chain.StepCount);
        Assert.Equal(sgd.ParamGroups[0].Lr, chain.LastLr()[0]);
    }

    [Fact]
    public void ChainedScheduler_SchedulersOfDifferentOptimizers_Throws()
    {
        var a = new Sgd([Param()], lr: 1.0);
        var b = new Sgd([Param()], lr: 1.0);
        var ex = Assert.Throws<ArgumentException>(() => new ChainedScheduler([new ExponentialLR(a, 0.9), new ExponentialLR(b, 0.9)]));
        Assert.Contains("same optimizer", ex.Message);
    }

    // The README's OneCycle definition, written independently of the library.
    private static (double Lr, double Momentum) OneCycleAt(int t, double maxLr, int total, double pct, bool cos, bool threePhase,
        double baseM = 0.85, double maxM = 0.95, double div = 25, double finalDiv = 1e4)
    {
        double initial = maxLr / div, min = initial / finalDiv;
        var phases = threePhase
            ? new[] { (pct * total - 1, initial, maxLr, maxM, baseM), (2 * pct * total - 2, maxLr, initial, baseM, maxM), (total - 1.0, initial, min, maxM, maxM) }
            : new[] { (pct * total - 1, initial, maxLr, maxM, baseM), (total - 1.0, maxLr, min, baseM, maxM) };
        double start = 0;
        for (int i = 0; i < phases.Length; i++)
        {
            var (end, a, b, ma, mb) = phases[i];
            if (t <= end || i == phases.Length - 1)
            {
                double x = (t - start) / (end - start);
                double Interp(double u, double v) => cos ? v + (u - v) / 2 * (Math.Cos(Math.PI * x) + 1) : u + (v - u) * x;
                return (Interp(a, b), Interp(ma, mb));
            }
            start = end;
        }
        throw new InvalidOperationException();
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void OneCycleLR_Sgd_FollowsPhasesForLrAndMomentum(bool linear, bool threePhase)
    {
        var sgd = new Sgd([Param()], lr: 123, momentum: 0.5);
        var scheduler = new OneCycleLR(sgd, maxLr: 0.4, totalSteps: 20, pctStart: 0.25,
            anneal: linear ? AnnealStrategy.Linear : AnnealStrategy.Cos, threePhase: threePhase);
        var lrs = new double[20];
        var momentums = new double[20];
        for (int t = 0; t < 20; t++)
        {
            lrs[t] = sgd.ParamGroups[0].Lr;
            momentums[t] = sgd.ParamGroups[0].Momentum;
            sgd.Step();
            scheduler.Step();
        }
        AssertClose(t => OneCycleAt(t, 0.4, 20, 0.25, !linear, threePhase).Lr, lrs);
        AssertClose(t => OneCycleAt(t, 0.4, 20, 0.25, !linear, threePhase).Momentum, momentums);
        Assert.Equal(0.4 / 25, lrs[0], 15);
        Assert.Equal(0.4, lrs[4], 15);
        Assert.Equal(0.4 / 25 / 1e4, lrs[19], 15);
        if (threePhase) Assert.Equal(0.4 / 25, lrs[8], 15);
    }

    [Fact]
    public void OneCycleLR_Adam_CyclesBeta1AndKeepsBeta2()
    {
        var adam = new Adam([Param()], beta2: 0.98);
        var scheduler = new OneCycleLR(adam, maxLr: 0.01, totalSteps: 10, baseMomentum: 0.8, maxMomentum: 0.9);
        double[] beta1 = Run(adam, scheduler, 10, g => g.Beta1);
        AssertClose(t => OneCycleAt(t, 0.01, 10, 0.3, true, false, 0.8, 0.9).Momentum, beta1);
        Assert.Equal(0.98, adam.ParamGroups[0].Beta2);
    }

    [Fact]
    public void OneCycleLR_RmsProp_CyclesMomentum()
    {
        var rms = new RmsProp([Param()]);
        var scheduler = new OneCycleLR(rms, maxLr: 0.01, totalSteps: 10);
        Assert.Equal(0.95, rms.ParamGroups[0].Momentum, 12);
        double[] m = Run(rms, scheduler, 10, g => g.Momentum);
        AssertClose(t => OneCycleAt(t, 0.01, 10, 0.3, true, false).Momentum, m);
    }

    [Fact]
    public void OneCycleLR_StepPastTotalSteps_Throws()
    {
        var sgd = new Sgd([Param()], lr: 0.1, momentum: 0.9);
        var scheduler = new OneCycleLR(sgd, maxLr: 0.1, totalSteps: 5);
        for (int i = 0; i < 5; i++) scheduler.Step();
        var ex = Assert.Throws<InvalidOperationException>(scheduler.Step);
        Assert.Contains("totalSteps = 5", ex.Message);
        Assert.Equal(5, scheduler.StepCount);
    }

    [Fact]
    public void OneCycleLR_CycleMomentumWithoutMomentum_Throws()
    {
        var adagrad = new Adagrad([Param()]);
        var ex = Assert.Throws<ArgumentException>(() => new OneCycleLR(adagrad, maxLr: 0.1, totalSteps: 10));
        Assert.Contains("Adagrad", ex.Message);
        Assert.Equal("cycleMomentum", ex.ParamName);
        var scheduler = new OneCycleLR(adagrad, maxLr: 0.1, totalSteps: 10, cycleMomentum: false);
        Assert.Equal(0.1 / 25, scheduler.LastLr()[0], 15);
    }

    public static TheoryData<string, Func<Optimizer, LrScheduler>, string> BadArguments() => new()
    {
        { "StepLR stepSize 0", o => new StepLR(o, stepSize: 0), "stepSize" },
        { "StepLR negative gamma", o => new StepLR(o, stepSize: 2, gamma: -1), "gamma" },
        { "MultiStepLR negative milestone", o => new MultiStepLR(o, [3, -1]), "milestones" },
        { "ExponentialLR NaN gamma", o => new ExponentialLR(o, double.NaN), "gamma" },
        { "CosineAnnealingLR tMax 0", o => new CosineAnnealingLR(o, tMax: 0), "tMax" },
        { "LinearWarmup startFactor 0", o => new LinearWarmup(o, startFactor: 0), "startFactor" },
        { "LinearWarmup endFactor 2", o => new LinearWarmup(o, endFactor: 2), "endFactor" },
        { "LinearWarmup totalIters 0", o => new LinearWarmup(o, totalIters: 0), "totalIters" },
        { "OneCycleLR totalSteps 0", o => new OneCycleLR(o, maxLr: 0.1, totalSteps: 0), "totalSteps" },
        { "OneCycleLR pctStart 1.5", o => new OneCycleLR(o, maxLr: 0.1, totalSteps: 10, pctStart: 1.5), "pctStart" },
        { "OneCycleLR divFactor 0", o => new OneCycleLR(o, maxLr: 0.1, totalSteps: 10, divFactor: 0), "divFactor" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Constructor_BadArgument_ThrowsNamingIt(string scenario, Func<Optimizer, LrScheduler> create, string parameter)
    {
        var sgd = new Sgd([Param()], lr: 0.1, momentum: 0.9);
        var ex = Assert.Throws<ArgumentException>(() => create(sgd));
        Assert.True(parameter == ex.ParamName, $"{scenario}: ParamName {ex.ParamName}");
        Assert.Contains(parameter, ex.Message);
    }

    [Fact]
    public void StepLR_ParamGroupsWithDifferentLrs_ScalesEachFromItsOwnBase()
    {
        var sgd = new Sgd([new ParamGroup([Param()]), new ParamGroup([Param()]) { Lr = 0.01 }], lr: 0.1);
        var scheduler = new StepLR(sgd, stepSize: 1, gamma: 0.5);
        scheduler.Step();
        scheduler.Step();
        Assert.Equal([0.025, 0.0025], scheduler.LastLr());
        Assert.Equal(0.1, sgd.ParamGroups[0].InitialLr);
        Assert.Equal(0.01, sgd.ParamGroups[1].InitialLr);
        Assert.Equal(2, scheduler.StepCount);
    }

    [Fact]
    public void Step_AfterParamGroupAdded_ThrowsClearly()
    {
        var sgd = new Sgd([Param()], lr: 0.1);
        var scheduler = new ExponentialLR(sgd, 0.9);
        sgd.AddParamGroup(new ParamGroup([Param()]));
        var ex = Assert.Throws<InvalidOperationException>(scheduler.Step);
        Assert.Contains("2 param groups", ex.Message);
    }

    [Fact]
    public void LoadStateDict_ChainedScheduler_ResumesTheSameSchedule()
    {
        static (Sgd, ChainedScheduler) Create()
        {
            var sgd = new Sgd([Param()], lr: 1.0);
            return (sgd, new ChainedScheduler([new LinearWarmup(sgd, startFactor: 0.2, totalIters: 4), new CosineAnnealingLR(sgd, tMax: 8)]));
        }
        var (a, sa) = Create();
        for (int i = 0; i < 3; i++) { a.Step(); sa.Step(); }
        var savedOptimizer = a.StateDict();
        var savedScheduler = sa.StateDict();
        Assert.Equal(3, savedScheduler["schedulers.1.stepCount"]);

        var (b, sb) = Create();
        b.LoadStateDict(savedOptimizer);
        sb.LoadStateDict(savedScheduler.AsReadOnly());
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(a.ParamGroups[0].Lr, b.ParamGroups[0].Lr);
            a.Step(); sa.Step();
            b.Step(); sb.Step();
        }
        Assert.Equal(sa.LastLr(), sb.LastLr());
    }

    [Fact]
    public void LoadStateDict_MissingKey_ThrowsNamingIt()
    {
        var sgd = new Sgd([Param()], lr: 1.0);
        var scheduler = new StepLR(sgd, stepSize: 2);
        var ex = Assert.Throws<ArgumentException>(() => scheduler.LoadStateDict(new Dictionary<string, double> { ["stepCount"] = 3 }));
        Assert.Contains("baseLrs.0", ex.Message);
    }

    [Theory]
    [InlineData("stepCount", -3.0, "stepCount is -3")]
    [InlineData("stepCount", 1e12, "stepCount is 1000000000000")]
    [InlineData("lastLr.0", double.NaN, "lastLr.0 is NaN")]
    [InlineData("baseLrs.0", -1.0, "baseLrs.0 is -1")]
    public void SchedulerLoadStateDict_ValueOutOfRange_RefusedAndStateKept(string key, double value, string message)
    {
        var optimizer = new Sgd([Param()], lr: 0.1);
        var scheduler = new StepLR(optimizer, 2, 0.5);
        var state = new Dictionary<string, double>(scheduler.StateDict()) { [key] = value };
        var other = new StepLR(new Sgd([Param()], lr: 0.1), 2, 0.5);
        var e = Assert.Throws<ArgumentException>(() => other.LoadStateDict(state));
        Assert.Contains($"StepLR.LoadStateDict: {message}", e.Message);
        Assert.Equal(0, other.StateDict()["stepCount"]);
    }
}
