namespace Nabla.Tests.Ops;

/// <summary>
/// Rows of the probabilistic losses (src/Nabla/Ops/ProbabilisticLosses.cs). Active eps clamps are not the derivative of
/// the forward, so the samples keep clear of them; ProbabilisticLossesTests pins that convention.
/// </summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] ProbabilisticLossOps =>
    [
        new("kl_div", c => Functional.KLDiv(c.Input(), c.Input("target"),
                c.String("reduction") == "batchmean" ? Reduction.BatchMean : c.Reduction(), c.Bool("log_target")),
            new OpSample("kl_div_zero_targets", () => [N(3, 4), C(U(3, 4))],
                x => Functional.KLDiv(x[0], Tensor.Where(Tensor.From([true, false, true, true, false, true, true, true, true, true, false, false], [3, 4]),
                    x[1], Tensor.Scalar(0.0, x[1].DType)), Reduction.BatchMean)),
            new OpSample("kl_div_log_target", () => [N(2, 5), N(2, 5)], x => Functional.KLDiv(x[0], x[1], Reduction.None, logTarget: true))),
        new("gaussian_nll_loss", c => Functional.GaussianNllLoss(c.Input(), c.Input("target"), c.Input("var"), c.Bool("full"), c.Double("eps"), c.Reduction()),
            new OpSample("gaussian_nll", () => [N(4, 3), C(N(4, 3)), P(4, 3)], x => Functional.GaussianNllLoss(x[0], x[1], x[2])),
            new OpSample("gaussian_nll_var_without_last_dim", () => [N(2, 3, 2), C(N(2, 3, 2)), P(2, 3)],
                x => Functional.GaussianNllLoss(x[0], x[1], x[2], full: true, reduction: Reduction.Sum)),
            new OpSample("gaussian_nll_var_last_dim_one", () => [N(3, 2), C(N(3, 2)), P(3, 1)],
                x => Functional.GaussianNllLoss(x[0], x[1], x[2], reduction: Reduction.None))),
        new("poisson_nll_loss", c => Functional.PoissonNllLoss(c.Input(), c.Input("target"), c.Bool("log_input"), c.Bool("full"), c.Double("eps"), c.Reduction()),
            new OpSample("poisson_nll_full", () => [N(6)],
                x => Functional.PoissonNllLoss(x[0], Tensor.From([0.0, 1, 2, 3, 5, 8], dtype: x[0].DType), full: true, reduction: Reduction.None)),
            new OpSample("poisson_nll_rate", () => [P(2, 3)],
                x => Functional.PoissonNllLoss(x[0], Tensor.From([0.0, 1, 2, 4, 1, 0], [2, 3], dtype: x[0].DType), logInput: false))),
    ];
}
