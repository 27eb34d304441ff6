using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>CosineAnnealingWarmRestarts: restarts at t0, t0 + t0 tMult, ...; the folded period equals PyTorch's recursion.</summary>
public class CosineAnnealingWarmRestartsTests
{
    [Fact]
    public void Step_TMultTwo_RestartsAtZeroThreeNineAndTwentyOne()
    {
        double[] lrs = Run(new CosineAnnealingWarmRestarts(Sgd(0.05), t0: 3, tMult: 2, etaMin: 0.001), 25);
        foreach (int restart in new[] { 0, 3, 9, 21 }) Assert.Equal(0.05, lrs[restart], 15);
        // Inside the second period (length 6): lrs[3 + k] for k = 0..5.
        AssertSchedule(k => 0.001 + 0.049 * (1 + Math.Cos(Math.PI * k / 6)) / 2, lrs[3..9], 1e-14);
        Assert.All(lrs, lr => Assert.True(lr > 0.001));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(5, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 3)]
    public void Period_Folded_EqualsThePyTorchRecursion(int t0, int tMult)
    {
        var scheduler = new CosineAnnealingWarmRestarts(Sgd(0.1), t0, tMult);
        long tCur = 0, tI = t0;
        for (int step = 0; step < 3000; step++)
        {
            Assert.Equal((tCur, tI), scheduler.Period(step));
            tCur++;
            if (tCur >= tI) { tCur -= tI; tI *= tMult; }
        }
    }

    [Theory]
    [InlineData(0, 1, 0.0, "t0")]
    [InlineData(2, 0, 0.0, "tMult")]
    [InlineData(2, 1, double.NaN, "etaMin")]
    public void Constructor_BadArgument_ThrowsNamingIt(int t0, int tMult, double etaMin, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => new CosineAnnealingWarmRestarts(Sgd(0.1), t0, tMult, etaMin));
        Assert.Equal(parameter, ex.ParamName);
        ErrorAssert.AssertMessage(ex, "CosineAnnealingWarmRestarts", parameter);
    }
}
