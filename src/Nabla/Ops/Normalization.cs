namespace Nabla;

// Normalization layers are exact compositions of differentiable ops (mean, sub, mul, sqrt, div), so the
// gradient through the batch or layer statistics, and second derivatives, come from the ops' own rules.

public static partial class Functional
{
    /// <summary>Batch normalization over every dimension except the channel dimension 1.</summary>
    /// <remarks>
    /// <paramref name="input"/> is <c>[N, C]</c>, <c>[N, C, L]</c> or <c>[N, C, H, W]</c> (any rank of at least 2);
    /// <paramref name="runningMean"/>, <paramref name="runningVar"/>, <paramref name="weight"/> and <paramref name="bias"/> are <c>[C]</c>.
    /// <para>
    /// Training: per channel, <c>mean</c> and the biased <c>var</c> over the <c>n = numel/C</c> values, then
    /// <c>y = (x - mean)/sqrt(var + eps)*weight + bias</c>, with gradients through <c>mean</c> and <c>var</c>.
    /// The running buffers (when given) are updated in place, unrecorded:
    /// <c>running_mean = momentum*mean + (1 - momentum)*running_mean</c>,
    /// <c>running_var = momentum*var*n/(n - 1) + (1 - momentum)*running_var</c> (unbiased variance).
    /// </para>
    /// <para>Evaluation: <c>y = (x - running_mean)/sqrt(running_var + eps)*weight + bias</c>; buffers unchanged.</para>
    /// </remarks>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        if (Autocast.IsEnabled) (input, weight, bias) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(weight), Autocast.Float32Optional(bias)); // Note [Autocast policy]
        const string op = "batch_norm";
        ArgumentNullException.ThrowIfNull(input);
        Tensor.CheckFloat(input, op);
        if (Ops.HalfCompute.Applies(input, weight, bias)) // See Note [Half compute]
            return Ops.HalfCompute.Run(input, weight, bias, (x, w, b) => BatchNorm(x, runningMean, runningVar, w, b, training, momentum, eps));
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: expected input of shape [N, C], [N, C, L] or [N, C, H, W], got shape {input.Shape}");
        int channels = input.Dims[1];
        CheckChannelVector(op, "running_mean", runningMean, input, channels);
        CheckChannelVector(op, "running_var", runningVar, input, channels);
        CheckChannelVector(op, "weight", weight, input, channels);
        CheckChannelVector(op, "bias", bias, input, channels);
        if (eps < 0) throw new ArgumentException($"{op}: eps must be non-negative, got {eps}");

        int rank = input.Rank;
        int[] statShape = new int[rank];
        Array.Fill(statShape, 1);
        statShape[1] = channels;
        int[] reduceDims = new int[rank - 1];
        long n = 1;
        for (int d = 0, k = 0; d < rank; d++)
        {
            if (d == 1) continue;
            reduceDims[k++] = d;
            n *= input.Dims[d];
        }

        // One node over the statistics and the affine map (Note [Composite ops]), PyTorch's NativeBatchNormBackward.
        return Ops.Composite.Run("NativeBatchNormBackward", [input, weight, bias], a => BatchNormCore(a[0]!, a[1], a[2]));

        Tensor BatchNormCore(Tensor input, Tensor? weight, Tensor? bias)
        {
            Tensor y;
            if (training)
            {
                if (n <= 1)
                    throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input of shape {input.Shape}");
                Tensor mean = input.Mean(reduceDims, keepDim: true);
                Tensor centered = input - mean;
                Tensor sumOfSquares = (centered * centered).Sum(reduceDims, keepDim: true);
                Tensor variance = sumOfSquares / n;
                y = centered / (variance + eps).Sqrt();
                using (Autograd.NoGrad())
                {
                    runningMean?.CopyFrom(mean.Reshape(channels) * momentum + runningMean * (1 - momentum));
                    runningVar?.CopyFrom(sumOfSquares.Reshape(channels) / (n - 1) * momentum + runningVar * (1 - momentum));
                }
            }
            else
            {
                if (runningMean is null || runningVar is null)
                    throw new ArgumentException($"{op}: running_mean and running_var must be given in evaluation mode (training: false)");
                y = (input - runningMean.Reshape(statShape)) / (runningVar.Reshape(statShape) + eps).Sqrt();
            }
            if (weight is not null) y *= weight.Reshape(statShape);
            if (bias is not null) y += bias.Reshape(statShape);
            return y;
        }
    }

    /// <summary>Layer normalization over the trailing <paramref name="normalizedShape"/> dimensions.</summary>
    /// <remarks>
    /// <c>y = (x - mean)/sqrt(var + eps)*weight + bias</c>, with <c>mean</c> and the biased <c>var</c> taken over the
    /// trailing dims of <paramref name="input"/> that equal <paramref name="normalizedShape"/>; <paramref name="weight"/> and
    /// <paramref name="bias"/> (each optional, independently) have shape <paramref name="normalizedShape"/> and broadcast over the leading dims.
    /// </remarks>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        if (Autocast.IsEnabled) (input, weight, bias) = (Autocast.Float32Optional(input)!, Autocast.Float32Optional(weight), Autocast.Float32Optional(bias)); // Note [Autocast policy]
        const string op = "layer_norm";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(normalizedShape);
        Tensor.CheckFloat(input, op);
        int k = normalizedShape.Length, rank = input.Rank;
        if (k > rank || !input.Dims.AsSpan(rank - k).SequenceEqual(normalizedShape))
            throw new ArgumentException(
                $"{op}: normalized_shape {Shape.Format(normalizedShape)} must equal the trailing dimensions of input, got input of shape {input.Shape}");
        foreach (var (name, t) in new[] { ("weight", weight), ("bias", bias) })
        {
            if (t is null) continue;
            if (!t.Dims.AsSpan().SequenceEqual(normalizedShape))
                throw new ArgumentException($"{op}: {name} has shape {t.Shape} but normalized_shape is {Shape.Format(normalizedShape)}; they must be equal");
            Tensor.CheckSameDType(input, t, op);
        }
        if (eps < 0) throw new ArgumentException($"{op}: eps must be non-negative, got {eps}");

        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = rank - k + i;
        // One kernel and one node, PyTorch's NativeLayerNormBackward (Note [Fused layer norm]); an empty input takes the
        // composite (Note [Composite ops]).
        if (input.Numel > 0) return Ops.NativeLayerNormBackward.Forward(input, dims, weight, bias, eps);
        return Ops.Composite.Run("NativeLayerNormBackward", [input, weight, bias], a =>
        {
            Tensor x = a[0]!;
            Tensor mean = x.Mean(dims, keepDim: true);
            Tensor centered = x - mean;
            Tensor variance = (centered * centered).Mean(dims, keepDim: true);
            Tensor y = centered / (variance + eps).Sqrt();
            if (a[1] is { } w) y *= w;
            if (a[2] is { } b) y += b;
            return y;
        });
    }

    private static void CheckChannelVector(string op, string name, Tensor? t, Tensor input, int channels)
    {
        if (t is null) return;
        if (t.Rank != 1 || t.Dims[0] != channels)
            throw new ArgumentException($"{op}: {name} has shape {t.Shape} but input of shape {input.Shape} has {channels} channels; expected [{channels}]");
        if (t.DType != input.DType)
            throw new ArgumentException($"{op}: {name} has dtype {t.DType.Name()} but input has dtype {input.DType.Name()}; they must match");
    }
}
