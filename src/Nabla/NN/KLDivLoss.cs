namespace Nabla.NN;

/// <summary>Kullback-Leibler divergence loss over log-probabilities (PyTorch's <c>nn.KLDivLoss</c>); see <see cref="Functional.KLDiv"/>.</summary>
/// <remarks>Set <see cref="Loss.Reduction"/> to <see cref="Nabla.Reduction.BatchMean"/> for the KL divergence per sample.</remarks>
public sealed class KLDivLoss : Loss
{
    /// <summary>Whether the target holds log-probabilities too (default false: probabilities).</summary>
    public bool LogTarget { get; init; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.KLDiv(input, target, Reduction, LogTarget);
}
