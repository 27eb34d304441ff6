using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>ReduceLROnPlateau: patience, cooldown, minLr, eps, the sign of the relative margin, NaN metrics, state and errors.</summary>
public class ReduceLROnPlateauTests
{
    private static double[] Run(ReduceLROnPlateau plateau, params double[] metrics)
    {
        var lrs = new double[metrics.Length];
        for (int t = 0; t < metrics.Length; t++)
        {
            plateau.Step(metrics[t]);
            lrs[t] = plateau.Optimizer.ParamGroups[0].Lr;
        }
        return lrs;
    }

    [Fact]
    public void Step_PatienceTwo_ReducesAfterTheThirdBadMetric()
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0), factor: 0.5, patience: 2, threshold: 0);
        Assert.Equal([1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25], Run(plateau, 5, 5, 6, 7, 8, 9, 9));
        Assert.Equal(5.0, plateau.Best);
    }

    [Fact]
    public void Step_ThresholdZero_AnEqualMetricIsNoImprovement()
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0), factor: 0.5, patience: 0, threshold: 0);
        Assert.Equal([1.0, 0.5], Run(plateau, 3, 3));
    }

    [Fact]
    public void Step_Cooldown_IgnoresBadMetricsAfterAReduction()
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0), factor: 0.1, patience: 0, threshold: 0, cooldown: 2);
        // Reduction at the 2nd metric, then 2 ignored, then the next bad one reduces again.
        AssertSchedule(t => new[] { 1.0, 0.1, 0.1, 0.1, 0.01 }[t], Run(plateau, 1, 2, 2, 2, 2));
        Assert.Equal(2, plateau.CooldownCounter);
    }

    [Fact]
    public void Step_MinLr_StopsTheDecayThereAndSkipsFurtherReductions()
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0), factor: 0.5, patience: 0, threshold: 0, minLr: 0.3);
        Assert.Equal([1.0, 0.5, 0.3, 0.3, 0.3], Run(plateau, 1, 1, 1, 1, 1));
    }

    [Fact]
    public void Step_ReductionNotAboveEps_IsSkipped()
    {
        var plateau = new ReduceLROnPlateau(Sgd(0.1), factor: 0.5, patience: 0, threshold: 0, eps: 0.05);
        // 0.1 - 0.05 = 0.05 is not > eps: skipped, the counters reset anyway.
        Assert.Equal([0.1, 0.1, 0.1], Run(plateau, 1, 1, 1));
        Assert.Equal(0, plateau.NumBadEpochs);
    }

    [Theory]
    [InlineData(PlateauMode.Min, -10.0, -9.95, true)]      // best * (1 - 0.01) = -9.9 lies above best: a worse value counts
    [InlineData(PlateauMode.Min, 10.0, 9.95, false)]
    [InlineData(PlateauMode.Max, -10.0, -10.05, true)]     // best * (1 + 0.01) = -10.1 lies below best
    [InlineData(PlateauMode.Max, 10.0, 10.05, false)]
    public void Step_RelativeThreshold_TakesTheSignOfBest(PlateauMode mode, double best, double next, bool improves)
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0), mode, threshold: 0.01);
        plateau.Step(best);
        plateau.Step(next);
        Assert.Equal(improves ? next : best, plateau.Best);
        Assert.Equal(improves ? 0 : 1, plateau.NumBadEpochs);
    }

    [Theory]
    [InlineData(PlateauMode.Min, 1.0, 0.95, false)]
    [InlineData(PlateauMode.Min, 1.0, 0.85, true)]
    [InlineData(PlateauMode.Max, 1.0, 1.05, false)]
    [InlineData(PlateauMode.Max, 1.0, 1.15, true)]
    public void Step_AbsoluteThreshold_NeedsToBeatBestByIt(PlateauMode mode, double best, double next, bool improves)
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0), mode, threshold: 0.1, thresholdMode: ThresholdMode.Abs);
        plateau.Step(best);
        plateau.Step(next);
        Assert.Equal(improves ? next : best, plateau.Best);
    }

    [Fact]
    public void Step_NaNMetric_CountsAsNotBetter()
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0), patience: 0);
        plateau.Step(1.0);
        plateau.Step(double.NaN);
        Assert.Equal(1.0, plateau.Best);
        Assert.Equal(0.1, plateau.Optimizer.ParamGroups[0].Lr, 15);
    }

    [Fact]
    public void Step_TensorMetric_UsesItsValueAndRefusesAVector()
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0));
        plateau.Step(Tensor.Scalar(0.5, DType.Float64));
        Assert.Equal(0.5, plateau.Best);
        var ex = Assert.Throws<ArgumentException>(() => plateau.Step(Tensor.Zeros([2], DType.Float64)));
        ErrorAssert.AssertMessage(ex, "ReduceLROnPlateau.Step", "[2]", "one value");
    }

    [Fact]
    public void LoadStateDict_MidPlateau_ResumesTheSameDecisions()
    {
        double[] metrics = [5, 4, 4.5, 4.2, 4.1, 4.3, 4.4, 3.9, 4.0, 4.0, 4.1, 4.2];
        static ReduceLROnPlateau Create() => new(Sgd(1.0), factor: 0.5, patience: 1, cooldown: 1);
        ReduceLROnPlateau a = Create();
        for (int t = 0; t < 5; t++) a.Step(metrics[t]);
        ReduceLROnPlateau b = Create();
        b.Optimizer.LoadStateDict(a.Optimizer.StateDict());
        b.LoadStateDict(a.StateDict().AsReadOnly());
        for (int t = 5; t < metrics.Length; t++)
        {
            a.Step(metrics[t]);
            b.Step(metrics[t]);
            Assert.Equal(a.LastLr(), b.LastLr());
            Assert.Equal((a.Best, a.NumBadEpochs, a.CooldownCounter), (b.Best, b.NumBadEpochs, b.CooldownCounter));
        }
    }

    [Fact]
    public void LoadStateDict_NegativeCounter_ThrowsAndKeepsTheState()
    {
        var plateau = new ReduceLROnPlateau(Sgd(1.0));
        plateau.Step(2.0);
        IDictionary<string, double> state = plateau.StateDict();
        state["numBadEpochs"] = -1;
        var ex = Assert.Throws<ArgumentException>(() => plateau.LoadStateDict(state.AsReadOnly()));
        ErrorAssert.AssertMessage(ex, "ReduceLROnPlateau.LoadStateDict", "numBadEpochs", "-1");
        Assert.Equal(2.0, plateau.Best);
    }

    public static TheoryData<string, Func<Optimizer, ReduceLROnPlateau>, string> BadArguments() => new()
    {
        { "factor 1", o => new ReduceLROnPlateau(o, factor: 1.0), "factor" },
        { "negative factor", o => new ReduceLROnPlateau(o, factor: -0.5), "factor" },
        { "negative patience", o => new ReduceLROnPlateau(o, patience: -1), "patience" },
        { "NaN threshold", o => new ReduceLROnPlateau(o, threshold: double.NaN), "threshold" },
        { "negative cooldown", o => new ReduceLROnPlateau(o, cooldown: -2), "cooldown" },
        { "negative minLr", o => new ReduceLROnPlateau(o, minLr: -1e-3), "minLr" },
        { "negative eps", o => new ReduceLROnPlateau(o, eps: -1), "eps" },
        { "unknown mode", o => new ReduceLROnPlateau(o, mode: (PlateauMode)3), "mode" },
        { "unknown threshold mode", o => new ReduceLROnPlateau(o, thresholdMode: (ThresholdMode)3), "thresholdMode" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Constructor_BadArgument_ThrowsNamingIt(string scenario, Func<Optimizer, ReduceLROnPlateau> create, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => create(Sgd(0.1)));
        Assert.True(parameter == ex.ParamName, $"{scenario}: ParamName {ex.ParamName}");
        ErrorAssert.AssertMessage(ex, "ReduceLROnPlateau", parameter);
    }
}
