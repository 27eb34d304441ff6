using System.Runtime.CompilerServices;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Replaces the elements where <paramref name="mask"/> is true by <paramref name="value"/>, like <c>Tensor.masked_fill</c>.</summary>
        /// <remarks>
        /// <c>out = mask ? value : this</c>, with <paramref name="mask"/> a bool tensor that broadcasts <b>to</b> this tensor's shape
        /// (the result has this shape). The gradient is the upstream gradient with the masked positions zeroed. An int64
        /// tensor takes only integral values (nothing is truncated); a bool tensor takes <c>value != 0</c>.
        /// </remarks>
        /// <param name="mask">Where to write (dtype bool).</param>
        /// <param name="value">The value to write.</param>
        public Tensor MaskedFill(Tensor mask, double value)
        {
            Tensor m = BroadcastMask(mask, "masked_fill");
            CheckFillValue(value, "masked_fill");
            Tensor y = CloneRaw();
            FillWhere(y, m, value);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.MaskedFillBackward(this, mask));
            return y;
        }

        /// <summary>In place: writes <paramref name="value"/> where <paramref name="mask"/> is true, like <c>Tensor.masked_fill_</c>; see <see cref="MaskedFill"/>.</summary>
        /// <remarks>Refused on a tensor that requires a gradient while gradients are recorded (Note [Version counter]).</remarks>
        /// <param name="mask">Where to write (dtype bool, broadcastable to this tensor's shape).</param>
        /// <param name="value">The value to write.</param>
        public Tensor MaskedFillInPlace(Tensor mask, double value)
        {
            CheckInPlace("masked_fill_");
            Tensor m = BroadcastMask(mask, "masked_fill_");
            CheckFillValue(value, "masked_fill_");
            if (!IsContiguous)
            {
                using (Autograd.NoGrad()) return Assign(Detach().MaskedFill(mask, value), "masked_fill_");
            }
            FillWhere(this, m, value);
            Storage.Version++;
            return this;
        }

        /// <summary>Writes <paramref name="source"/> into a copy of this tensor at the positions <paramref name="index"/> gives along <paramref name="dim"/>, like <c>Tensor.scatter</c>.</summary>
        /// <remarks>
        /// For a 3-D tensor and <c>dim = 1</c>: <c>out[i, index[i, j, k], k] = source[i, j, k]</c> for every position of
        /// <paramref name="index"/> (int64, values in <c>[0, Size(dim))</c>); other elements keep this tensor's values.
        /// <paramref name="index"/> and <paramref name="source"/> have this tensor's rank, and the index is no larger than
        /// <paramref name="source"/> anywhere nor than this tensor outside <paramref name="dim"/>. Where an index repeats along
        /// <paramref name="dim"/> the last write wins (PyTorch leaves the order unspecified). Gradients, as PyTorch's: this
        /// tensor gets the upstream gradient with the written positions zeroed, <paramref name="source"/> gets the upstream
        /// gradient gathered at the positions it was written to.
        /// </remarks>
        /// <param name="dim">The dimension to scatter along (negative counts from the end).</param>
        /// <param name="index">int64 target positions.</param>
        /// <param name="source">The values to write (same dtype as this tensor).</param>
        public Tensor Scatter(int dim, Tensor index, Tensor source)
        {
            (int d, Tensor src, Tensor idx) = ScatterArgs(dim, index, source, "scatter");
            if (Rank == 0) return Reshape(1).Scatter(0, index.Reshape(1), source.Reshape(1)).Reshape();
            Tensor y = CloneRaw();
            Tensor s = src.ContiguousData();
            ReadOnlySpan<long> ix = idx.Span<long>();
            switch (DType)
            {
                case DType.Float32: GatherKernels.Scatter(y.Data<float>(), y.Offset, y.StrideArray, d, ix, idx.Dims, s.Span<float>()); break;
                case DType.Float64: GatherKernels.Scatter(y.Data<double>(), y.Offset, y.StrideArray, d, ix, idx.Dims, s.Span<double>()); break;
                case DType.Int64: GatherKernels.Scatter(y.Data<long>(), y.Offset, y.StrideArray, d, ix, idx.Dims, s.Span<long>()); break;
                case DType.Bool: GatherKernels.Scatter(y.Data<bool>(), y.Offset, y.StrideArray, d, ix, idx.Dims, s.Span<bool>()); break;
                case DType.BFloat16: GatherKernels.Scatter(y.Data<BFloat16>(), y.Offset, y.StrideArray, d, ix, idx.Dims, s.Span<BFloat16>()); break;
                case DType.Float16: GatherKernels.Scatter(y.Data<Half>(), y.Offset, y.StrideArray, d, ix, idx.Dims, s.Span<Half>()); break;
                default: throw DTypeExtensions.Unknown(DType);
            }
            if (Autograd.ShouldRecord(this, src)) y.SetGradFn(new Ops.ScatterBackward(this, src, d, idx));
            return y;
        }

        /// <summary>Writes <paramref name="value"/> into a copy of this tensor at the positions <paramref name="index"/> gives along <paramref name="dim"/>, like <c>Tensor.scatter</c> with a value.</summary>
        /// <remarks>As <see cref="Scatter(int, Tensor, Tensor)"/> with a source of <paramref name="value"/>s shaped like <paramref name="index"/>.</remarks>
        /// <param name="dim">The dimension to scatter along (negative counts from the end).</param>
        /// <param name="index">int64 target positions.</param>
        /// <param name="value">The value to write.</param>
        public Tensor Scatter(int dim, Tensor index, double value)
        {
            ArgumentNullException.ThrowIfNull(index);
            CheckFillValue(value, "scatter");
            return Scatter(dim, index, Full(index.Dims, value, DType));
        }

        /// <summary>
        /// Indexes the leading dimensions with a tensor, like PyTorch's <c>x[mask]</c> and <c>x[indices]</c>: a bool mask selects
        /// elements, an int64 tensor selects rows (see <see cref="Index(Tensor)"/>).
        /// </summary>
        [IndexerName("At")]
        public Tensor this[Tensor index] => Index(index);

        /// <summary>Indexes with a tensor: boolean-mask indexing (bool) or integer-array indexing along dimension 0 (int64), like <c>x[index]</c> in PyTorch.</summary>
        /// <remarks>
        /// <para>A bool <paramref name="index"/> of rank <c>k</c> is a mask over the first <c>k</c> dimensions, whose shape it
        /// must equal; the result stacks the selected elements (or sub-tensors) in row-major order:
        /// <c>[count] + Shape[k..]</c>, 1-D when the mask covers every dimension.</para>
        /// <para>An int64 <paramref name="index"/> of any shape picks rows along dimension 0 (negative values count from the
        /// end); the result has shape <c>index.Shape + Shape[1..]</c>.</para>
        /// <para>The result is a copy; its gradient is added back at the selected positions (rows picked twice accumulate).</para>
        /// </remarks>
        /// <param name="index">A bool mask or int64 positions.</param>
        public Tensor Index(Tensor index)
        {
            ArgumentNullException.ThrowIfNull(index);
            if (index.DType == DType.Bool) return IndexByMask(index);
            if (index.DType != DType.Int64)
                throw new ArgumentException(
                    $"index: a tensor used as an index must have dtype int64 (positions along dimension 0) or bool (a mask), got dtype {index.DType.Name()} (index shape {index.Shape})",
                    nameof(index));
            if (Rank == 0)
                throw new ArgumentException($"index: a 0-d tensor has no dimension to pick positions from (index shape {index.Shape}); use a bool mask or Reshape(1)", nameof(index));
            int n = Dims[0];
            ReadOnlySpan<long> v = index.ContiguousData().Span<long>();
            var rows = new long[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                if (v[i] < -n || v[i] >= n)
                    throw new ArgumentOutOfRangeException(nameof(index),
                        $"index: index {v[i]} is out of range for dimension 0 of size {n} (shape {Shape}); expected {-n} to {n - 1}");
                rows[i] = v[i] < 0 ? v[i] + n : v[i];
            }
            return GatherRows(Dims, From(rows), [.. index.Dims, .. Dims[1..]]);
        }

        private Tensor IndexByMask(Tensor mask)
        {
            int k = mask.Rank;
            if (k > Rank || !mask.Dims.AsSpan().SequenceEqual(Dims.AsSpan(0, k)))
                throw new ArgumentException(
                    $"index: the mask of shape {mask.Shape} does not match the indexed tensor of shape {Shape}; a mask covers the leading dimensions and must equal them",
                    nameof(mask));
            ReadOnlySpan<bool> m = mask.ContiguousData().Span<bool>();
            var picked = new List<long>();
            for (int i = 0; i < m.Length; i++)
                if (m[i]) picked.Add(i);
            int[] rest = Dims[k..];
            return GatherRows([m.Length, .. rest], From(picked.ToArray()), [picked.Count, .. rest]);
        }

        /// <summary>Rows <paramref name="rows"/> of this tensor viewed as <paramref name="rowDims"/> (dimension 0 being the rows), shaped <paramref name="outDims"/>.</summary>
        private Tensor GatherRows(int[] rowDims, Tensor rows, int[] outDims)
        {
            Tensor src = ContiguousData();
            Tensor table = src.ViewOf(rowDims, Strided.ContiguousStrides(rowDims), src.Offset);
            int[] picked = [(int)rows.Numel, .. rowDims[1..]];
            Tensor y = IndexSelectRaw(table, 0, rows, picked);
            if (!picked.AsSpan().SequenceEqual(outDims)) y = y.ViewOf(outDims, Strided.ContiguousStrides(outDims), y.Offset);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.IndexBackward(this, rowDims, rows));
            return y;
        }

        /// <summary><paramref name="mask"/> checked (bool, broadcastable to this shape) and viewed at this shape.</summary>
        private Tensor BroadcastMask(Tensor mask, string op)
        {
            ArgumentNullException.ThrowIfNull(mask);
            if (mask.DType != DType.Bool)
                throw new ArgumentException(
                    $"{op}: expected a mask of dtype bool, got dtype {mask.DType.Name()} (mask shape {mask.Shape}, input shape {Shape}); build it with a comparison such as x.Gt(0), or convert with .To(DType.Bool)",
                    nameof(mask));
            bool fits = mask.Rank <= Rank;
            for (int i = 1; fits && i <= mask.Rank; i++) fits = mask.Dims[^i] == 1 || mask.Dims[^i] == Dims[^i];
            if (!fits)
                throw new ArgumentException(
                    $"{op}: the mask of shape {mask.Shape} does not broadcast to the input's shape {Shape}; aligned from the last dimension, each of its sizes must equal the input's or be 1",
                    nameof(mask));
            return mask.ExpandTo(Dims);
        }

        /// <summary>Throws when <paramref name="value"/> cannot be stored in this tensor's dtype exactly (a fraction for int64; nothing is truncated).</summary>
        internal void CheckFillValue(double value, string op)
        {
            if (DType == DType.Int64 && !(Math.Floor(value) == value && value >= -9.2233720368547758E18 && value < 9.2233720368547758E18))
                throw new ArgumentException(
                    $"{op}: the value {value} is not an integer, so it cannot be written into an int64 tensor (shape {Shape}); nothing is truncated: pass an integral value or convert the tensor with .To(DType.Float32)",
                    nameof(value));
        }

        /// <summary>Writes <paramref name="value"/> into contiguous <paramref name="y"/> where <paramref name="mask"/> (of y's shape) is true; unrecorded.</summary>
        private static void FillWhere(Tensor y, Tensor mask, double value)
        {
            Tensor m = mask.ContiguousData();
            bool[] mb = m.Data<bool>();
            int n = (int)y.Numel;
            switch (y.DType)
            {
                case DType.Float32: Blocks.MaskedFill(y.Data<float>(), y.Offset, mb, m.Offset, n, (float)value); break;
                case DType.Float64: Blocks.MaskedFill(y.Data<double>(), y.Offset, mb, m.Offset, n, value); break;
                case DType.Int64: Blocks.MaskedFill(y.Data<long>(), y.Offset, mb, m.Offset, n, (long)value); break;
                case DType.Bool: Blocks.MaskedFill(y.Data<bool>(), y.Offset, mb, m.Offset, n, value != 0); break;
                case DType.BFloat16: Blocks.MaskedFill(y.Data<BFloat16>(), y.Offset, mb, m.Offset, n, (BFloat16)value); break;
                case DType.Float16: Blocks.MaskedFill(y.Data<Half>(), y.Offset, mb, m.Offset, n, (Half)value); break;
                default: throw DTypeExtensions.Unknown(y.DType);
            }
        }
    }

    public static partial class Functional
    {
        /// <summary>One-hot encodes class indices, like <c>torch.nn.functional.one_hot</c>.</summary>
        /// <remarks>
        /// <paramref name="input"/> is int64 of any shape (0-d included) with values in <c>[0, numClasses)</c>; the result is
        /// int64 of shape <c>input.Shape + [numClasses]</c> with <c>out[..., c] = input[...] == c ? 1 : 0</c>.
        /// <paramref name="numClasses"/> -1 means <c>max(input) + 1</c> (the input must then be non-empty). No gradient.
        /// </remarks>
        /// <param name="input">int64 class indices.</param>
        /// <param name="numClasses">The number of classes, or -1 to infer it.</param>
        public static Tensor OneHot(Tensor input, int numClasses = -1)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.DType != DType.Int64)
                throw new ArgumentException(
                    $"one_hot: expected class indices of dtype int64, got dtype {input.DType.Name()} (input shape {input.Shape}); convert with .To(DType.Int64)", nameof(input));
            if (numClasses < -1)
                throw new ArgumentException($"one_hot: num_classes must be -1 (the largest class + 1) or non-negative, got {numClasses}", nameof(numClasses));
            ReadOnlySpan<long> v = input.ContiguousData().Span<long>();
            for (int i = 0; i < v.Length; i++)
                if (v[i] < 0)
                    throw new ArgumentException($"one_hot: class values must be non-negative, got {v[i]} at position {i} (input shape {input.Shape})", nameof(input));
            long classes = numClasses;
            if (numClasses == -1)
            {
                if (v.Length == 0)
                    throw new ArgumentException($"one_hot: cannot infer the number of classes from an empty input (shape {input.Shape}); pass numClasses", nameof(numClasses));
                classes = System.Numerics.Tensors.TensorPrimitives.Max(v) + 1;
            }
            for (int i = 0; i < v.Length; i++)
                if (v[i] >= classes)
                    throw new ArgumentException(
                        $"one_hot: class value {v[i]} at position {i} is not smaller than num_classes {classes} (input shape {input.Shape})", nameof(input));
            Tensor y = Tensor.Empty(DType.Int64, Tensor.ResultDims([.. input.Dims.Select(d => (long)d), classes], "one_hot"), zeroed: true);
            Span<long> o = y.Span<long>();
            for (int i = 0; i < v.Length; i++) o[(int)(i * classes + v[i])] = 1;
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // d masked_fill(x, m, v)/dx = 1 where the mask is false, 0 where it wrote
    internal sealed class MaskedFillBackward : Node
    {
        public MaskedFillBackward(Tensor x, Tensor mask) : base(x) => Save(mask);

        public override Tensor?[] Backward(Tensor g) => [g.MaskedFill(Saved(0), 0)];
    }

    // d scatter(x, idx, s)/dx = 1 except at the written positions, d/ds: the gradient gathered at the targets
    internal sealed class ScatterBackward : Node
    {
        private readonly int _dim;

        public ScatterBackward(Tensor x, Tensor source, int dim, Tensor index) : base(x, source)
        {
            Save(index);
            _dim = dim;
        }

        public override Tensor?[] Backward(Tensor g) =>
            [NeedsGrad(0) ? g.Scatter(_dim, Saved(0), 0) : null, NeedsGrad(1) ? g.Gather(_dim, Saved(0)) : null];
    }

    // x[rows] (and x[mask], whose rows are the selected positions): each gradient row is added back at its row
    internal sealed class IndexBackward : Node
    {
        private readonly int[] _dims, _rowDims;

        public IndexBackward(Tensor x, int[] rowDims, Tensor rows) : base(x)
        {
            Save(rows);
            (_dims, _rowDims) = (x.Dims, rowDims);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor rows = Saved(0);
            int[] picked = [(int)rows.Numel, .. _rowDims[1..]];
            return [Tensor.Zeros(_rowDims, g.DType).IndexAdd(0, rows, g.Reshape(picked)).Reshape(_dims)];
        }
    }
}
