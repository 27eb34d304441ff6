namespace Nabla.NN;

/// <summary>
/// One transformer encoder layer with PyTorch 1.13's semantics (<c>nn.TransformerEncoderLayer</c>): self-attention and
/// a feed-forward block, each with a residual connection and a layer norm.
/// </summary>
/// <remarks>
/// <para><c>SA(x)</c> = <see cref="SelfAttn"/>(x, x, x) with the masks, without weights; <c>FF(x) = linear2(act(linear1(x)))</c>.
/// <c>normFirst: false</c>: <c>x = norm1(x + SA(x)); x = norm2(x + FF(x))</c>; <c>normFirst: true</c>:
/// <c>x = x + SA(norm1(x)); x = x + FF(norm2(x))</c>. Dropout (training only) follows the attention, the activation and
/// the feed-forward block, as in PyTorch.</para>
/// <para><c>src</c> is <c>[L, B, E]</c> (<c>batchFirst</c>: <c>[B, L, E]</c>; unbatched <c>[L, E]</c>);
/// <c>srcMask</c> <c>[L, L]</c> or <c>[B·H, L, L]</c> (bool true = NOT allowed, or float added) and
/// <c>srcKeyPaddingMask</c> bool <c>[B, L]</c> (true = padding) go to the self-attention (see
/// <see cref="MultiheadAttention"/>). State dict: <c>self_attn.*</c>, <c>linear1.*</c>, <c>linear2.*</c>, <c>norm1.*</c>,
/// <c>norm2.*</c>.</para>
/// </remarks>
public sealed class TransformerEncoderLayer : Module<Tensor, (Tensor? SrcMask, Tensor? SrcKeyPaddingMask), Tensor>
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
    /// <param name="batchFirst">Inputs and output are <c>[B, L, E]</c>.</param>
    /// <param name="normFirst">Normalise before each block (pre-norm) instead of after the residual sum.</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="generator">The generator for initialisation and dropout (null: the global one).</param>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, double dropout = 0.1,
        TransformerActivation activation = TransformerActivation.Relu, double layerNormEps = 1e-5, bool batchFirst = false,
        bool normFirst = false, DType dtype = DType.Float32, Generator? generator = null)
    {
        (_activation, _eps, _dropoutP, _generator, NormFirst) = (activation, layerNormEps, dropout, generator, normFirst);
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst: batchFirst, dtype: dtype, generator: generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, dtype: dtype, generator: generator));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, dtype: dtype, generator: generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, dtype));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, dtype));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    /// <summary>The self-attention.</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>The feed-forward block's first layer.</summary>
    public Linear Linear1 { get; }

    /// <summary>The dropout after the activation (PyTorch's <c>dropout</c>).</summary>
    public Dropout Dropout { get; }

    /// <summary>The feed-forward block's second layer.</summary>
    public Linear Linear2 { get; }

    /// <summary>The norm of the attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The norm of the feed-forward block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The dropout after the attention.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>The dropout after the feed-forward block.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>Whether the layer normalises before each block.</summary>
    public bool NormFirst { get; }

    /// <summary>Runs the layer with PyTorch's keyword arguments (see the type remarks).</summary>
    public Tensor Forward(Tensor src, Tensor? srcMask = null, Tensor? srcKeyPaddingMask = null) => Forward(src, (srcMask, srcKeyPaddingMask));

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor src, (Tensor? SrcMask, Tensor? SrcKeyPaddingMask) masks)
    {
        ArgumentNullException.ThrowIfNull(src);
        Tensor x = src;
        if (NormFirst)
        {
            x = x + SelfAttention(Norm1.Forward(x), masks.SrcMask, masks.SrcKeyPaddingMask);
            return x + FeedForward(Norm2.Forward(x));
        }
        x = Norm1.Forward(x + SelfAttention(x, masks.SrcMask, masks.SrcKeyPaddingMask));
        return Norm2.Forward(x + FeedForward(x));
    }

    private Tensor SelfAttention(Tensor x, Tensor? mask, Tensor? keyPadding)
        => Dropout1.Forward(SelfAttn.Forward(x, x, x, keyPadding, needWeights: false, attnMask: mask).Output);

    private Tensor FeedForward(Tensor x) => Dropout2.Forward(Linear2.Forward(Dropout.Forward(Activate(Linear1.Forward(x), _activation))));

    /// <summary>The feed-forward activation (shared with <see cref="TransformerDecoderLayer"/>).</summary>
    internal static Tensor Activate(Tensor x, TransformerActivation activation) => activation == TransformerActivation.Gelu ? Functional.Gelu(x) : x.Relu();

    /// <summary>A deep copy: the same configuration, new parameter tensors with the same values.</summary>
    internal TransformerEncoderLayer Clone() => ModuleCopy.From(this, new TransformerEncoderLayer(SelfAttn.EmbedDim, SelfAttn.NumHeads,
        Linear1.OutFeatures, _dropoutP, _activation, _eps, SelfAttn.BatchFirst, NormFirst, Linear1.Weight.DType, _generator));
}
