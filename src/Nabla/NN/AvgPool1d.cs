namespace Nabla.NN;

/// <summary>1-D average pooling over [N, C, L] (PyTorch's <c>nn.AvgPool1d</c>; stride defaults to the kernel size). See <see cref="Functional.AvgPool1d"/>.</summary>
/// <param name="kernelSize">Elements per window.</param>
/// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>.</param>
/// <param name="padding">Zeros on both sides, at most half the kernel.</param>
/// <param name="ceilMode">Round the output length up instead of down.</param>
/// <param name="countIncludePad">Count padding positions in the divisor.</param>
public sealed class AvgPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.AvgPool1d(input, kernelSize, stride, padding, ceilMode, countIncludePad);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"kernel_size={PyRepr.Tuple(kernelSize)}, stride={PyRepr.Tuple(stride ?? kernelSize)}, padding={PyRepr.Tuple(padding)}";
}
