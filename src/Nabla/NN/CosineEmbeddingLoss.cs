namespace Nabla.NN;

/// <summary>Cosine embedding loss over pairs labelled 1 (similar) or -1 (dissimilar) (PyTorch's <c>nn.CosineEmbeddingLoss</c>); see <see cref="Functional.CosineEmbeddingLoss"/>.</summary>
public sealed class CosineEmbeddingLoss : Module<Tensor, Tensor, Tensor, Tensor>
{
    /// <summary>The cosine below which dissimilar pairs cost nothing (default 0).</summary>
    public double Margin { get; init; }

    /// <summary>How per-pair losses are combined (mean by default).</summary>
    public Reduction Reduction { get; init; } = Reduction.Mean;

    /// <summary>The loss of the pairs (<paramref name="input1"/>, <paramref name="input2"/>) labelled by <paramref name="target"/>.</summary>
    protected override Tensor OnForward(Tensor input1, Tensor input2, Tensor target) => Functional.CosineEmbeddingLoss(input1, input2, target, Margin, Reduction);
}
