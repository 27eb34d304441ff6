using Nabla.Kernels;

namespace Nabla;

// A 1-D pool is the 2-D pool of the same signal seen as an image of height 1 (kernel [1, k], stride [1, s], padding [0, p],
// dilation [1, d]): the height axis then has one window of one row, so the output sizes, the ceil-mode rule, the -inf
// padding of max pooling and the divisor of average pooling are exactly the 1-D ones, and both pools share the 2-D
// kernels and backward rules.

public static partial class Functional
{
    /// <summary>1-D max pooling, like <c>torch.nn.functional.max_pool1d</c>.</summary>
    /// <remarks>
    /// <c>out[n, c, i] = max_j x[n, c, i*stride - padding + j*dilation]</c> over the <c>kernelSize</c> taps inside the input (padding is -inf and never
    /// selected). <paramref name="input"/> is <c>[N, C, L]</c> (or <c>[C, L]</c>); the output length is
    /// <c>floor((L + 2*padding - dilation*(kernelSize-1) - 1)/stride) + 1</c>, or with <paramref name="ceilMode"/> the ceiling, reduced by one when
    /// the last window would start beyond <c>L + padding</c>. Padding may be at most half the kernel. The gradient flows to the selected element of
    /// each window (overlapping windows accumulate). Runs on the 2-D pooling kernels over a height of 1.
    /// </remarks>
    /// <param name="input">The signals, <c>[N, C, L]</c>.</param>
    /// <param name="kernelSize">Taps per window.</param>
    /// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>.</param>
    /// <param name="padding">-inf positions added on both sides, at most <c>kernelSize/2</c>.</param>
    /// <param name="dilation">Spacing between taps.</param>
    /// <param name="ceilMode">Round the output length up instead of down.</param>
    public static Tensor MaxPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        Window2d g = Pool1dWindow("max_pool1d", input, kernelSize, stride, padding, dilation, ceilMode);
        return Ops.Composite.Run("MaxPool1DBackward", input, input => Pool1d(input, x => MaxPoolOp(x, g)));
    }

    /// <summary>1-D average pooling, like <c>torch.nn.functional.avg_pool1d</c>.</summary>
    /// <remarks>
    /// Output length as for <see cref="MaxPool1d"/> (no dilation). For the window starting at <c>start = i*stride - padding</c>: the sum of the
    /// in-range elements of <c>[start, start + kernelSize)</c> divided by <c>min(start + kernelSize, L + padding) - start</c> when
    /// <paramref name="countIncludePad"/>, else by the number of in-range elements. Padding may be at most half the kernel.
    /// </remarks>
    /// <param name="input">The signals, <c>[N, C, L]</c> (or <c>[C, L]</c>).</param>
    /// <param name="kernelSize">Elements per window.</param>
    /// <param name="stride">Step between windows; null means <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zeros added on both sides, at most <c>kernelSize/2</c>.</param>
    /// <param name="ceilMode">Round the output length up instead of down.</param>
    /// <param name="countIncludePad">Count padding positions in the divisor.</param>
    public static Tensor AvgPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        Window2d g = Pool1dWindow("avg_pool1d", input, kernelSize, stride, padding, 1, ceilMode);
        return Ops.Composite.Run("AvgPool1DBackward", input, input => Pool1d(input, x => AvgPoolOp(x, g, countIncludePad)));
    }

    /// <summary>Runs a 2-D pool on <c>[N, C, 1, L]</c> (batching an unbatched input) and returns the result in the input's layout.</summary>
    private static Tensor Pool1d(Tensor input, Func<Tensor, Tensor> pool2d)
    {
        bool batched = input.Rank == 3;
        Tensor y = pool2d((batched ? input : input.Unsqueeze(0)).Unsqueeze(2)).Squeeze(2);
        return batched ? y : y.Squeeze(0);
    }

    /// <summary>Validates a 1-D pool's input and window and returns the window over a height of 1.</summary>
    private static Window2d Pool1dWindow(string op, Tensor input, int kernelSize, int? stride, int padding, int dilation, bool ceilMode)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 2 && input.Rank != 3)
            throw new ArgumentException($"{op}: expected input of rank 3 [N, C, L] (or 2 without the batch dimension), got shape {input.Shape}", nameof(input));
        Tensor.CheckFloat(input, op);
        int k = WindowParam(op, "kernel_size", [kernelSize], 1, 1)[0];
        int s = WindowParam(op, "stride", [stride ?? kernelSize], 1, 1)[0];
        int p = WindowParam(op, "padding", [padding], 1, 0)[0];
        int d = WindowParam(op, "dilation", [dilation], 1, 1)[0];
        if (p > k / 2)
            throw new ArgumentException($"{op}: padding should be at most half of kernel_size, got padding={p} and kernel_size={k} (input shape {input.Shape})", nameof(padding));
        int length = input.Dims[^1];
        int o = Window2d.OutputSize(length, k, s, p, d, ceilMode);
        if (o < 1)
            throw new ArgumentException(
                $"{op}: input of shape {input.Shape} is too small for kernel_size {k} with stride {s}, padding {p} and dilation {d}: the padded length {length + 2 * p} " +
                $"is smaller than the dilated kernel {d * (k - 1) + 1}, so the output length would be {o}", nameof(input));
        return new Window2d(1, k, 1, s, 0, p, 1, d, 1, length, 1, o);
    }
}
