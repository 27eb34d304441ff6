namespace Nabla.NN;

/// <summary>2-D max pooling (stride defaults to the kernel size).</summary>
public sealed class MaxPool2d(int[] kernelSize, int[]? stride = null, int[]? padding = null, int[]? dilation = null, bool ceilMode = false) : Module
{
    private readonly int[] _k = Conv2d.Pair(kernelSize, "kernel_size");

    /// <summary>Square-window max pooling, every size given as one number (PyTorch's <c>nn.MaxPool2d(2)</c>); the stride defaults to the kernel size.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        : this([kernelSize], stride is { } s ? [s] : null, [padding], [dilation], ceilMode) { }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) =>
        Functional.MaxPool2d(input, _k, stride is null ? null : Conv2d.Pair(stride, "stride"), padding is null ? null : Conv2d.Pair(padding, "padding"),
            dilation is null ? null : Conv2d.Pair(dilation, "dilation"), ceilMode);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={PyRepr.IntOrTuple(kernelSize)}, stride={PyRepr.IntOrTuple(stride ?? kernelSize)}, padding={PyRepr.IntOrTuple(padding ?? [0])}, " +
        $"dilation={PyRepr.IntOrTuple(dilation ?? [1])}, ceil_mode={PyRepr.Bool(ceilMode)}";
}

/// <summary>2-D average pooling (stride defaults to the kernel size).</summary>
public sealed class AvgPool2d(int[] kernelSize, int[]? stride = null, int[]? padding = null, bool ceilMode = false, bool countIncludePad = true) : Module
{
    private readonly int[] _k = Conv2d.Pair(kernelSize, "kernel_size");

    /// <summary>Square-window average pooling, every size given as one number (PyTorch's <c>nn.AvgPool2d(2)</c>); the stride defaults to the kernel size.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
        : this([kernelSize], stride is { } s ? [s] : null, [padding], ceilMode, countIncludePad) { }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) =>
        Functional.AvgPool2d(input, _k, stride is null ? null : Conv2d.Pair(stride, "stride"), padding is null ? null : Conv2d.Pair(padding, "padding"),
            ceilMode, countIncludePad);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={PyRepr.IntOrTuple(kernelSize)}, stride={PyRepr.IntOrTuple(stride ?? kernelSize)}, padding={PyRepr.IntOrTuple(padding ?? [0])}";
}

/// <summary>Average pooling to a fixed output size [OH, OW].</summary>
public sealed class AdaptiveAvgPool2d(int[] outputSize) : Module
{
    private readonly int[] _size = Conv2d.Pair(outputSize, "output_size");

    /// <summary>Average pooling to a square output size given as one number (PyTorch's <c>nn.AdaptiveAvgPool2d(1)</c>).</summary>
    public AdaptiveAvgPool2d(int outputSize) : this([outputSize, outputSize]) { }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.AdaptiveAvgPool2d(input, _size);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"output_size={PyRepr.IntOrTuple(outputSize)}";
}
