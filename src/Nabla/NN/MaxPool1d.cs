namespace Nabla.NN;

/// <summary>1-D max pooling over [N, C, L] (PyTorch's <c>nn.MaxPool1d</c>; stride defaults to the kernel size). See <see cref="Functional.MaxPool1d"/>.</summary>
/// <param name="kernelSize">Taps per window.</param>
/// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>.</param>
/// <param name="padding">-inf positions on both sides, at most half the kernel.</param>
/// <param name="dilation">Spacing between taps.</param>
/// <param name="ceilMode">Round the output length up instead of down.</param>
public sealed class MaxPool1d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.MaxPool1d(input, kernelSize, stride, padding, dilation, ceilMode);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"kernel_size={kernelSize}, stride={stride ?? kernelSize}, padding={padding}, dilation={dilation}, ceil_mode={PyRepr.Bool(ceilMode)}";
}
