using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>Adadelta in closed form: eps inside both square roots, the update accumulator, weight decay, maximize.</summary>
public class AdadeltaTests
{
    [Fact]
    public void Step_First_IsOfOrderLrTimesRootEpsOverOneMinusRho()
    {
        Tensor p = WithGrad(Param(1.0), 3.0);
        var adadelta = new Adadelta([p], lr: 1.0, rho: 0.9, eps: 1e-6);
        adadelta.Step();
        // v = (1 - rho) g^2, delta = sqrt(0 + eps) / sqrt(v + eps) * g, u = (1 - rho) delta^2.
        double v = 0.1 * 9.0, delta = Math.Sqrt(1e-6) / Math.Sqrt(v + 1e-6) * 3.0;
        Assert.Equal(1.0 - delta, p.Item(), 15);
        Assert.Equal(0.1 * delta * delta / 1e-6, adadelta.StateOf(p)!.Buffers["accDelta"].Item() / 1e-6, 15);
        Assert.Equal(Math.Sqrt(1e-6 / 0.1), delta, 6);
    }

    [Fact]
    public void Step_Second_UsesTheAccumulatorBeforeItsUpdate()
    {
        Tensor p = Param(0.0);
        var adadelta = new Adadelta([p], lr: 0.5, rho: 0.5, eps: 1e-2);
        WithGrad(p, 1.0);
        adadelta.Step();
        WithGrad(p, -2.0);
        adadelta.Step();
        double v1 = 0.5, d1 = Math.Sqrt(1e-2) / Math.Sqrt(v1 + 1e-2), u1 = 0.5 * d1 * d1;
        double v2 = 0.5 * v1 + 0.5 * 4.0, d2 = Math.Sqrt(u1 + 1e-2) / Math.Sqrt(v2 + 1e-2) * -2.0;
        Assert.Equal(-0.5 * d1 - 0.5 * d2, p.Item(), 15);
    }

    [Fact]
    public void Step_WeightDecayAndMaximize_NegateTheGradientThenAddTheDecay()
    {
        Tensor a = WithGrad(Param(2.0), 1.0);
        Tensor b = WithGrad(Param(2.0), -0.5);
        new Adadelta([a], weightDecay: 0.25, maximize: true).Step();
        new Adadelta([b]).Step();
        Assert.Equal(b.Item(), a.Item(), 15);                                           // -1 + 0.25 * 2 = -0.5
    }
}
