namespace Nabla.NN;

/// <summary>
/// A 1-D transposed convolution layer over [N, C_in, L] (the gradient of <see cref="Conv1d"/> with respect to its input, PyTorch's
/// <c>nn.ConvTranspose1d</c>). Weight [C_in, C_out/groups, K] and bias [C_out] start from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
/// PyTorch's <c>fan_in = C_out/groups · K</c>.
/// </summary>
public sealed class ConvTranspose1d : Module
{
    private readonly int _stride, _padding, _outputPadding, _dilation, _groups;

    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Channels of the input, C_in.</param>
    /// <param name="outChannels">Channels of the output, C_out.</param>
    /// <param name="kernelSize">Taps per filter, K.</param>
    /// <param name="stride">Step between the input positions' windows in the output.</param>
    /// <param name="padding">Positions removed from both ends of the full output.</param>
    /// <param name="outputPadding">Positions added at the end; smaller than max(stride, dilation).</param>
    /// <param name="groups">Blocked channel groups; both channel counts must be divisible by it.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="dilation">Spacing between kernel taps.</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="generator">The generator of the initial values; null uses the default one.</param>
    public ConvTranspose1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1, DType dtype = DType.Float32, Generator? generator = null)
    {
        Validate("ConvTranspose1d", inChannels, outChannels, groups, [kernelSize], [stride], [padding], [outputPadding], [dilation]);
        (InChannels, OutChannels, KernelSize) = (inChannels, outChannels, kernelSize);
        (_stride, _padding, _outputPadding, _dilation, _groups) = (stride, padding, outputPadding, dilation, groups);
        Weight = RegisterParameter("weight", Tensor.Zeros([inChannels, outChannels / groups, kernelSize], dtype));
        double bound = 1 / Math.Sqrt(outChannels / groups * kernelSize);
        Init.Uniform(Weight, -bound, bound, generator);
        if (bias) Bias = Init.Uniform(RegisterParameter("bias", Tensor.Zeros([outChannels], dtype)), -bound, bound, generator);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Taps per filter.</summary>
    public int KernelSize { get; }

    /// <summary>The filters, [C_in, C_out/groups, K].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, [C_out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.ConvTranspose1d(input, Weight, Bias, _stride, _padding, _outputPadding, _groups, _dilation);

    /// <inheritdoc/>
    protected override string ExtraRepr() => Repr(InChannels, OutChannels, [KernelSize], [_stride], [_padding], [_dilation], [_outputPadding], _groups, Bias is not null);

    /// <summary>The construction checks of the transposed convolution layers, which PyTorch makes when the layer is built.</summary>
    internal static void Validate(string layer, int inChannels, int outChannels, int groups, int[] kernelSize, int[] stride, int[] padding, int[] outputPadding,
        int[] dilation)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"{layer}: in_channels {inChannels} and out_channels {outChannels} must be positive and divisible by groups {groups}");
        if (kernelSize.Any(k => k < 1) || stride.Any(s => s < 1) || dilation.Any(d => d < 1) || outputPadding.Any(p => p < 0) || padding.Any(p => p < 0))
            throw new ArgumentException(
                $"{layer}: kernel_size {PyRepr.Tuple(kernelSize)}, stride {PyRepr.Tuple(stride)} and dilation {PyRepr.Tuple(dilation)} must be positive, " +
                $"padding {PyRepr.Tuple(padding)} and output_padding {PyRepr.Tuple(outputPadding)} non-negative");
        for (int i = 0; i < stride.Length; i++)
            if (outputPadding[i] >= Math.Max(stride[i], dilation[i]))
                throw new ArgumentException(
                    $"{layer}: output_padding {PyRepr.Tuple(outputPadding)} must be smaller than max(stride, dilation) in every dimension, got stride {PyRepr.Tuple(stride)} and dilation {PyRepr.Tuple(dilation)}");
    }

    /// <summary>PyTorch's repr of a convolution layer: sizes, kernel and stride always, the rest when not the default.</summary>
    internal static string Repr(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups, bool bias)
    {
        string s = $"{inChannels}, {outChannels}, kernel_size={PyRepr.Tuple(kernelSize)}, stride={PyRepr.Tuple(stride)}";
        if (padding.Any(p => p != 0)) s += $", padding={PyRepr.Tuple(padding)}";
        if (dilation.Any(d => d != 1)) s += $", dilation={PyRepr.Tuple(dilation)}";
        if (outputPadding.Any(p => p != 0)) s += $", output_padding={PyRepr.Tuple(outputPadding)}";
        if (groups != 1) s += $", groups={groups}";
        if (!bias) s += ", bias=False";
        return s;
    }
}
