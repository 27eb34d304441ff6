namespace Nabla.NN;

/// <summary>Max pooling to a fixed output size [OH, OW] (PyTorch's <c>nn.AdaptiveMaxPool2d</c>). See <see cref="Functional.AdaptiveMaxPool2d"/>.</summary>
public sealed class AdaptiveMaxPool2d : Module
{
    private readonly int[] _size;
    private readonly bool _square;

    /// <summary>Creates the layer with output size <c>[OH, OW]</c>.</summary>
    public AdaptiveMaxPool2d(int[] outputSize) => _size = Conv2d.Pair(outputSize, "output_size");

    /// <summary>Creates the layer with a square output size.</summary>
    public AdaptiveMaxPool2d(int outputSize) : this([outputSize, outputSize]) => _square = true;

    /// <summary>
    /// The pooled values and the flat index <c>h*W + w</c> of each maximum within its plane (PyTorch's <c>return_indices=True</c>); not seen by
    /// forward hooks, which see <see cref="Module.Forward"/>.
    /// </summary>
    public (Tensor Output, Tensor Indices) ForwardWithIndices(Tensor input) => Functional.AdaptiveMaxPool2dWithIndices(input, _size);

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.AdaptiveMaxPool2d(input, _size);

    /// <inheritdoc/>
    protected override string ExtraRepr() => _square ? $"output_size={_size[0]}" : $"output_size={PyRepr.Tuple(_size)}";
}
