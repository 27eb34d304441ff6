namespace Nabla.NN;

/// <summary>Triplet margin loss (PyTorch's <c>nn.TripletMarginLoss</c>); see <see cref="Functional.TripletMarginLoss"/>.</summary>
public sealed class TripletMarginLoss : Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>The margin between the positive and the negative distance (default 1).</summary>
    public double Margin { get; init; } = 1.0;

    /// <summary>The norm order of the distance (default 2).</summary>
    public double P { get; init; } = 2;

    /// <summary>Added to each difference inside the distance (default 1e-6).</summary>
    public double Eps { get; init; } = 1e-6;

    /// <summary>Whether the negative distance is the smaller of d(anchor, negative) and d(positive, negative) (default false).</summary>
    public bool Swap { get; init; }

    /// <summary>How per-triplet losses are combined (mean by default).</summary>
    public Reduction Reduction { get; init; } = Reduction.Mean;

    /// <summary>The loss of the triplets (<paramref name="anchor"/>, <paramref name="positive"/>, <paramref name="negative"/>).</summary>
    protected override Tensor OnForward(Tensor anchor, Tensor positive, Tensor negative) =>
        Functional.TripletMarginLoss(anchor, positive, negative, Margin, P, Eps, Swap, Reduction);
}
