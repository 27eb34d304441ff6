namespace Nabla;

// Note [Channel dropout ranks]
// Dropout1d and Dropout2d zero whole channels: one keep/drop draw per (sample, channel), broadcast over the spatial
// positions. The ranks follow PyTorch 1.13: dropout1d takes [N, C, L] or an unbatched [C, L] (whose channels are
// dim 0); dropout2d takes [N, C, H, W] and also 3-D input, which PyTorch 1.13 reads as [N, C, L] (channel-wise 1-D
// dropout), not as an unbatched [C, H, W]. PyTorch warns about that 3-D reading and about other ranks; a library that
// never prints keeps the 3-D reading without a warning (it is what PyTorch computes, and what ported code expects) and
// turns the ranks PyTorch deprecates (2-D, 5-D and more, where it announces an error) into that error now.

public static partial class Functional
{
    /// <summary>Channel-wise dropout for 1-D signals, like <c>torch.nn.functional.dropout1d</c>.</summary>
    /// <remarks>
    /// In training, each channel of each sample is zeroed as a whole with probability <paramref name="p"/> and the kept ones are scaled by
    /// <c>1/(1-p)</c> (all zeros when <c>p = 1</c>); otherwise the input is returned unchanged. <paramref name="input"/> is <c>[N, C, L]</c>, or
    /// <c>[C, L]</c> without the batch dimension (then the C channels are dropped). See Note [Channel dropout ranks].
    /// </remarks>
    /// <param name="input">The signals, <c>[N, C, L]</c> or <c>[C, L]</c>.</param>
    /// <param name="p">Probability of dropping a channel, in [0, 1].</param>
    /// <param name="training">Apply dropout (true) or return the input (false).</param>
    /// <param name="generator">The random generator; null uses the default one.</param>
    public static Tensor Dropout1d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        const string op = "dropout1d";
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (2 or 3))
            throw new ArgumentException(
                $"{op}: expected input of rank 3 [N, C, L] or 2 [C, L] (channel-wise dropout of 1-D signals), got shape {input.Shape}; use Dropout for element-wise dropout",
                nameof(input));
        return FeatureDropout(op, input, p, training, generator, leadingDims: input.Rank - 1);
    }

    /// <summary>Channel-wise dropout for images, like <c>torch.nn.functional.dropout2d</c>.</summary>
    /// <remarks>
    /// In training, each channel of each sample is zeroed as a whole with probability <paramref name="p"/> and the kept ones are scaled by
    /// <c>1/(1-p)</c> (all zeros when <c>p = 1</c>); otherwise the input is returned unchanged. <paramref name="input"/> is <c>[N, C, H, W]</c>;
    /// a 3-D input is read as <c>[N, C, L]</c>, as PyTorch 1.13 does (Note [Channel dropout ranks]).
    /// </remarks>
    /// <param name="input">The images, <c>[N, C, H, W]</c> (or <c>[N, C, L]</c>).</param>
    /// <param name="p">Probability of dropping a channel, in [0, 1].</param>
    /// <param name="training">Apply dropout (true) or return the input (false).</param>
    /// <param name="generator">The random generator; null uses the default one.</param>
    public static Tensor Dropout2d(Tensor input, double p = 0.5, bool training = true, Generator? generator = null)
    {
        const string op = "dropout2d";
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is not (3 or 4))
            throw new ArgumentException(
                $"{op}: expected input of rank 4 [N, C, H, W] (or 3, read as [N, C, L] as PyTorch 1.13 does), got shape {input.Shape}; use Dropout for element-wise dropout",
                nameof(input));
        return FeatureDropout(op, input, p, training, generator, leadingDims: 2);
    }

    /// <summary>Drops whole slices: one draw per index of the first <paramref name="leadingDims"/> dims, broadcast over the rest.</summary>
    private static Tensor FeatureDropout(string op, Tensor input, double p, bool training, Generator? generator, int leadingDims)
    {
        CheckDropoutProbability(op, p);
        Tensor.CheckFloat(input, op);
        if (!training || p == 0) return input;
        int[] maskShape = new int[input.Rank];
        for (int d = 0; d < maskShape.Length; d++) maskShape[d] = d < leadingDims ? input.Dims[d] : 1;
        // NOTE: p = 1 drops everything; the general form would multiply the zeros by 1/(1-p) = inf and give NaN.
        Tensor scale = p == 1
            ? Tensor.Zeros(maskShape, input.DType)
            : Tensor.Rand(maskShape, input.DType, generator).Ge(p).To(input.DType) * (1.0 / (1 - p));
        return input * scale;
    }
}
