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
        (NumEmbeddings, EmbeddingDim) = (numEmbeddings, embeddingDim);
        _weight = RegisterParameter("weight", Tensor.Zeros([numEmbeddings, embeddingDim], dtype));
        Init.Normal(Weight, 0, 1, generator);
        _paddingIdx = paddingIdx;
        if (paddingIdx is { } p)
            using (Autograd.NoGrad()) Weight.Select(0, (int)p).Fill(0);
    }

    private Tensor _weight;

    /// <summary>The number of rows of the table.</summary>
    public int NumEmbeddings { get; }

    /// <summary>The size of each row.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The table, [numEmbeddings, embeddingDim]. Setting it registers the new tensor as the parameter <c>weight</c> (tying).</summary>
    public Tensor Weight
    {
        get => _weight;
        set => ReplaceParameter("weight", _weight, value, "[num_embeddings, embedding_dim]");
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Embedding(input, Weight, _paddingIdx);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumEmbeddings}, {EmbeddingDim}" + (_paddingIdx is { } p ? $", padding_idx={p}" : "");
}
