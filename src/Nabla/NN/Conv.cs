namespace Nabla.NN;

/// <summary>
/// A 2-D convolution layer over [N, C_in, H, W] (cross-correlation, zero padding). Weight
/// [C_out, C_in/groups, kH, kW] and bias [C_out] start from U(-1/sqrt(fan_in), 1/sqrt(fan_in)), as PyTorch's.
/// </summary>
public sealed class Conv2d : Module
{
    private readonly int[] _stride, _padding, _dilation;
    private readonly int _groups;

    /// <summary>Creates the layer; <paramref name="kernelSize"/>, stride, padding and dilation are [h, w] (one value means both).</summary>
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[]? stride = null, int[]? padding = null,
        int[]? dilation = null, int groups = 1, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        int[] k = Pair(kernelSize, "kernel_size");
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: in_channels {inChannels} and out_channels {outChannels} must be positive and divisible by groups {groups}");
        (InChannels, OutChannels, KernelSize, _groups) = (inChannels, outChannels, k, groups);
        _stride = stride is null ? [1, 1] : Pair(stride, "stride");
        _padding = padding is null ? [0, 0] : Pair(padding, "padding");
        _dilation = dilation is null ? [1, 1] : Pair(dilation, "dilation");
        Weight = RegisterParameter("weight", Tensor.Zeros([outChannels, inChannels / groups, k[0], k[1]], dtype));
        double bound = 1 / Math.Sqrt(inChannels / groups * k[0] * k[1]);
        Init.Uniform(Weight, -bound, bound, generator);
        if (bias) Bias = Init.Uniform(RegisterParameter("bias", Tensor.Zeros([outChannels], dtype)), -bound, bound, generator);
    }

    /// <summary>Creates a layer with a square kernel.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
        : this(inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding], [dilation, dilation], groups, bias, dtype, generator) { }

    internal static int[] Pair(int[] v, string name)
    {
        ArgumentNullException.ThrowIfNull(v);
        return v.Length switch
        {
            1 => [v[0], v[0]],
            2 => (int[])v.Clone(),
            _ => throw new ArgumentException($"{name}: expected one or two values, got {v.Length}"),
        };
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size [kH, kW].</summary>
    public IReadOnlyList<int> KernelSize { get; }

    /// <summary>The filters, [C_out, C_in/groups, kH, kW].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, [C_out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Conv2d(input, Weight, Bias, _stride, _padding, _dilation, _groups);

    /// <summary><c>relu(Forward(input))</c> in one op (see Note [Fused convolution + ReLU]).</summary>
    internal Tensor ForwardRelu(Tensor input) => Functional.Conv2dRelu(input, Weight, Bias, _stride, _padding, _dilation, _groups);

    /// <summary>The constructor arguments as <see cref="ModuleBase.ToString"/> shows them (for <see cref="Conv2dRelu"/>).</summary>
    internal string Arguments => ExtraRepr();

    /// <inheritdoc/>
    protected internal override Module? FuseWith(Module next) => next is Relu ? new Conv2dRelu(this) : null;

    /// <inheritdoc/>
    protected override string ExtraRepr() => ConvRepr(InChannels, OutChannels, [.. KernelSize], _stride, _padding, _dilation, _groups, Bias is not null);

    /// <summary>PyTorch's <c>extra_repr</c> of a convolution: padding, dilation, groups and bias only where they differ from the defaults.</summary>
    internal static string ConvRepr(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, bool bias) =>
        $"{inChannels}, {outChannels}, kernel_size={PyRepr.Tuple(kernel)}, stride={PyRepr.Tuple(stride)}"
        + (padding.Any(p => p != 0) ? $", padding={PyRepr.Tuple(padding)}" : "")
        + (dilation.Any(d => d != 1) ? $", dilation={PyRepr.Tuple(dilation)}" : "")
        + (groups != 1 ? $", groups={groups}" : "")
        + (bias ? "" : ", bias=False");
}

/// <summary>A 1-D convolution layer over [N, C_in, L].</summary>
public sealed class Conv1d : Module
{
    private readonly int _stride, _padding, _dilation, _groups;

    /// <summary>Creates the layer.</summary>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1,
        bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (inChannels <= 0 || outChannels <= 0 || groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv1d: in_channels {inChannels} and out_channels {outChannels} must be positive and divisible by groups {groups}");
        (_stride, _padding, _dilation, _groups) = (stride, padding, dilation, groups);
        Weight = RegisterParameter("weight", Tensor.Zeros([outChannels, inChannels / groups, kernelSize], dtype));
        double bound = 1 / Math.Sqrt(inChannels / groups * kernelSize);
        Init.Uniform(Weight, -bound, bound, generator);
        if (bias) Bias = Init.Uniform(RegisterParameter("bias", Tensor.Zeros([outChannels], dtype)), -bound, bound, generator);
    }

    /// <summary>The filters, [C_out, C_in/groups, K].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, [C_out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Conv1d(input, Weight, Bias, _stride, _padding, _dilation, _groups);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        Conv2d.ConvRepr(Weight.Size(1) * _groups, Weight.Size(0), [Weight.Size(2)], [_stride], [_padding], [_dilation], _groups, Bias is not null);
}
