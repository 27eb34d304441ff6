using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>CyclicLR: the three modes and a custom scale, momentum moving against the rate, the constructor's overwrites, errors.</summary>
public class CyclicLRTests
{
    // s(t) of a cycle with up and down half-lengths (the closed form of the class's remarks, in exact steps).
    private static double S(int t, int up, int down)
    {
        int k = t % (up + down);
        return k <= up ? (double)k / up : 1.0 - (double)(k - up) / down;
    }

    [Fact]
    public void Step_Triangular_RisesInUpStepsAndFallsInDownSteps()
    {
        var sgd = new Sgd([Param(0.0)], lr: 0.5, momentum: 0.9);
        var scheduler = new CyclicLR(sgd, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 3, stepSizeDown: 5);
        double[] lrs = Run(scheduler, 20);
        AssertSchedule(t => 0.01 + 0.09 * S(t, 3, 5), lrs, 1e-13);
        Assert.Equal(0.1, lrs[3], 15);
        Assert.Equal(0.01, lrs[8], 15);
    }

    [Fact]
    public void Step_CycleMomentum_MovesOppositeToTheRate()
    {
        var sgd = new Sgd([Param(0.0)], lr: 0.5, momentum: 0.5);
        var scheduler = new CyclicLR(sgd, baseLr: 0.01, maxLr: 0.1, stepSizeUp: 4, baseMomentum: 0.8, maxMomentum: 0.9);
        Assert.Equal(0.9, sgd.ParamGroups[0].Momentum, 15);
        double[] momentums = Run(scheduler, 16, g => g.Momentum);
        AssertSchedule(t => 0.9 - 0.1 * S(t, 4, 4), momentums, 1e-13);
    }

    [Fact]
    public void Step_Triangular2_HalvesTheAmplitudeEveryCycle()
    {
        var scheduler = new CyclicLR(Sgd(0.5), 0.0, 1.0, stepSizeUp: 2, mode: CyclicMode.Triangular2, cycleMomentum: false);
        double[] lrs = Run(scheduler, 12);
        Assert.Equal([0.0, 0.5, 1.0, 0.5, 0.0, 0.25, 0.5, 0.25, 0.0, 0.125, 0.25, 0.125], lrs);
    }

    [Fact]
    public void Step_ExpRange_ScalesByGammaToTheStep()
    {
        var scheduler = new CyclicLR(Sgd(0.5), 0.01, 0.1, stepSizeUp: 4, mode: CyclicMode.ExpRange, gamma: 0.9, cycleMomentum: false);
        AssertSchedule(t => 0.01 + 0.09 * S(t, 4, 4) * Math.Pow(0.9, t), Run(scheduler, 20), 1e-13);
    }

    [Fact]
    public void Step_CustomScaleOnIterations_IsEvaluatedOnTheStep()
    {
        var scheduler = new CyclicLR(Sgd(0.5), 0.0, 1.0, stepSizeUp: 2, scaleFn: x => 1.0 / (1 + x), scaleMode: CyclicScaleMode.Iterations, cycleMomentum: false);
        AssertSchedule(t => S(t, 2, 2) / (1 + t), Run(scheduler, 9), 1e-14);
    }

    [Fact]
    public void Step_StepSizeDownZero_JumpsBackAtTheCycleEnd()
    {
        var scheduler = new CyclicLR(Sgd(0.5), 0.0, 1.0, stepSizeUp: 4, stepSizeDown: 0, cycleMomentum: false);
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 0.0, 0.25], Run(scheduler, 6));
    }

    [Fact]
    public void Constructor_CycleMomentumWithAdam_ThrowsLikePyTorch113()
    {
        var adam = new Adam([Param(0.0)]);
        var ex = Assert.Throws<ArgumentException>(() => new CyclicLR(adam, 0.001, 0.01));
        ErrorAssert.AssertMessage(ex, "CyclicLR", "Adam", "momentum", "cycleMomentum: false");
        Assert.Equal("cycleMomentum", ex.ParamName);
        var scheduler = new CyclicLR(adam, 0.001, 0.01, cycleMomentum: false);
        Assert.Equal(0.001, adam.ParamGroups[0].Lr, 15);
        Assert.Equal(0.9, adam.ParamGroups[0].Beta1);
        Assert.Equal([0.001], scheduler.LastLr());
    }

    public static TheoryData<string, Func<Optimizer, CyclicLR>, string> BadArguments() => new()
    {
        { "negative baseLr", o => new CyclicLR(o, -0.1, 0.1), "baseLr" },
        { "NaN maxLr", o => new CyclicLR(o, 0.1, double.NaN), "maxLr" },
        { "stepSizeUp 0", o => new CyclicLR(o, 0.1, 0.2, stepSizeUp: 0), "stepSizeUp" },
        { "negative stepSizeDown", o => new CyclicLR(o, 0.1, 0.2, stepSizeDown: -1), "stepSizeDown" },
        { "unknown mode", o => new CyclicLR(o, 0.1, 0.2, mode: (CyclicMode)9), "mode" },
        { "infinite gamma", o => new CyclicLR(o, 0.1, 0.2, gamma: double.PositiveInfinity), "gamma" },
        { "negative baseMomentum", o => new CyclicLR(o, 0.1, 0.2, baseMomentum: -0.8), "baseMomentum" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Constructor_BadArgument_ThrowsNamingIt(string scenario, Func<Optimizer, CyclicLR> create, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => create(Sgd(0.5, momentum: 0.9)));
        Assert.True(parameter == ex.ParamName, $"{scenario}: ParamName {ex.ParamName}");
        ErrorAssert.AssertMessage(ex, "CyclicLR", parameter);
    }
}
