namespace Nabla.NN;

/// <summary>
/// A 2-D transposed convolution layer over [N, C_in, H, W] (the gradient of <see cref="Conv2d"/> with respect to its input, PyTorch's
/// <c>nn.ConvTranspose2d</c>). Weight [C_in, C_out/groups, kH, kW] and bias [C_out] start from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
/// PyTorch's <c>fan_in = C_out/groups · kH · kW</c> (the weight's size(1) times its receptive field).
/// </summary>
public sealed class ConvTranspose2d : Module
{
    private readonly int[] _stride, _padding, _outputPadding, _dilation;
    private readonly int _groups;

    /// <summary>Creates the layer; <paramref name="kernelSize"/>, stride, padding, output padding and dilation are [h, w] (one value means both).</summary>
    /// <param name="inChannels">Channels of the input, C_in.</param>
    /// <param name="outChannels">Channels of the output, C_out.</param>
    /// <param name="kernelSize">[kH, kW].</param>
    /// <param name="stride">[sH, sW]; null means [1, 1].</param>
    /// <param name="padding">[pH, pW] removed from both sides of the full output; null means [0, 0].</param>
    /// <param name="outputPadding">[opH, opW] added at the end, each smaller than max(stride, dilation) of its dim; null means [0, 0].</param>
    /// <param name="groups">Blocked channel groups; both channel counts must be divisible by it.</param>
    /// <param name="bias">Whether the layer has a bias.</param>
    /// <param name="dilation">[dH, dW]; null means [1, 1].</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="generator">The generator of the initial values; null uses the default one.</param>
    public ConvTranspose2d(int inChannels, int outChannels, int[] kernelSize, int[]? stride = null, int[]? padding = null, int[]? outputPadding = null,
        int groups = 1, bool bias = true, int[]? dilation = null, DType dtype = DType.Float32, Generator? generator = null)
    {
        int[] k = Conv2d.Pair(kernelSize, "kernel_size");
        (_stride, _padding, _outputPadding, _dilation) = (stride is null ? [1, 1] : Conv2d.Pair(stride, "stride"), padding is null ? [0, 0] : Conv2d.Pair(padding, "padding"),
            outputPadding is null ? [0, 0] : Conv2d.Pair(outputPadding, "output_padding"), dilation is null ? [1, 1] : Conv2d.Pair(dilation, "dilation"));
        ConvTranspose1d.Validate("ConvTranspose2d", inChannels, outChannels, groups, k, _stride, _padding, _outputPadding, _dilation);
        (InChannels, OutChannels, KernelSize, _groups) = (inChannels, outChannels, k, groups);
        Weight = RegisterParameter("weight", Tensor.Zeros([inChannels, outChannels / groups, k[0], k[1]], dtype));
        double bound = 1 / Math.Sqrt(outChannels / groups * k[0] * k[1]);
        Init.Uniform(Weight, -bound, bound, generator);
        if (bias) Bias = Init.Uniform(RegisterParameter("bias", Tensor.Zeros([outChannels], dtype)), -bound, bound, generator);
    }

    /// <summary>Creates a layer with a square kernel and the same stride, padding, output padding and dilation along both dims.</summary>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1,
        bool bias = true, int dilation = 1, DType dtype = DType.Float32, Generator? generator = null)
        : this(inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding], [outputPadding, outputPadding], groups, bias,
            [dilation, dilation], dtype, generator) { }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel size [kH, kW].</summary>
    public IReadOnlyList<int> KernelSize { get; }

    /// <summary>The filters, [C_in, C_out/groups, kH, kW].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, [C_out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.ConvTranspose2d(input, Weight, Bias, _stride, _padding, _outputPadding, _groups, _dilation);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        ConvTranspose1d.Repr(InChannels, OutChannels, [KernelSize[0], KernelSize[1]], _stride, _padding, _dilation, _outputPadding, _groups, Bias is not null);
}
