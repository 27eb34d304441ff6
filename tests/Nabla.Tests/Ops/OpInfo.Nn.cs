namespace Nabla.Tests.Ops;

public partial class GradCheckCatalogTests
{
    private static Tensor Labels(params long[] v) => Tensor.From(v);

    /// <summary>Probabilities in [0.1, 0.9), requiring a gradient.</summary>
    private static Tensor U(params int[] shape)
    {
        var t = (Tensor.Rand(shape, DType.Float64, Rng) * 0.8 + 0.1).Detach();
        t.RequiresGrad = true;
        return t;
    }

    private static IEnumerable<Row> ExtraRows() =>
    [
        new("gelu_exact", () => [N(6)], x => Functional.Gelu(x[0])),
        new("gelu_tanh", () => [N(6)], x => Functional.Gelu(x[0], GeluApproximation.Tanh)),
        new("silu", () => [N(6)], x => Functional.Silu(x[0])),
        new("softplus", () => [N(6)], x => Functional.Softplus(x[0], 2, 3)),
        new("leaky_relu", () => [Nz(6)], x => Functional.LeakyRelu(x[0], 0.2)),
        new("elu", () => [Nz(6)], x => Functional.Elu(x[0], 1.5)),
        new("linear", () => [N(4, 3), N(5, 3), N(5)], x => Functional.Linear(x[0], x[1], x[2])),
        new("cat", () => [N(2, 3), N(1, 3)], x => Tensor.Cat([x[0], x[1]], 0).Exp()),
        new("stack", () => [N(2, 3), N(2, 3)], x => Tensor.Stack([x[0], x[1]], 1).Exp()),
        new("gather", () => [N(3, 4)], x => x[0].Gather(1, Tensor.From([0L, 3L, 3L, 1L, 2L, 0L], [3, 2])).Exp()),
        new("index_select", () => [N(5, 2)], x => x[0].IndexSelect(0, Tensor.From([4L, 0L, 4L])).Exp()),
        new("embedding", () => [N(5, 3)], x => Functional.Embedding(Tensor.From([1L, 3L, 1L, 0L], [2, 2]), x[0]).Exp()),
        new("conv1d", () => [N(2, 4, 7), N(6, 2, 3), N(6)], x => Functional.Conv1d(x[0], x[1], x[2], stride: 2, padding: 1, dilation: 1, groups: 2)),
        new("conv2d", () => [N(2, 2, 5, 5), N(3, 2, 3, 2), N(3)], x => Functional.Conv2d(x[0], x[1], x[2], [2, 1], [1, 0], [1, 2])),
        new("max_pool2d", () => [N(1, 2, 5, 6)], x => Functional.MaxPool2d(x[0], [2, 3], [2, 2], [1, 1], ceilMode: true)),
        new("avg_pool2d", () => [N(1, 2, 5, 5)], x => Functional.AvgPool2d(x[0], [3, 3], [2, 2], [1, 1], ceilMode: true, countIncludePad: false)),
        new("adaptive_avg_pool2d", () => [N(1, 2, 5, 7)], x => Functional.AdaptiveAvgPool2d(x[0], [3, 4])),
        new("batch_norm_train", () => [N(4, 3, 2), N(3), N(3)], x => Functional.BatchNorm(x[0], null, null, x[1], x[2], training: true)),
        new("layer_norm", () => [N(2, 3, 4), N(3, 4), N(3, 4)], x => Functional.LayerNorm(x[0], [3, 4], x[1], x[2])),
        new("mse_loss", () => [N(3, 2), N(3, 2)], x => Functional.MseLoss(x[0], x[1])),
        new("l1_loss", () => [Nz(5), C(N(5)) * 0.0], x => Functional.L1Loss(x[0], x[1], Reduction.Sum)),
        new("smooth_l1_loss", () => [N(6), C(N(6))], x => Functional.SmoothL1Loss(x[0], x[1], beta: 0.5)),
        new("huber_loss", () => [N(6), C(N(6))], x => Functional.HuberLoss(x[0], x[1], Reduction.None, 0.7)),
        new("cross_entropy", () => [N(4, 5)], x => Functional.CrossEntropy(x[0], Labels(1, 0, 4, 2), labelSmoothing: 0.1)),
        new("cross_entropy_weighted_ignore", () => [N(4, 3), P(3)], x => Functional.CrossEntropy(x[0], Labels(2, -100, 0, 1), x[1])),
        new("cross_entropy_soft", () => [N(3, 4), C(P(3, 4)).Softmax(1)], x => Functional.CrossEntropy(x[0], x[1].Detach())),
        new("nll_loss", () => [N(3, 4)], x => Functional.NllLoss(x[0], Labels(3, 0, 1), reduction: Reduction.Sum)),
        new("bce", () => [U(5), C(U(5))], x => Functional.BinaryCrossEntropy(x[0], x[1])),
        new("bce_with_logits", () => [N(3, 2), C(U(3, 2)), P(2)], x => Functional.BinaryCrossEntropyWithLogits(x[0], x[1].Detach(), posWeight: x[2])),
        new("focal", () => [N(6), C(U(6))], x => Functional.SigmoidFocalLoss(x[0], x[1].Detach(), reduction: Reduction.Mean)),
    ];
}
