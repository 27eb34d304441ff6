namespace Nabla.Tests.Ops;

/// <summary>Rows of the losses (src/Nabla/Ops/Losses.cs); targets that need no gradient are constants.</summary>
internal sealed partial record OpInfo
{
    private static OpInfo[] LossOps =>
    [
        new("mse_loss", c => Functional.MseLoss(c.Input(), c.Input("target"), c.Reduction()),
            () => [N(3, 2), N(3, 2)], x => Functional.MseLoss(x[0], x[1])),
        new("l1_loss", c => Functional.L1Loss(c.Input(), c.Input("target"), c.Reduction()),
            () => [Nz(5), C(N(5)) * 0.0], x => Functional.L1Loss(x[0], x[1], Reduction.Sum)),
        new("smooth_l1_loss", c => Functional.SmoothL1Loss(c.Input(), c.Input("target"), c.Reduction(), c.Double("beta")),
            () => [N(6), C(N(6))], x => Functional.SmoothL1Loss(x[0], x[1], beta: 0.5)),
        new("huber_loss", c => Functional.HuberLoss(c.Input(), c.Input("target"), c.Reduction(), c.Double("delta")),
            () => [N(6), C(N(6))], x => Functional.HuberLoss(x[0], x[1], Reduction.None, 0.7)),
        new("cross_entropy", c => Functional.CrossEntropy(c.Input(), c.Input("target"), c.Optional("weight"), c.Reduction(),
                c.Has("ignore_index") ? c.Long("ignore_index") : -100, c.Double("label_smoothing")),
            new OpSample("cross_entropy", () => [N(4, 5)], x => Functional.CrossEntropy(x[0], Labels(1, 0, 4, 2), labelSmoothing: 0.1)),
            new OpSample("cross_entropy_weighted_ignore", () => [N(4, 3), P(3)], x => Functional.CrossEntropy(x[0], Labels(2, -100, 0, 1), x[1])),
            new OpSample("cross_entropy_soft", () => [N(3, 4), C(P(3, 4)).Softmax(1)], x => Functional.CrossEntropy(x[0], x[1].Detach()))),
        new("nll_loss", c => Functional.NllLoss(c.Input(), c.Input("target"), c.Optional("weight"), c.Reduction(),
                c.Has("ignore_index") ? c.Long("ignore_index") : -100),
            () => [N(3, 4)], x => Functional.NllLoss(x[0], Labels(3, 0, 1), reduction: Reduction.Sum)),
        new("binary_cross_entropy", c => Functional.BinaryCrossEntropy(c.Input(), c.Input("target"), c.Optional("weight"), c.Reduction()),
            new OpSample("bce", () => [U(5), C(U(5))], x => Functional.BinaryCrossEntropy(x[0], x[1]))),
        new("binary_cross_entropy_with_logits", c => Functional.BinaryCrossEntropyWithLogits(c.Input(), c.Input("target"), c.Optional("weight"),
                c.Optional("pos_weight"), c.Reduction()),
            new OpSample("bce_with_logits", () => [N(3, 2), C(U(3, 2)), P(2)],
                x => Functional.BinaryCrossEntropyWithLogits(x[0], x[1].Detach(), posWeight: x[2]))),
        new("sigmoid_focal_loss", c => Functional.SigmoidFocalLoss(c.Input(), c.Input("target"), c.Double("alpha"), c.Double("gamma"), c.Reduction()),
            new OpSample("focal", () => [N(6), C(U(6))], x => Functional.SigmoidFocalLoss(x[0], x[1].Detach(), reduction: Reduction.Mean))),
    ];
}
