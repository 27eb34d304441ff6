namespace Nabla.NN;

/// <summary>The p-norm distance between rows of two inputs (PyTorch's <c>nn.PairwiseDistance</c>); see <see cref="Functional.PairwiseDistance"/>.</summary>
/// <param name="p">The norm order (default 2).</param>
/// <param name="eps">Added to each difference (default 1e-6).</param>
/// <param name="keepDim">Whether to keep the last dim with size 1 (default false).</param>
public sealed class PairwiseDistance(double p = 2, double eps = 1e-6, bool keepDim = false) : Module<Tensor, Tensor, Tensor>
{
    /// <summary>The norm order.</summary>
    public double P { get; } = p;

    /// <summary>Added to each difference inside the norm.</summary>
    public double Eps { get; } = eps;

    /// <summary>Whether the last dim is kept with size 1.</summary>
    public bool KeepDim { get; } = keepDim;

    /// <summary>The distance between <paramref name="x1"/> and <paramref name="x2"/> (broadcast) over their last dim.</summary>
    protected override Tensor OnForward(Tensor x1, Tensor x2) => Functional.PairwiseDistance(x1, x2, P, Eps, KeepDim);
}
