namespace Nabla.NN;

/// <summary>
/// A stack of <c>numLayers</c> copies of one decoder layer with an optional final norm (PyTorch 1.13's
/// <c>nn.TransformerDecoder</c>): <c>x = layer_i(x, memory, masks)</c> for each layer, then <c>norm(x)</c>.
/// </summary>
/// <remarks>
/// The layers are deep copies of <c>decoderLayer</c> (their own parameters, starting from its values; the layer passed in
/// is not used itself), registered as <c>layers.{i}.*</c>, and the norm as <c>norm.*</c>, PyTorch's state dict names.
/// </remarks>
public sealed class TransformerDecoder
    : Module<Tensor, Tensor, (Tensor? TgtMask, Tensor? MemoryMask, Tensor? TgtKeyPaddingMask, Tensor? MemoryKeyPaddingMask), Tensor>
{
    /// <summary>Creates the stack.</summary>
    /// <param name="decoderLayer">The layer to copy.</param>
    /// <param name="numLayers">The number of copies (at least 1).</param>
    /// <param name="norm">The final norm, or null.</param>
    public TransformerDecoder(TransformerDecoderLayer decoderLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(decoderLayer);
        if (numLayers < 1) throw new ArgumentException($"TransformerDecoder: num_layers must be at least 1, got {numLayers}", nameof(numLayers));
        Layers = RegisterModule("layers", new ModuleList<TransformerDecoderLayer>([.. Enumerable.Range(0, numLayers).Select(_ => decoderLayer.Clone())]));
        if (norm is not null) Norm = RegisterModule("norm", norm);
    }

    /// <summary>The layers.</summary>
    public ModuleList<TransformerDecoderLayer> Layers { get; }

    /// <summary>The final norm, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>Runs the stack with PyTorch's keyword arguments (masks as <see cref="TransformerDecoderLayer"/>'s).</summary>
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
        foreach (TransformerDecoderLayer layer in Layers) x = layer.Forward(x, memory, masks);
        return Norm is null ? x : Norm.Forward(x);
    }
}
