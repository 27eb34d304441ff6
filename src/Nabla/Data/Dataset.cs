namespace Nabla.Data;

/// <summary>
/// A collection of samples that can be read by index: PyTorch's map-style <c>Dataset</c>. Each sample is a
/// pair of a feature tensor and a label tensor.
/// </summary>
/// <remarks>
/// Subclasses implement <see cref="Count"/> and <see cref="GetItem"/> (PyTorch's <c>__len__</c> and <c>__getitem__</c>); <see cref="DataLoader"/> reads whole
/// batches through <see cref="GetBatch"/>, which the default implementation builds by stacking samples and
/// which <see cref="TensorDataset"/> overrides with a row gather. A dataset is read from the loader's
/// background thread, so reading must not depend on mutable shared state.
/// </remarks>
public abstract class Dataset
{
    /// <summary>The number of samples (PyTorch's <c>len(dataset)</c>).</summary>
    public abstract int Count { get; }

    /// <summary>The sample at <paramref name="index"/>: features and label without a batch dimension.</summary>
    public abstract (Tensor Features, Tensor Label) GetItem(int index);

    /// <summary>The sample at <paramref name="index"/>; the same as <see cref="GetItem"/>.</summary>
    public (Tensor Features, Tensor Label) this[int index] => GetItem(index);

    /// <summary>
    /// The samples at <paramref name="indices"/> stacked along a new first (batch) dimension, in fresh contiguous tensors.
    /// </summary>
    /// <remarks>
    /// Features of shape <c>[...]</c> become <c>[B, ...]</c> and labels <c>[...]</c> become <c>[B, ...]</c>, where
    /// <c>B = indices.Length</c>. Every sample must have the same shapes and dtypes.
    /// </remarks>
    public virtual (Tensor Features, Tensor Labels) GetBatch(ReadOnlySpan<int> indices)
    {
        if (indices.IsEmpty)
            throw new ArgumentException($"{GetType().Name}.GetBatch: a batch needs at least one index", nameof(indices));
        var samples = new (Tensor Features, Tensor Label)[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            CheckIndex(indices[i]);
            samples[i] = GetItem(indices[i]);
        }
        return (Stack(samples, static s => s.Features, "features"), Stack(samples, static s => s.Label, "labels"));
    }

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the index and the dataset size unless 0 &lt;= index &lt; Count.</summary>
    protected void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
            throw new ArgumentOutOfRangeException(nameof(index), $"{GetType().Name}: index {index} is out of range for a dataset of {Count} samples");
    }

    private Tensor Stack((Tensor Features, Tensor Label)[] samples, Func<(Tensor Features, Tensor Label), Tensor> part, string what)
    {
        Tensor first = part(samples[0]);
        int[] dims = new int[first.Rank + 1];
        dims[0] = samples.Length;
        first.Dims.CopyTo(dims, 1);
        var batch = Tensor.Empty(first.DType, dims);
        int row = checked((int)first.Numel);
        for (int i = 0; i < samples.Length; i++)
        {
            Tensor t = part(samples[i]);
            if (t.DType != first.DType || !t.Dims.AsSpan().SequenceEqual(first.Dims))
                throw new InvalidOperationException(
                    $"{GetType().Name}: cannot batch {what}: sample {i} is {t.DType.Name()} {Shape.Format(t.Dims)} but sample 0 is {first.DType.Name()} {Shape.Format(first.Dims)}");
            t.CopyInto(new Tensor(batch.Storage, (int[])first.Dims.Clone(), Kernels.Strided.ContiguousStrides(first.Dims), i * row));
        }
        return batch;
    }
}
