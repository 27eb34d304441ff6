namespace Nabla.NN;

/// <summary>
/// Group normalisation over [N, C, *] (PyTorch's <c>nn.GroupNorm</c>): per sample, the C channels are split into <c>numGroups</c> blocks, each
/// normalised over its channels and positions; then a learnable per-channel weight (ones) and bias (zeros) when affine.
/// See <see cref="Functional.GroupNorm"/>.
/// </summary>
public sealed class GroupNorm : Module
{
    private readonly double _eps;

    /// <summary>Creates the layer.</summary>
    /// <param name="numGroups">Channel groups; must divide <paramref name="numChannels"/>.</param>
    /// <param name="numChannels">Channels of the input, C.</param>
    /// <param name="eps">Added to the variance.</param>
    /// <param name="affine">Whether the layer has a per-channel weight and bias.</param>
    /// <param name="dtype">The parameters' dtype.</param>
    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32)
    {
        if (numGroups < 1 || numChannels < 1 || numChannels % numGroups != 0)
            throw new ArgumentException($"GroupNorm: num_channels {numChannels} must be divisible by num_groups {numGroups} (both positive)");
        if (!(eps >= 0)) throw new ArgumentException($"GroupNorm: eps must be non-negative, got {eps}");
        (NumGroups, NumChannels, _eps) = (numGroups, numChannels, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numChannels], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numChannels], dtype));
        }
    }

    /// <summary>Channel groups.</summary>
    public int NumGroups { get; }

    /// <summary>Channels of the input.</summary>
    public int NumChannels { get; }

    /// <summary>The per-channel scale, [C], or null without affine parameters.</summary>
    public Tensor? Weight { get; }

    /// <summary>The per-channel shift, [C], or null without affine parameters.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2 || input.Dims[1] != NumChannels)
            throw new ArgumentException($"GroupNorm: expected input of shape [N, {NumChannels}, *] (num_channels={NumChannels}), got shape {input.Shape}", nameof(input));
        return Functional.GroupNorm(input, NumGroups, Weight, Bias, _eps);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{NumGroups}, {NumChannels}, eps={PyRepr.Float(_eps)}, affine={PyRepr.Bool(Weight is not null)}";
}
