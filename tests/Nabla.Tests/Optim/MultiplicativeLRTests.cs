using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>MultiplicativeLR: the rate is multiplied by f(t) at every step t >= 1; f(0) is never called.</summary>
public class MultiplicativeLRTests
{
    [Fact]
    public void Step_ExpLambda_MultipliesTheRunningProduct()
    {
        Sgd sgd = Sgd(0.2);
        double[] lrs = Run(new MultiplicativeLR(sgd, e => Math.Pow(0.98, e)), 10);
        AssertSchedule(t => 0.2 * Math.Pow(0.98, t * (t + 1) / 2.0), lrs, 1e-13);
    }

    [Fact]
    public void Constructor_LambdaAtStepZero_IsNeverCalled()
    {
        Sgd sgd = Sgd(0.1);
        var scheduler = new MultiplicativeLR(sgd, e => e == 0 ? throw new InvalidOperationException("f(0) called") : 0.5);
        Assert.Equal(0.1, sgd.ParamGroups[0].Lr);
        scheduler.Step();
        Assert.Equal(0.05, sgd.ParamGroups[0].Lr, 15);
    }

    [Fact]
    public void Step_NegativeFactor_ThrowsNamingTheGroup()
    {
        var scheduler = new MultiplicativeLR(Sgd(0.1), e => -1.0);
        var ex = Assert.Throws<InvalidOperationException>(scheduler.Step);
        ErrorAssert.AssertMessage(ex, "MultiplicativeLR", "param group 0", "-1", ">= 0");
    }
}
