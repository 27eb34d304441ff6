namespace Nabla.Data;

/// <summary>
/// Standardises a batch: <c>(x - mean) / std</c>, with one mean and std for everything or one per channel
/// (torchvision's <c>transforms.Normalize</c>).
/// </summary>
/// <remarks>
/// With one value, every element is normalised alike. With C values, the batch must be <c>[B, C, ...]</c> and
/// channel c (dimension 1) uses <c>mean[c]</c> and <c>std[c]</c>; a flat batch <c>[B, F]</c> is normalised per feature
/// when C = F. The result is a new tensor of the batch's dtype (float32 or float64); the input is not modified.
/// Use it as a dataset transform: <c>dataset.WithTransform(new Normalize(0.2860, 0.3530).Apply)</c>.
/// </remarks>
public sealed class Normalize
{
    private readonly double[] _mean;
    private readonly double[] _std;

    /// <summary>Normalises every element with the same <paramref name="mean"/> and <paramref name="std"/>.</summary>
    public Normalize(double mean, double std) : this([mean], [std]) { }

    /// <summary>Normalises channel c (dimension 1 of the batch) with <c>mean[c]</c> and <c>std[c]</c>.</summary>
    public Normalize(double[] mean, double[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize: mean and std need the same, non-zero number of values, got {mean.Length} and {std.Length}", nameof(std));
        foreach (double s in std)
        {
            if (!(s > 0) || double.IsInfinity(s))
                throw new ArgumentException($"Normalize: every std must be positive and finite, got {s}", nameof(std));
        }
        _mean = (double[])mean.Clone();
        _std = (double[])std.Clone();
    }

    /// <summary>The per-channel means (one value when shared by all channels).</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>The per-channel standard deviations (one value when shared by all channels).</summary>
    public IReadOnlyList<double> Std => _std;

    /// <summary>Returns <c>(batch - mean) / std</c> as a new tensor.</summary>
    public Tensor Apply(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Tensor.CheckFloat(batch, "Normalize");
        if (batch.DType.IsHalf()) return Apply(batch.To(DType.Float32)).To(batch.DType); // See Note [Half compute]
        int channels = _mean.Length;
        int outer = 1, inner;
        if (channels == 1)
        {
            inner = checked((int)batch.Numel);
        }
        else
        {
            if (batch.Rank < 2 || batch.Dims[1] != channels)
                throw new ArgumentException(
                    $"Normalize: has {channels} channel values, so the batch must be [B, {channels}, ...], got {Shape.Format(batch.Dims)}", nameof(batch));
            outer = batch.Dims[0];
            inner = batch.Dims[0] == 0 ? 0 : checked((int)(batch.Numel / ((long)outer * channels)));
        }
        Tensor source = batch.Detach().ContiguousData();
        var result = Tensor.Empty(batch.DType, (int[])batch.Dims.Clone());
        if (batch.DType == DType.Float32) Run(source.Span<float>(), result.Span<float>(), outer, channels, inner);
        else Run(source.Span<double>(), result.Span<double>(), outer, channels, inner);
        return result;
    }

    private void Run<T>(ReadOnlySpan<T> source, Span<T> destination, int outer, int channels, int inner)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        for (int b = 0; b < outer; b++)
        {
            for (int c = 0; c < channels; c++)
            {
                int start = (b * channels + c) * inner;
                T mean = T.CreateChecked(_mean[c]);
                T std = T.CreateChecked(_std[c]);
                System.Numerics.Tensors.TensorPrimitives.Subtract(source.Slice(start, inner), mean, destination.Slice(start, inner));
                System.Numerics.Tensors.TensorPrimitives.Divide(destination.Slice(start, inner), std, destination.Slice(start, inner));
            }
        }
    }
}
