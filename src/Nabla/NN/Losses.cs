namespace Nabla.NN;

/// <summary>
/// A loss as a module (as PyTorch's <c>nn._Loss</c>): <c>Forward(input, target)</c> over a <see cref="Functional"/>
/// loss, with hooks, printing and state dicts as any two-input module. Class weights are buffers (<c>weight</c>,
/// <c>pos_weight</c>), as in PyTorch's state_dict.
/// </summary>
public abstract class Loss : Module<Tensor, Tensor, Tensor>
{
    /// <summary>How per-element losses are combined.</summary>
    public Reduction Reduction { get; init; } = Reduction.Mean;

    /// <summary>Registers an optional weight given at initialisation as a buffer and returns it.</summary>
    private protected Tensor? WeightBuffer(string name, Tensor? value) => value is null ? null : RegisterBuffer(name, value);
}

/// <summary>Mean squared error, <c>(x − y)²</c>.</summary>
public sealed class MseLoss : Loss
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.MseLoss(input, target, Reduction);
}

/// <summary>Mean absolute error, <c>|x − y|</c>.</summary>
public sealed class L1Loss : Loss
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.L1Loss(input, target, Reduction);
}

/// <summary>Smooth L1: quadratic below <see cref="Beta"/>, linear above.</summary>
public sealed class SmoothL1Loss : Loss
{
    /// <summary>The switch point (default 1).</summary>
    public double Beta { get; init; } = 1.0;

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.SmoothL1Loss(input, target, Reduction, Beta);
}

/// <summary>Huber loss: quadratic below <see cref="Delta"/>, linear (scaled by delta) above.</summary>
public sealed class HuberLoss : Loss
{
    /// <summary>The switch point (default 1).</summary>
    public double Delta { get; init; } = 1.0;

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.HuberLoss(input, target, Reduction, Delta);
}

/// <summary>Cross-entropy over logits, with class indices or probabilities as targets.</summary>
public sealed class CrossEntropyLoss : Loss
{
    /// <summary>Per-class weights [C], or null (the buffer <c>weight</c>).</summary>
    public Tensor? Weight { get => weight; init => weight = WeightBuffer("weight", value); }

    private readonly Tensor? weight;

    /// <summary>A class index whose positions are ignored (default -100).</summary>
    public long IgnoreIndex { get; init; } = -100;

    /// <summary>Label smoothing in [0, 1].</summary>
    public double LabelSmoothing { get; init; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) =>
        Functional.CrossEntropy(input, target, Weight, Reduction, IgnoreIndex, LabelSmoothing);
}

/// <summary>Negative log-likelihood over log-probabilities.</summary>
public sealed class NllLoss : Loss
{
    /// <summary>Per-class weights [C], or null (the buffer <c>weight</c>).</summary>
    public Tensor? Weight { get => weight; init => weight = WeightBuffer("weight", value); }

    private readonly Tensor? weight;

    /// <summary>A class index whose positions are ignored (default -100).</summary>
    public long IgnoreIndex { get; init; } = -100;

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.NllLoss(input, target, Weight, Reduction, IgnoreIndex);
}

/// <summary>Binary cross-entropy over probabilities.</summary>
public sealed class BceLoss : Loss
{
    /// <summary>Element weights (broadcastable), or null (the buffer <c>weight</c>).</summary>
    public Tensor? Weight { get => weight; init => weight = WeightBuffer("weight", value); }

    private readonly Tensor? weight;

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.BinaryCrossEntropy(input, target, Weight, Reduction);
}

/// <summary>Binary cross-entropy over logits, numerically stable.</summary>
public sealed class BceWithLogitsLoss : Loss
{
    /// <summary>Element weights (broadcastable), or null (the buffer <c>weight</c>).</summary>
    public Tensor? Weight { get => weight; init => weight = WeightBuffer("weight", value); }

    private readonly Tensor? weight;

    /// <summary>Weights of positive examples per class, or null (the buffer <c>pos_weight</c>).</summary>
    public Tensor? PosWeight { get => posWeight; init => posWeight = WeightBuffer("pos_weight", value); }

    private readonly Tensor? posWeight;

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) =>
        Functional.BinaryCrossEntropyWithLogits(input, target, Weight, PosWeight, Reduction);
}

/// <summary>Sigmoid focal loss (torchvision's): cross-entropy scaled by <c>(1 − p_t)^gamma</c>.</summary>
public sealed class FocalLoss : Loss
{
    /// <summary>Creates the loss; its reduction defaults to mean.</summary>
    public FocalLoss() => Reduction = Reduction.Mean;

    /// <summary>Weight of the positive class (negative disables), default 0.25.</summary>
    public double Alpha { get; init; } = 0.25;

    /// <summary>The focusing exponent, default 2.</summary>
    public double Gamma { get; init; } = 2;

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.SigmoidFocalLoss(input, target, Alpha, Gamma, Reduction);
}
