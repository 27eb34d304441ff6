using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>KL divergence, Gaussian and Poisson NLL (Ops/ProbabilisticLosses.cs): closed forms, the eps convention, errors.</summary>
public class ProbabilisticLossesTests
{
    private static Tensor Vec(params double[] v) => Tensor.From(v, dtype: DType.Float64);

    private static Tensor Leaf(params double[] v) => Tensor.From(v, requiresGrad: true, dtype: DType.Float64);

    [Fact]
    public void KLDiv_ZeroTarget_ContributesExactlyZeroAndNoNaN()
    {
        Tensor input = Leaf(-1, -2, -0.5);
        Tensor target = Vec(0, 0.5, 0.5);
        Tensor loss = Functional.KLDiv(input, target, Reduction.None);
        AssertAll([0, 0.5 * (Math.Log(0.5) + 2), 0.5 * (Math.Log(0.5) + 0.5)], loss, rtol: 1e-15, atol: 0);
        loss.Sum().Backward();
        AssertAll([0, -0.5, -0.5], input.Grad!, rtol: 0, atol: 0);
    }

    [Fact]
    public void KLDiv_Reductions_DivideTheSumAsDocumented()
    {
        Tensor input = Randn(1, 3, 4), target = Tensor.Rand([3, 4], DType.Float64, new Generator(2));
        double sum = Functional.KLDiv(input, target, Reduction.Sum).Item();
        Assert.Equal(sum / 12, Functional.KLDiv(input, target).Item(), 14);
        Assert.Equal(sum / 3, Functional.KLDiv(input, target, Reduction.BatchMean).Item(), 14);
        Assert.Equal(3.5 * (Math.Log(3.5) - 1.25), Functional.KLDiv(Tensor.Scalar(1.25, DType.Float64), Tensor.Scalar(Math.Log(3.5), DType.Float64), Reduction.BatchMean, logTarget: true).Item(), 13);
    }

    [Fact]
    public void KLDiv_LogTarget_EqualsProbabilityTargetForm()
    {
        Tensor input = Randn(3, 2, 5), p = Tensor.Rand([2, 5], DType.Float64, new Generator(4)) + 0.1;
        AssertAll(Functional.KLDiv(input, p, Reduction.None).ToDoubleArray(), Functional.KLDiv(input, p.Log(), Reduction.None, logTarget: true), rtol: 1e-14, atol: 1e-15);
    }

    [Fact]
    public void BatchMean_OnAnotherLoss_ErrorNamesTheLoss()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MseLoss(Vec(1, 2), Vec(1, 1), Reduction.BatchMean));
        AssertMessage(ex, "mse_loss", "BatchMean");
    }

    [Fact]
    public void GaussianNllLoss_EpsActive_GradientIsTheDerivativeAtTheClampedVariance()
    {
        // v = max(var, eps) with the clamp invisible: d/dvar = 0.5·(1/v - d²/v²) at v = eps, even though var < eps.
        Tensor input = Leaf(1, 0), var = Leaf(0.01, 2);
        Tensor target = Vec(0.5, 1);
        Tensor loss = Functional.GaussianNllLoss(input, target, var, eps: 0.1, reduction: Reduction.Sum);
        loss.Backward();
        Assert.Equal(0.5 * (Math.Log(0.1) + 0.25 / 0.1) + 0.5 * (Math.Log(2) + 1 / 2.0), loss.Item(), 14);
        AssertAll([0.5 * (1 / 0.1 - 0.25 / 0.01), 0.5 * (1 / 2.0 - 1 / 4.0)], var.Grad!, rtol: 1e-14, atol: 0);
        AssertAll([0.5 / 0.1, -1 / 2.0], input.Grad!, rtol: 1e-14, atol: 0);
        Assert.Equal("GaussianNllLossBackward", Functional.GaussianNllLoss(input, target, var).GradFn!.Name);
    }

    [Fact]
    public void GaussianNllLoss_Full_AddsHalfLogTwoPi()
    {
        Tensor input = Randn(5, 4), target = Randn(6, 4), var = Tensor.Rand([4], DType.Float64, new Generator(7)) + 0.5;
        double plain = Functional.GaussianNllLoss(input, target, var).Item();
        Assert.Equal(plain + 0.5 * Math.Log(2 * Math.PI), Functional.GaussianNllLoss(input, target, var, full: true).Item(), 13);
    }

    [Fact]
    public void GaussianNllLoss_VarWithoutLastDim_IsSharedAcrossIt()
    {
        Tensor input = Randn(8, 2, 3), target = Randn(9, 2, 3), var = Vec(0.5, 2);
        AssertAll(Functional.GaussianNllLoss(input, target, var.Unsqueeze(1).Expand(2, 3), reduction: Reduction.None).ToDoubleArray(),
            Functional.GaussianNllLoss(input, target, var, reduction: Reduction.None), rtol: 0, atol: 0);
    }

    [Fact]
    public void GaussianNllLoss_BadVar_Throws()
    {
        Tensor input = Randn(10, 2, 3), target = Randn(11, 2, 3);
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GaussianNllLoss(input, target, Tensor.Ones([3], DType.Float64))),
            "gaussian_nll_loss", "var", "[3]", "[2, 3]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GaussianNllLoss(input, target, Tensor.Full([2, 3], -1, DType.Float64))),
            "gaussian_nll_loss", "negative");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GaussianNllLoss(input, target, Tensor.Ones([2, 3], DType.Float32))),
            "gaussian_nll_loss", "float32");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GaussianNllLoss(input, target, Tensor.Ones([2, 3], DType.Float64), reduction: Reduction.BatchMean)),
            "gaussian_nll_loss", "BatchMean");
    }

    [Fact]
    public void PoissonNllLoss_Full_AddsStirlingOnlyAboveOne()
    {
        Tensor input = Vec(0.5, -1, 2), target = Vec(0, 1, 4);
        double stirling = 4 * Math.Log(4) - 4 + 0.5 * Math.Log(2 * Math.PI * 4);
        AssertAll([Math.Exp(0.5), Math.Exp(-1) + 1, Math.Exp(2) - 8 + stirling],
            Functional.PoissonNllLoss(input, target, full: true, reduction: Reduction.None), rtol: 1e-14, atol: 0);
    }

    [Fact]
    public void PoissonNllLoss_RateInput_UsesLogOfRatePlusEps()
    {
        Tensor rate = Leaf(2, 0);
        Tensor loss = Functional.PoissonNllLoss(rate, Vec(3, 0), logInput: false, eps: 1e-8, reduction: Reduction.Sum);
        loss.Backward();
        Assert.Equal(2 - 3 * Math.Log(2 + 1e-8), loss.Item(), 14);
        AssertAll([1 - 3 / (2 + 1e-8), 1], rate.Grad!, rtol: 1e-14, atol: 0);
    }

    [Fact]
    public void KLDiv_ShapesOrDTypesDiffer_Throws()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.KLDiv(Randn(12, 2, 3), Randn(13, 3, 2))), "kl_div", "[3, 2]", "[2, 3]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.PoissonNllLoss(Randn(14, 2), Randn(15, 2).Float())), "poisson_nll_loss", "float32");
    }
}
