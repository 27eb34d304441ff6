namespace Nabla.NN;

/// <summary>
/// One transformer decoder layer with PyTorch 1.13's semantics (<c>nn.TransformerDecoderLayer</c>): self-attention,
/// attention over the encoder's memory and a feed-forward block, each with a residual connection and a layer norm.
/// </summary>
/// <remarks>
/// <para><c>SA(x)</c> = <see cref="SelfAttn"/>(x, x, x) with the target masks; <c>CA(x, m)</c> =
/// <see cref="MultiheadAttn"/>(x, m, m) with the memory masks; <c>FF(x) = linear2(act(linear1(x)))</c>.
/// <c>normFirst: false</c>: <c>x = norm1(x + SA(x)); x = norm2(x + CA(x, mem)); x = norm3(x + FF(x))</c>;
/// <c>normFirst: true</c>: <c>x = x + SA(norm1(x)); x = x + CA(norm2(x), mem); x = x + FF(norm3(x))</c> (the memory is
/// never normalised). Dropout (training only) follows each block and the activation.</para>
/// <para><c>tgt</c> <c>[T, B, E]</c> and <c>memory</c> <c>[S, B, E]</c> (<c>batchFirst</c>: batch first;
/// unbatched <c>[T, E]</c>, <c>[S, E]</c>). Masks as <see cref="MultiheadAttention"/>'s: <c>tgtMask</c> <c>[T, T]</c>,
/// <c>memoryMask</c> <c>[T, S]</c> (bool true = NOT allowed, or float added), <c>tgtKeyPaddingMask</c> <c>[B, T]</c>,
/// <c>memoryKeyPaddingMask</c> <c>[B, S]</c> (bool true = padding). State dict: <c>self_attn.*</c>,
/// <c>multihead_attn.*</c>, <c>linear1.*</c>, <c>linear2.*</c>, <c>norm1.*</c> .. <c>norm3.*</c>.</para>
/// </remarks>
public sealed class TransformerDecoderLayer
    : Module<Tensor, Tensor, (Tensor? TgtMask, Tensor? MemoryMask, Tensor? TgtKeyPaddingMask, Tensor? MemoryKeyPaddingMask), Tensor>
{
    private readonly TransformerActivation _activation;
    private readonly double _eps, _dropoutP;
    private readonly Generator? _generator;

    /// <summary>Creates the layer with PyTorch's defaults and initialisation.</summary>
    /// <param name="dModel">E, the model width.</param>
    /// <param name="nhead">The number of attention heads.</param>
    /// <param name="dimFeedforward">The feed-forward block's hidden width.</param>
    /// <param name="dropout">The dropout probability (training only).</param>
    /// <param name="activation">The feed-forward activation.</param>
    /// <param name="layerNormEps">The layer norms' epsilon.</param>
    /// <param name="batchFirst">Inputs and output are batch first.</param>
    /// <param name="normFirst">Normalise before each block (pre-norm) instead of after the residual sum.</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="generator">The generator for initialisation and dropout (null: the global one).</param>
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1,
        TransformerActivation activation = TransformerActivation.Relu, double layerNormEps = 1e-5, bool batchFirst = false,
        bool normFirst = false, DType dtype = DType.Float32, Generator? generator = null)
    {
        (_activation, _eps, _dropoutP, _generator, NormFirst) = (activation, layerNormEps, dropout, generator, normFirst);
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst: batchFirst, dtype: dtype, generator: generator));
        MultiheadAttn = RegisterModule("multihead_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst: batchFirst, dtype: dtype, generator: generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, dtype: dtype, generator: generator));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, dtype: dtype, generator: generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, dtype));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, dtype));
        Norm3 = RegisterModule("norm3", new LayerNorm(dModel, layerNormEps, dtype));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
        Dropout3 = RegisterModule("dropout3", new Dropout(dropout, generator));
    }

    /// <summary>The self-attention over the target.</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>The attention from the target to the memory.</summary>
    public MultiheadAttention MultiheadAttn { get; }

    /// <summary>The feed-forward block's first layer.</summary>
    public Linear Linear1 { get; }

    /// <summary>The dropout after the activation.</summary>
    public Dropout Dropout { get; }

    /// <summary>The feed-forward block's second layer.</summary>
    public Linear Linear2 { get; }

    /// <summary>The norm of the self-attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The norm of the memory attention block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The norm of the feed-forward block.</summary>
    public LayerNorm Norm3 { get; }

    /// <summary>The dropout after the self-attention.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>The dropout after the memory attention.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>The dropout after the feed-forward block.</summary>
    public Dropout Dropout3 { get; }

    /// <summary>Whether the layer normalises before each block.</summary>
    public bool NormFirst { get; }

    /// <summary>Runs the layer with PyTorch's keyword arguments (see the type remarks).</summary>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask = null, Tensor? memoryMask = null,
        Tensor? tgtKeyPaddingMask = null, Tensor? memoryKeyPaddingMask = null)
        => Forward(tgt, memory, (tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask));

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor tgt, Tensor memory,
        (Tensor? TgtMask, Tensor? MemoryMask, Tensor? TgtKeyPaddingMask, Tensor? MemoryKeyPaddingMask) masks)
    {
        ArgumentNullException.ThrowIfNull(tgt);
        ArgumentNullException.ThrowIfNull(memory);
        Tensor x = tgt;
        if (NormFirst)
        {
            x = x + SelfAttention(Norm1.Forward(x), masks.TgtMask, masks.TgtKeyPaddingMask);
            x = x + MemoryAttention(Norm2.Forward(x), memory, masks.MemoryMask, masks.MemoryKeyPaddingMask);
            return x + FeedForward(Norm3.Forward(x));
        }
        x = Norm1.Forward(x + SelfAttention(x, masks.TgtMask, masks.TgtKeyPaddingMask));
        x = Norm2.Forward(x + MemoryAttention(x, memory, masks.MemoryMask, masks.MemoryKeyPaddingMask));
        return Norm3.Forward(x + FeedForward(x));
    }

    private Tensor SelfAttention(Tensor x, Tensor? mask, Tensor? keyPadding)
        => Dropout1.Forward(SelfAttn.Forward(x, x, x, keyPadding, needWeights: false, attnMask: mask).Output);

    private Tensor MemoryAttention(Tensor x, Tensor memory, Tensor? mask, Tensor? keyPadding)
        => Dropout2.Forward(MultiheadAttn.Forward(x, memory, memory, keyPadding, needWeights: false, attnMask: mask).Output);

    private Tensor FeedForward(Tensor x)
        => Dropout3.Forward(Linear2.Forward(Dropout.Forward(TransformerEncoderLayer.Activate(Linear1.Forward(x), _activation))));

    /// <summary>A deep copy: the same configuration, new parameter tensors with the same values.</summary>
    internal TransformerDecoderLayer Clone() => ModuleCopy.From(this, new TransformerDecoderLayer(SelfAttn.EmbedDim, SelfAttn.NumHeads,
        Linear1.OutFeatures, _dropoutP, _activation, _eps, SelfAttn.BatchFirst, NormFirst, Linear1.Weight.DType, _generator));
}
