namespace Nabla.NN;

/// <summary>A lookup table of <c>numEmbeddings</c> vectors of size <c>embeddingDim</c>, initialised N(0, 1); the padding row starts at zero and gets no gradient.</summary>
public sealed class Embedding : Module
{
    private readonly long? _paddingIdx;

    /// <summary>Creates the table.</summary>
    public Embedding(int numEmbeddings, int embeddingDim, long? paddingIdx = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (numEmbeddings <= 0 || embeddingDim <= 0)
            throw new ArgumentException($"Embedding: sizes must be positive, got {numEmbeddings} x {embeddingDim}");
        Weight = RegisterParameter("weight", Tensor.Zeros([numEmbeddings, embeddingDim], dtype));
        Init.Normal(Weight, 0, 1, generator);
        _paddingIdx = paddingIdx;
        if (paddingIdx is { } p)
            using (Autograd.NoGrad()) Weight.Select(0, (int)p).Fill(0);
    }

    /// <summary>The table, [numEmbeddings, embeddingDim].</summary>
    public Tensor Weight { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Embedding(input, Weight, _paddingIdx);
}
