using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>RAdam's two branches: plain momentum steps while the variance is intractable, rectified steps after.</summary>
public class RAdamTests
{
    [Theory]
    [InlineData(0.999, 6)]
    [InlineData(0.99, 6)]
    [InlineData(0.8, 7)]
    [InlineData(0.75, 8)]
    public void Rectification_FirstRectifiedStep_IsWhereRhoExceedsFive(double beta2, int first)
    {
        for (int t = 1; t < first; t++) Assert.Null(RAdam.Rectification(beta2, t));
        for (int t = first; t < first + 50; t++) Assert.NotNull(RAdam.Rectification(beta2, t));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0 / 3)]
    public void Rectification_Beta2AtMostTwoThirds_IsNeverRectified(double beta2)
    {
        for (int t = 1; t < 2000; t++) Assert.Null(RAdam.Rectification(beta2, t));
    }

    [Fact]
    public void Step_BeforeRectification_IsAPlainMomentumStep()
    {
        Tensor p = Param(1.0);
        var radam = new RAdam([p], lr: 0.1, beta1: 0.9, beta2: 0.999);
        for (int t = 1; t <= 5; t++)
        {
            WithGrad(p, 2.0);
            radam.Step();
            // A constant gradient makes the bias-corrected average m / (1 - b1^t) equal to it: each step moves lr * g.
            Assert.Equal(1.0 - 0.2 * t, p.Item(), 14);
        }
    }

    [Fact]
    public void Step_Rectified_ScalesTheAdamStepByR()
    {
        Tensor p = Param(0.0);
        var radam = new RAdam([p], lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8);
        for (int t = 1; t <= 5; t++) { WithGrad(p, 2.0); radam.Step(); }
        double before = p.Item();
        WithGrad(p, 2.0);
        radam.Step();
        // t = 6, constant g: m_hat = g, v = (1 - b2^6) g^2, so sqrt(1 - b2^6) / (sqrt(v) + eps) = 1 / (|g| + eps') and the
        // step is lr * g * r / (|g| + eps / sqrt(1 - b2^6)).
        double bc2 = 1 - Math.Pow(0.999, 6);
        double rhoInf = 2 / (1 - 0.999) - 1, rho = rhoInf - 2 * 6 * Math.Pow(0.999, 6) / bc2;
        double r = Math.Sqrt((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho));
        double expected = before - 0.1 * 2.0 * r * Math.Sqrt(bc2) / (Math.Sqrt(bc2 * 4.0) + 1e-8);
        Assert.Equal(expected, p.Item(), 13);
        Assert.Equal(r, RAdam.Rectification(0.999, 6)!.Value, 15);
    }

    [Fact]
    public void Step_WeightDecay_IsAddedToTheGradient()
    {
        Tensor p = WithGrad(Param(2.0), 0.0);
        new RAdam([p], lr: 0.1, weightDecay: 0.5).Step();
        Assert.Equal(2.0 - 0.1 * (0.5 * 2.0), p.Item(), 15);
    }
}
