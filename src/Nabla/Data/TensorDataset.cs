using System.Numerics.Tensors;

namespace Nabla.Data;

/// <summary>
/// An in-memory dataset whose sample <c>i</c> is row <c>i</c> of a feature tensor and of a label tensor
/// (PyTorch's <c>TensorDataset</c>), with an optional transform applied to each batch of features.
/// </summary>
/// <remarks>
/// <para>Features are <c>[N, ...]</c> (float32 for the built-in datasets) and labels <c>[N]</c> (int64 class indices or
/// float targets) or <c>[N, ...]</c>. Batches are gathered row by row with span copies into fresh contiguous tensors.
/// The dataset shares storage with the tensors it was built from when they are contiguous; it never writes to them.</para>
/// <para>A dataset made by <see cref="FromBytes"/> keeps its features as bytes (as torchvision keeps MNIST's
/// images as uint8) and converts only the gathered rows of each batch to float32, which holds a quarter of the
/// memory; batches, <see cref="Subset"/>, <see cref="Split"/> and transforms behave exactly as for the converted tensor.</para>
/// </remarks>
public class TensorDataset : Dataset
{
    private readonly Tensor? _features;
    private readonly ByteFeatures? _bytes;
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
        CheckLabels(features.Dims, labels);
        _features = features.Detach().ContiguousData();
        _labels = labels.Detach().ContiguousData();
        Transform = transform;
    }

    private TensorDataset(ByteFeatures bytes, Tensor labels, Func<Tensor, Tensor>? transform)
    {
        CheckLabels(bytes.Dims, labels);
        _bytes = bytes;
        _labels = labels.Detach().ContiguousData();
        Transform = transform;
    }

    /// <summary>
    /// A dataset whose float32 features are <c>values[k] / divisor</c>, stored as the bytes <paramref name="values"/>
    /// (row-major, of shape <paramref name="shape"/> = <c>[N, ...]</c>) and converted per batch.
    /// </summary>
    /// <remarks>
    /// Each feature is computed as <c>(float)value / divisor</c> in float32, the same rounding as converting the whole
    /// array up front (and as PyTorch's <c>uint8_tensor.float() / 255</c>). <see cref="Features"/> converts all rows
    /// on each call. The dataset keeps <paramref name="values"/> without copying and never writes to it.
    /// </remarks>
    /// <param name="values">The features as bytes, <c>N * (product of the other dims)</c> of them (a <c>byte[]</c> converts implicitly).</param>
    /// <param name="shape">The feature shape <c>[N, ...]</c>, at least 1-D.</param>
    /// <param name="labels">Sample labels, first dimension N.</param>
    /// <param name="divisor">The number each byte is divided by (255 maps bytes to [0, 1]); finite and non-zero.</param>
    /// <param name="transform">Applied to every batch of float32 features after conversion, or null.</param>
    public static TensorDataset FromBytes(ReadOnlyMemory<byte> values, int[] shape, Tensor labels, float divisor = 255f, Func<Tensor, Tensor>? transform = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(labels);
        if (shape.Length == 0)
            throw new ArgumentException("TensorDataset.FromBytes: shape must have a sample dimension, got []", nameof(shape));
        long numel = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"TensorDataset.FromBytes: shape {Shape.Format(shape)} has a negative dimension", nameof(shape));
            numel *= d;
        }
        if (numel != values.Length)
            throw new ArgumentException(
                $"TensorDataset.FromBytes: shape {Shape.Format(shape)} needs {numel} values but got {values.Length}", nameof(values));
        if (!float.IsFinite(divisor) || divisor == 0)
            throw new ArgumentException($"TensorDataset.FromBytes: divisor must be finite and non-zero, got {divisor}", nameof(divisor));
        return new TensorDataset(new ByteFeatures(values, (int[])shape.Clone(), divisor), labels, transform);
    }

    private static void CheckLabels(int[] featureDims, Tensor labels)
    {
        if (labels.Rank == 0)
            throw new ArgumentException("TensorDataset: labels must have a sample dimension, got a 0-d tensor", nameof(labels));
        if (featureDims[0] != labels.Dims[0])
            throw new ArgumentException(
                $"TensorDataset: features {Shape.Format(featureDims)} and labels {Shape.Format(labels.Dims)} disagree on the number of samples ({featureDims[0]} vs {labels.Dims[0]})",
                nameof(labels));
    }

    /// <summary>The feature tensor <c>[N, ...]</c>, before any transform.</summary>
    /// <remarks>For a dataset made by <see cref="FromBytes"/>, a fresh float32 tensor converted from the bytes on each call.</remarks>
    public Tensor Features => _features ?? _bytes!.All();

    /// <summary>The label tensor <c>[N, ...]</c>.</summary>
    public Tensor Labels => _labels;

    /// <summary>
    /// A function applied to each gathered batch of features <c>[B, ...]</c> (by <see cref="GetBatch"/>, and so by
    /// <see cref="DataLoader"/>), or null. <see cref="GetItem"/> applies it to a batch of one.
    /// </summary>
    /// <remarks>The batch it receives is a fresh tensor that it may modify or replace; it runs on the loader's prefetch thread.</remarks>
    public Func<Tensor, Tensor>? Transform { get; }

    /// <inheritdoc/>
    public override int Count => _features?.Dims[0] ?? _bytes!.Dims[0];

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
        Tensor x = _features is null ? _bytes!.Gather(indices) : Gather(_features, indices);
        Tensor y = Gather(_labels, indices);
        if (Transform is not null)
            x = Transform(x) ?? throw new InvalidOperationException("TensorDataset: the transform returned null");
        return (x, y);
    }

    /// <summary>A new dataset holding copies of the samples at <paramref name="indices"/>, in that order, with the same transform.</summary>
    public TensorDataset Subset(ReadOnlySpan<int> indices)
    {
        foreach (int i in indices) CheckIndex(i);
        return _features is null
            ? new TensorDataset(_bytes!.Subset(indices), Gather(_labels, indices), Transform)
            : new TensorDataset(Gather(_features, indices), Gather(_labels, indices), Transform);
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
        Generator.Use(generator).Shuffle(order.AsSpan());
        int trainCount = (int)Math.Round(fraction * Count, MidpointRounding.AwayFromZero);
        return (Subset(order.AsSpan(0, trainCount)), Subset(order.AsSpan(trainCount)));
    }

    /// <summary>A dataset over the same samples whose batches also go through <paramref name="transform"/>, after the current transform if any.</summary>
    public TensorDataset WithTransform(Func<Tensor, Tensor> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        Func<Tensor, Tensor>? current = Transform;
        Func<Tensor, Tensor> combined = current is null ? transform : x => transform(current(x));
        return _features is null ? new TensorDataset(_bytes!, _labels, combined) : new TensorDataset(_features, _labels, combined);
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
            case DType.Bool: GatherRows<bool>(source.Span<bool>(), indices, row, result.Span<bool>()); break;
            case DType.BFloat16: GatherRows<BFloat16>(source.Span<BFloat16>(), indices, row, result.Span<BFloat16>()); break;
            case DType.Float16: GatherRows<Half>(source.Span<Half>(), indices, row, result.Span<Half>()); break;
            default: throw DTypeExtensions.Unknown(source.DType);
        }
        return result;
    }

    private static void GatherRows<T>(ReadOnlySpan<T> source, ReadOnlySpan<int> indices, int row, Span<T> destination)
    {
        for (int i = 0; i < indices.Length; i++)
            source.Slice(indices[i] * row, row).CopyTo(destination.Slice(i * row, row));
    }

    /// <summary>Features kept as bytes; rows are converted to float32 as <c>(float)b / divisor</c> when gathered.</summary>
    private sealed class ByteFeatures(ReadOnlyMemory<byte> values, int[] dims, float divisor)
    {
        public int[] Dims => dims;

        private int Row => dims[0] == 0 ? 0 : values.Length / dims[0];

        /// <summary>All rows as a fresh float32 tensor.</summary>
        public Tensor All() => Gather(default, all: true);

        /// <summary>The rows at <paramref name="indices"/> as a fresh float32 tensor.</summary>
        public Tensor Gather(ReadOnlySpan<int> indices) => Gather(indices, all: false);

        private Tensor Gather(ReadOnlySpan<int> indices, bool all)
        {
            int[] outDims = (int[])dims.Clone();
            if (!all) outDims[0] = indices.Length;
            var result = Tensor.Empty(DType.Float32, outDims);
            Span<float> destination = result.Span<float>();
            int row = Row, count = outDims[0];
            for (int i = 0; i < count; i++)
            {
                int source = all ? i : indices[i];
                Span<float> to = destination.Slice(i * row, row);
                TensorPrimitives.ConvertChecked<byte, float>(values.Span.Slice(source * row, row), to);
                // NOTE: divide (not multiply by 1/divisor) so values match PyTorch's uint8 / 255 bit for bit.
                TensorPrimitives.Divide(to, divisor, to);
            }
            return result;
        }

        public ByteFeatures Subset(ReadOnlySpan<int> indices)
        {
            int row = Row;
            var picked = new byte[(long)indices.Length * row];
            ReadOnlySpan<byte> all = values.Span;
            for (int i = 0; i < indices.Length; i++) all.Slice(indices[i] * row, row).CopyTo(picked.AsSpan(i * row, row));
            int[] subsetDims = (int[])dims.Clone();
            subsetDims[0] = indices.Length;
            return new ByteFeatures(picked, subsetDims, divisor);
        }
    }
}
