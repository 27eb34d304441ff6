using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>LambdaLR: the base rate times a user function of the step, per group; bad functions and lists.</summary>
public class LambdaLRTests
{
    [Fact]
    public void Step_LinearWarmupLambda_FollowsBaseTimesFactor()
    {
        Sgd sgd = Sgd(0.1);
        AssertSchedule(t => 0.1 * Math.Min(1.0, (t + 1) / 5.0), Run(new LambdaLR(sgd, e => Math.Min(1.0, (e + 1) / 5.0)), 12));
    }

    [Fact]
    public void Step_OneLambdaPerGroup_EachGroupUsesItsOwn()
    {
        var sgd = new Sgd([new ParamGroup([Param(0.0)]), new ParamGroup([Param(0.0)]) { Lr = 1.0 }], lr: 0.1);
        var scheduler = new LambdaLR(sgd, [e => 0.5, e => e]);
        scheduler.Step();
        scheduler.Step();
        Assert.Equal([0.05, 2.0], scheduler.LastLr());
    }

    [Fact]
    public void Constructor_WrongNumberOfLambdas_ThrowsNamingBothCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LambdaLR(Sgd(0.1), [e => 1.0, e => 2.0]));
        ErrorAssert.AssertMessage(ex, "LambdaLR", "expected 1 lrLambdas", "got 2");
        Assert.Equal("lrLambdas", ex.ParamName);
    }

    [Fact]
    public void Step_LambdaReturnsNaN_ThrowsNamingTheStepAndValue()
    {
        Sgd sgd = Sgd(0.1);
        var scheduler = new LambdaLR(sgd, e => e == 3 ? double.NaN : 1.0);
        scheduler.Step();
        scheduler.Step();
        var ex = Assert.Throws<InvalidOperationException>(scheduler.Step);
        ErrorAssert.AssertMessage(ex, "LambdaLR", "NaN", "step 3");
        Assert.Equal(0.1, sgd.ParamGroups[0].Lr);
    }
}
