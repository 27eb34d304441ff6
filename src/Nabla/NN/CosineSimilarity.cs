namespace Nabla.NN;

/// <summary>Cosine similarity of two inputs along a dim (PyTorch's <c>nn.CosineSimilarity</c>); see <see cref="Functional.CosineSimilarity"/>.</summary>
/// <param name="dim">The dim to compare along (default 1).</param>
/// <param name="eps">The lower bound of each norm (default 1e-8).</param>
public sealed class CosineSimilarity(int dim = 1, double eps = 1e-8) : Module<Tensor, Tensor, Tensor>
{
    /// <summary>The dim compared along.</summary>
    public int Dim { get; } = dim;

    /// <summary>The lower bound of each norm.</summary>
    public double Eps { get; } = eps;

    /// <summary>The cosine similarity of <paramref name="x1"/> and <paramref name="x2"/> (broadcast) along <see cref="Dim"/>.</summary>
    protected override Tensor OnForward(Tensor x1, Tensor x2) => Functional.CosineSimilarity(x1, x2, Dim, Eps);
}
