using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>NAdam's update in closed form: the momentum schedule, the running product and L2 weight decay.</summary>
public class NAdamTests
{
    [Fact]
    public void Step_First_MatchesTheClosedForm()
    {
        Tensor p = WithGrad(Param(1.0, -2.0), 0.5, -3.0);
        new NAdam([p], lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentumDecay: 0.004).Step();
        // t = 1: m = (1 - b1) g, sqrt(v / (1 - b2)) = |g|, P = mu1, so
        // p -= lr g / (|g| + eps) * (1 + mu2 (1 - b1) / (1 - mu1 mu2)).
        double mu1 = 0.9 * (1 - 0.5 * Math.Pow(0.96, 0.004)), mu2 = 0.9 * (1 - 0.5 * Math.Pow(0.96, 0.008));
        double k = 1 + mu2 * 0.1 / (1 - mu1 * mu2);
        AssertValues([1.0 - 0.1 * 0.5 / (0.5 + 1e-8) * k, -2.0 + 0.1 * 3.0 / (3.0 + 1e-8) * k], p, 1e-14);
    }

    [Fact]
    public void Step_ZeroMomentumDecay_KeepsMuAtHalfBeta1AndMultipliesTheProduct()
    {
        Tensor p = Param(0.0);
        var nadam = new NAdam([p], lr: 0.01, beta1: 0.8, momentumDecay: 0);
        for (int t = 1; t <= 3; t++)
        {
            WithGrad(p, 1.0);
            nadam.Step();
            Assert.Equal(Math.Pow(0.4, t), nadam.StateOf(p)!.Scalars["muProduct"], 15);
        }
    }

    [Fact]
    public void Step_WeightDecay_IsAddedToTheGradient()
    {
        Tensor a = WithGrad(Param(2.0), 0.0);
        Tensor b = WithGrad(Param(2.0), 1.0);
        new NAdam([a], lr: 0.1, weightDecay: 0.5).Step();
        new NAdam([b], lr: 0.1).Step();
        // g = 0 + 0.5 * 2 = 1: the same step as a gradient of 1 without decay.
        Assert.Equal(b.Item(), a.Item(), 15);
        Assert.True(a.Item() < 2.0);
    }

    [Fact]
    public void StateDict_SavesTheMuProduct()
    {
        Tensor p = WithGrad(Param(1.0), 1.0);
        var nadam = new NAdam([p]);
        nadam.Step();
        nadam.Step();
        OptimizerState state = nadam.StateDict();
        Assert.Equal(nadam.StateOf(p)!.Scalars["muProduct"], state.Scalars["state.0.muProduct"]);
        var other = new NAdam([Param(1.0)]);
        state.Scalars["state.0.muProduct"] = double.NaN;
        var ex = Assert.Throws<ArgumentException>(() => other.LoadStateDict(state));
        ErrorAssert.AssertMessage(ex, "NAdam.LoadStateDict", "state.0.muProduct", "NaN");
    }

    [Fact]
    public void LoadStateDict_ScalarOfAnotherOptimizer_IsRefused()
    {
        Tensor p = WithGrad(Param(1.0), 1.0);
        var adam = new Adam([p]);
        adam.Step();
        OptimizerState state = adam.StateDict();
        state.Scalars["state.0.muProduct"] = 0.5;
        var ex = Assert.Throws<ArgumentException>(() => new Adam([Param(1.0)]).LoadStateDict(state));
        ErrorAssert.AssertMessage(ex, "Adam.LoadStateDict", "unexpected scalar", "state.0.muProduct");
    }
}
