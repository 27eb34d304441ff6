namespace Nabla.NN;

/// <summary>
/// A stack of <c>numLayers</c> copies of one encoder layer with an optional final norm (PyTorch 1.13's
/// <c>nn.TransformerEncoder</c>): <c>x = layer_i(x, mask, srcKeyPaddingMask)</c> for each layer, then <c>norm(x)</c>.
/// </summary>
/// <remarks>
/// The layers are deep copies of <c>encoderLayer</c> (their own parameters, starting from its values; the layer passed in
/// is not used itself), registered as <c>layers.{i}.*</c>, and the norm as <c>norm.*</c>, PyTorch's state dict names.
/// </remarks>
public sealed class TransformerEncoder : Module<Tensor, (Tensor? Mask, Tensor? SrcKeyPaddingMask), Tensor>
{
    /// <summary>Creates the stack.</summary>
    /// <param name="encoderLayer">The layer to copy.</param>
    /// <param name="numLayers">The number of copies (at least 1).</param>
    /// <param name="norm">The final norm, or null.</param>
    public TransformerEncoder(TransformerEncoderLayer encoderLayer, int numLayers, LayerNorm? norm = null)
    {
        ArgumentNullException.ThrowIfNull(encoderLayer);
        if (numLayers < 1) throw new ArgumentException($"TransformerEncoder: num_layers must be at least 1, got {numLayers}", nameof(numLayers));
        Layers = RegisterModule("layers", new ModuleList<TransformerEncoderLayer>([.. Enumerable.Range(0, numLayers).Select(_ => encoderLayer.Clone())]));
        if (norm is not null) Norm = RegisterModule("norm", norm);
    }

    /// <summary>The layers.</summary>
    public ModuleList<TransformerEncoderLayer> Layers { get; }

    /// <summary>The final norm, or null.</summary>
    public LayerNorm? Norm { get; }

    /// <summary>Runs the stack with PyTorch's keyword arguments (masks as <see cref="TransformerEncoderLayer"/>'s).</summary>
    public Tensor Forward(Tensor src, Tensor? mask = null, Tensor? srcKeyPaddingMask = null) => Forward(src, (mask, srcKeyPaddingMask));

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor src, (Tensor? Mask, Tensor? SrcKeyPaddingMask) masks)
    {
        ArgumentNullException.ThrowIfNull(src);
        Tensor x = src;
        foreach (TransformerEncoderLayer layer in Layers) x = layer.Forward(x, masks.Mask, masks.SrcKeyPaddingMask);
        return Norm is null ? x : Norm.Forward(x);
    }
}
