namespace Nabla.Data;

/// <summary>
/// An in-memory dataset whose sample <c>i</c> is row <c>i</c> of a feature tensor and of a label tensor
/// (PyTorch's <c>TensorDataset</c>), with an optional transform applied to each batch of features.
/// </summary>
/// <remarks>
/// Features are <c>[N, ...]</c> (float32 for the built-in datasets) and labels <c>[N]</c> (int64 class indices or
/// float targets) or <c>[N, ...]</c>. Batches are gathered row by row with span copies into fresh contiguous tensors.
/// The dataset shares storage with the tensors it was built from when they are contiguous; it never writes to them.
/// </remarks>
public class TensorDataset : Dataset
{
    private readonly Tensor _features;
    private readonly Tensor _labels;

    /// <summary>Creates a dataset from features <c>[N, ...]</c> and labels <c>[N, ...]</c> that agree on N.</summary>
    /// <param name="features">Sample features, first dimension N.</param>
    /// <param name="labels">Sample labels, first dimension N.</param>
    /// <param name="transform">Applied to every batch of features after gathering (see <see cref="Transform"/>), or null.</param>
    public TensorDataset(Tensor features, Tensor labels, Func<Tensor, Tensor>? transform = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Rank == 0)
            throw new ArgumentException("TensorDataset: features must have a sample dimension, got a 0-d tensor", nameof(features));
        if (labels.Rank == 0)
            throw new ArgumentException("TensorDataset: labels must have a sample dimension, got a 0-d tensor", nameof(labels));
        if (features.Dims[0] != labels.Dims[0])
            throw new ArgumentException(
                $"TensorDataset: features {Shape.Format(features.Dims)} and labels {Shape.Format(labels.Dims)} disagree on the number of samples ({features.Dims[0]} vs {labels.Dims[0]})",
                nameof(labels));
        _features = features.Detach().ContiguousData();
        _labels = labels.Detach().ContiguousData();
        Transform = transform;
    }

    /// <summary>The feature tensor <c>[N, ...]</c>, before any transform.</summary>
    public Tensor Features => _features;

    /// <summary>The label tensor <c>[N, ...]</c>.</summary>
    public Tensor Labels => _labels;

    /// <summary>
    /// A function applied to each gathered batch of features <c>[B, ...]</c> (by <see cref="GetBatch"/>, and so by
    /// <see cref="DataLoader"/>), or null. <see cref="GetItem"/> applies it to a batch of one.
    /// </summary>
    /// <remarks>The batch it receives is a fresh tensor that it may modify or replace; it runs on the loader's prefetch thread.</remarks>
    public Func<Tensor, Tensor>? Transform { get; }

    /// <inheritdoc/>
    public override int Count => _features.Dims[0];

    /// <inheritdoc/>
    public override (Tensor Features, Tensor Label) GetItem(int index)
    {
        CheckIndex(index);
        var (x, y) = GetBatch([index]);
        return (x.Select(0, 0), y.Select(0, 0));
    }

    /// <inheritdoc/>
    public override (Tensor Features, Tensor Labels) GetBatch(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
            throw new ArgumentException("TensorDataset.GetBatch: a batch needs at least one index", nameof(indices));
        foreach (int i in indices) CheckIndex(i);
        Tensor x = Gather(_features, indices);
        Tensor y = Gather(_labels, indices);
        if (Transform is not null)
            x = Transform(x) ?? throw new InvalidOperationException("TensorDataset: the transform returned null");
        return (x, y);
    }

    /// <summary>A new dataset holding copies of the samples at <paramref name="indices"/>, in that order, with the same transform.</summary>
    public TensorDataset Subset(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices) CheckIndex(i);
        return new TensorDataset(Gather(_features, indices), Gather(_labels, indices), Transform);
    }

    /// <summary>
    /// Splits the samples at random into a training part holding <c>round(fraction * Count)</c> samples and a
    /// validation part holding the rest.
    /// </summary>
    /// <param name="fraction">The share of samples that go to the training part, in [0, 1].</param>
    /// <param name="generator">The source of the random permutation (default <see cref="Generator.Default"/>); the same seed gives the same split.</param>
    public (TensorDataset Train, TensorDataset Validation) Split(double fraction, Generator? generator = null)
    {
        if (!(fraction >= 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), $"TensorDataset.Split: fraction must be in [0, 1], got {fraction}");
        int[] order = new int[Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        (generator ?? Generator.Default).Shuffle(order.AsSpan());
        int trainCount = (int)Math.Round(fraction * Count, MidpointRounding.AwayFromZero);
        return (Subset(order.AsSpan(0, trainCount)), Subset(order.AsSpan(trainCount)));
    }

    /// <summary>A dataset over the same samples whose batches also go through <paramref name="transform"/>, after the current transform if any.</summary>
    public TensorDataset WithTransform(Func<Tensor, Tensor> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        Func<Tensor, Tensor>? current = Transform;
        return new TensorDataset(_features, _labels, current is null ? transform : x => transform(current(x)));
    }

    /// <summary>Copies rows <paramref name="indices"/> of contiguous <paramref name="source"/> into a fresh contiguous tensor.</summary>
    internal static Tensor Gather(Tensor source, ReadOnlySpan<int> indices)
    {
        int[] dims = (int[])source.Dims.Clone();
        dims[0] = indices.Length;
        var result = Tensor.Empty(source.DType, dims);
        int row = source.Dims[0] == 0 ? 0 : checked((int)(source.Numel / source.Dims[0]));
        switch (source.DType)
        {
            case DType.Float32: GatherRows<float>(source.Span<float>(), indices, row, result.Span<float>()); break;
            case DType.Float64: GatherRows<double>(source.Span<double>(), indices, row, result.Span<double>()); break;
            case DType.Int64: GatherRows<long>(source.Span<long>(), indices, row, result.Span<long>()); break;
            default: GatherRows<bool>(source.Span<bool>(), indices, row, result.Span<bool>()); break;
        }
        return result;
    }

    private static void GatherRows<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> indices, int row, Span<T> destination)
    {
        for (int i = 0; i < indices.Length; i++)
            source.Slice(indices[i] * row, row).CopyTo(destination.Slice(i * row, row));
    }
}
