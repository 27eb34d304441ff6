namespace Nabla;

public static partial class Functional
{
    /// <summary>Group normalization, like <c>torch.nn.functional.group_norm</c>: normalizes blocks of channels per sample.</summary>
    /// <remarks>
    /// <paramref name="input"/> is <c>[N, C, *]</c> (any number of trailing dims, also none). Channels are split into <paramref name="numGroups"/>
    /// consecutive blocks of <c>C/G</c>; for each sample and block, <c>mean</c> and the biased <c>var</c> over the block's channels and all trailing
    /// positions give <c>y = (x - mean)/sqrt(var + eps)*weight[c] + bias[c]</c>. <paramref name="weight"/> and <paramref name="bias"/> (<c>[C]</c>)
    /// are independently optional. Like the other normalizations it is a composition of differentiable ops, so its gradients (through the
    /// statistics) and second derivatives come from theirs.
    /// </remarks>
    /// <param name="input">The activations, <c>[N, C, *]</c>.</param>
    /// <param name="numGroups">The number of channel groups G; it must divide C.</param>
    /// <param name="weight">Optional per-channel scale, <c>[C]</c>.</param>
    /// <param name="bias">Optional per-channel shift, <c>[C]</c>.</param>
    /// <param name="eps">Added to the variance, non-negative.</param>
    public static Tensor GroupNorm(Tensor input, int numGroups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        if (Autocast.IsEnabled) (input, weight, bias) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(weight), Autocast.Float32Optional(bias)); // Note [Autocast policy]
        const string op = "group_norm";
        ArgumentNullException.ThrowIfNull(input);
        Tensor.CheckFloat(input, op);
        if (Ops.HalfCompute.Applies(input, weight, bias)) // See Note [Half compute]
            return Ops.HalfCompute.Run(input, weight, bias, (x, w, b) => GroupNorm(x, numGroups, w, b, eps));
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: expected input of shape [N, C, *] (rank 2 or more), got shape {input.Shape}", nameof(input));
        int n = input.Dims[0], channels = input.Dims[1];
        if (numGroups < 1 || channels % numGroups != 0)
            throw new ArgumentException(
                $"{op}: expected the number of channels of input to be divisible by num_groups, got input of shape {input.Shape} ({channels} channels) and num_groups={numGroups}",
                nameof(numGroups));
        CheckChannelVector(op, "weight", weight, input, channels);
        CheckChannelVector(op, "bias", bias, input, channels);
        if (!(eps >= 0)) throw new ArgumentException($"{op}: eps must be non-negative, got {eps}", nameof(eps));

        long perGroup = input.Numel / Math.Max(1L, (long)n * numGroups);
        return Ops.Composite.Run("NativeGroupNormBackward", [input, weight, bias], a =>
        {
            var (input, weight, bias) = (a[0]!, a[1], a[2]);
            Tensor x = input.Reshape(n, numGroups, (int)perGroup);
            Tensor mean = x.Mean(2, keepDim: true);
            Tensor centered = x - mean;
            Tensor variance = (centered * centered).Mean(2, keepDim: true);
            Tensor y = (centered / (variance + eps).Sqrt()).Reshape(input.Dims);
            if (weight is null && bias is null) return y;
            int[] channelShape = new int[input.Rank];
            Array.Fill(channelShape, 1);
            channelShape[1] = channels;
            if (weight is not null) y *= weight.Reshape(channelShape);
            if (bias is not null) y += bias.Reshape(channelShape);
            return y;
        });
    }
}
