namespace Nabla.NN;

/// <summary>Margin ranking loss, <c>max(0, -target·(x1 - x2) + margin)</c> (PyTorch's <c>nn.MarginRankingLoss</c>); see <see cref="Functional.MarginRankingLoss"/>.</summary>
public sealed class MarginRankingLoss : Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>The margin by which the preferred input should rank higher (default 0).</summary>
    public double Margin { get; init; }

    /// <summary>How per-element losses are combined (mean by default).</summary>
    public Reduction Reduction { get; init; } = Reduction.Mean;

    /// <summary>The loss of ranking <paramref name="input1"/> against <paramref name="input2"/> as <paramref name="target"/> (±1) says.</summary>
    protected override Tensor OnForward(Tensor input1, Tensor input2, Tensor target) => Functional.MarginRankingLoss(input1, input2, target, Margin, Reduction);
}
