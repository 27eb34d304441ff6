namespace Nabla.NN;

/// <summary>Poisson negative log-likelihood (PyTorch's <c>nn.PoissonNLLLoss</c>); see <see cref="Functional.PoissonNllLoss"/>.</summary>
public sealed class PoissonNllLoss : Loss
{
    /// <summary>Whether the input is the log-rate (default true) or the rate.</summary>
    public bool LogInput { get; init; } = true;

    /// <summary>Whether to add the Stirling term of <c>ln(target!)</c> where <c>target &gt; 1</c> (default false).</summary>
    public bool Full { get; init; }

    /// <summary>Added to the rate inside the log when <see cref="LogInput"/> is false (default 1e-8).</summary>
    public double Eps { get; init; } = 1e-8;

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input, Tensor target) => Functional.PoissonNllLoss(input, target, LogInput, Full, Eps, Reduction);
}
