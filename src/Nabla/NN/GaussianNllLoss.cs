namespace Nabla.NN;

/// <summary>Gaussian negative log-likelihood with a predicted variance (PyTorch's <c>nn.GaussianNLLLoss</c>); see <see cref="Functional.GaussianNllLoss"/>.</summary>
public sealed class GaussianNllLoss : Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>Whether to add the constant <c>0.5·ln(2π)</c> (default false).</summary>
    public bool Full { get; init; }

    /// <summary>The variance's lower clamp, invisible to autograd (default 1e-6).</summary>
    public double Eps { get; init; } = 1e-6;

    /// <summary>How per-element losses are combined (mean by default).</summary>
    public Reduction Reduction { get; init; } = Reduction.Mean;

    /// <summary>The loss of the predicted means <paramref name="input"/> and variances <paramref name="var"/> against <paramref name="target"/>.</summary>
    protected override Tensor OnForward(Tensor input, Tensor target, Tensor var) => Functional.GaussianNllLoss(input, target, var, Full, Eps, Reduction);
}
