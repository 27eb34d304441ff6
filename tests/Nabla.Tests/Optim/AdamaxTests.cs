using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>Adamax's infinity-norm update in closed form: eps inside the maximum, weight decay, maximize.</summary>
public class AdamaxTests
{
    [Fact]
    public void Step_First_MovesByLrTimesGOverAbsGPlusEps()
    {
        Tensor p = WithGrad(Param(1.0, 1.0), 0.25, -4.0);
        new Adamax([p], lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-3).Step();
        // m = (1 - b1) g, u = |g| + eps, p -= lr / (1 - b1) * m / u.
        AssertValues([1.0 - 0.1 * 0.25 / 0.251, 1.0 + 0.1 * 4.0 / 4.001], p, 1e-14);
    }

    [Fact]
    public void Step_SmallerGradient_KeepsTheDecayedMaximum()
    {
        Tensor p = Param(0.0);
        var adamax = new Adamax([p], lr: 0.1, beta1: 0.5, beta2: 0.9, eps: 0);
        WithGrad(p, 10.0);
        adamax.Step();
        WithGrad(p, 1.0);
        adamax.Step();
        Assert.Equal(9.0, adamax.StateOf(p)!.Buffers["expInf"].Item(), 15);            // max(0.9 * 10, 1 + 0)
        Assert.Equal(0.5 * 5.0 + 0.5 * 1.0, adamax.StateOf(p)!.Buffers["expAvg"].Item(), 15);
    }

    [Fact]
    public void Step_WeightDecayAndMaximize_NegateTheGradientThenAddTheDecay()
    {
        Tensor p = WithGrad(Param(2.0), 1.0);
        new Adamax([p], lr: 0.1, weightDecay: 0.25, eps: 0, maximize: true).Step();
        // g = -1 + 0.25 * 2 = -0.5: the parameter rises by lr.
        Assert.Equal(2.1, p.Item(), 15);
    }
}
