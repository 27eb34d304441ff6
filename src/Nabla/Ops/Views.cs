using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        private Tensor ViewOf(int[] dims, int[] strides, int offset) => new(Storage, dims, strides, offset);

        internal static int[] InferShape(int[] shape, long numel, string op, int[] inputDims)
        {
            var dims = (int[])shape.Clone();
            int infer = -1;
            long known = 1;
            for (int i = 0; i < dims.Length; i++)
            {
                if (dims[i] == -1)
                {
                    if (infer >= 0) throw new ArgumentException($"{op}: only one dimension can be -1, got {Shape.Format(shape)}");
                    infer = i;
                }
                else if (dims[i] < 0) throw new ArgumentException($"{op}: invalid size {dims[i]} in {Shape.Format(shape)}");
                else known *= dims[i];
            }
            if (infer >= 0)
            {
                if (known == 0 || numel % known != 0)
                    throw new ArgumentException($"{op}: shape {Shape.Format(shape)} is invalid for input of shape {Shape.Format(inputDims)} ({numel} elements)");
                dims[infer] = (int)(numel / known);
            }
            else if (known != numel)
                throw new ArgumentException($"{op}: shape {Shape.Format(shape)} is invalid for input of shape {Shape.Format(inputDims)} ({numel} elements)");
            return dims;
        }

        /// <summary>The same elements in a new shape (row-major order); a view when the tensor is contiguous, a copy otherwise. One dimension may be -1.</summary>
        public Tensor Reshape(params int[] shape)
        {
            ArgumentNullException.ThrowIfNull(shape);
            int[] dims = InferShape(shape, Numel, "reshape", Dims);
            Tensor src = ContiguousData();
            Tensor y = src.ViewOf(dims, Strided.ContiguousStrides(dims), src.Offset);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.ReshapeBackward(this));
            return y;
        }

        /// <summary>
        /// The last dimension split into <paramref name="parts"/> x (size / parts) as a view, whatever the strides (splitting
        /// one dimension never needs a copy, unlike <see cref="Reshape"/> of a non-contiguous tensor); torch.unflatten(-1, ...).
        /// </summary>
        internal Tensor UnflattenLast(int parts)
        {
            if (Rank == 0 || parts <= 0 || Dims[^1] % parts != 0)
                throw new ArgumentException($"unflatten: cannot split the last dimension of shape {Shape} into {parts} equal parts");
            int size = Dims[^1] / parts, stride = StrideArray[^1];
            Tensor y = ViewOf([.. Dims[..^1], parts, size], [.. StrideArray[..^1], stride * size, stride], Offset);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.ReshapeBackward(this));
            return y;
        }

        /// <summary>A view in a new shape; the tensor must be contiguous (use <see cref="Reshape"/> otherwise).</summary>
        public Tensor View(params int[] shape)
        {
            if (!IsContiguous)
                throw new InvalidOperationException(
                    $"view: the tensor of shape {Shape} with strides {Shape.Format(StrideArray)} is not contiguous; use Reshape(), which copies when needed");
            return Reshape(shape);
        }

        /// <summary>Merges dims <paramref name="startDim"/>..<paramref name="endDim"/> (inclusive) into one.</summary>
        public Tensor Flatten(int startDim = 0, int endDim = -1)
        {
            if (Rank == 0) return Reshape(1);
            int s = NormalizeDim(startDim, Rank, "flatten"), e = NormalizeDim(endDim, Rank, "flatten");
            if (s > e) throw new ArgumentException($"flatten: start_dim {startDim} comes after end_dim {endDim} for rank {Rank}");
            var dims = new List<int>();
            for (int i = 0; i < s; i++) dims.Add(Dims[i]);
            int merged = 1;
            for (int i = s; i <= e; i++) merged *= Dims[i];
            dims.Add(merged);
            for (int i = e + 1; i < Rank; i++) dims.Add(Dims[i]);
            return Reshape([.. dims]);
        }

        /// <summary>Swaps two dimensions (a view).</summary>
        public Tensor Transpose(int dim0, int dim1)
        {
            int a = NormalizeDim(dim0, Rank, "transpose"), b = NormalizeDim(dim1, Rank, "transpose");
            if (Rank == 0) return ViewOf([], [], Offset).WithNode(this, () => new Ops.TransposeBackward(this, 0, 0));
            var dims = (int[])Dims.Clone();
            var strides = (int[])StrideArray.Clone();
            (dims[a], dims[b]) = (dims[b], dims[a]);
            (strides[a], strides[b]) = (strides[b], strides[a]);
            return ViewOf(dims, strides, Offset).WithNode(this, () => new Ops.TransposeBackward(this, a, b));
        }

        /// <summary>The matrix transpose of the last two dimensions (a view), PyTorch's <c>.mT</c>; batch dims stay.</summary>
        public Tensor MT => Rank >= 2 ? Transpose(-2, -1)
            : throw new InvalidOperationException($"mT: only defined for matrices or batches of matrices, got shape {Shape} ({Rank}-D)");

        /// <summary>PyTorch's <c>t()</c>: the transpose of a matrix (a view); a 0-d or 1-D tensor comes back as a view of itself.</summary>
        public Tensor T() => Rank <= 2 ? Transpose(0, Rank == 2 ? 1 : 0)
            : throw new ArgumentException($"t: expects a tensor with at most 2 dimensions, got shape {Shape}; use MT or Transpose(dim0, dim1) for batches of matrices");

        /// <summary>A view with the shape of <paramref name="other"/>, PyTorch's <c>view_as</c> (same rules as <see cref="View"/>).</summary>
        public Tensor ViewAs(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            return View((int[])other.Dims.Clone());
        }

        /// <summary>Reorders dimensions: <c>out.Shape[i] = Shape[dims[i]]</c> (a view).</summary>
        public Tensor Permute(params int[] dims)
        {
            ArgumentNullException.ThrowIfNull(dims);
            if (dims.Length != Rank)
                throw new ArgumentException($"permute: got {dims.Length} dims {Shape.Format(dims)} for a tensor of rank {Rank}");
            var perm = new int[Rank];
            var seen = new bool[Rank];
            for (int i = 0; i < Rank; i++)
            {
                perm[i] = NormalizeDim(dims[i], Rank, "permute");
                if (seen[perm[i]]) throw new ArgumentException($"permute: dimension {perm[i]} repeats in {Shape.Format(dims)}");
                seen[perm[i]] = true;
            }
            var nd = new int[Rank];
            var ns = new int[Rank];
            for (int i = 0; i < Rank; i++) { nd[i] = Dims[perm[i]]; ns[i] = StrideArray[perm[i]]; }
            return ViewOf(nd, ns, Offset).WithNode(this, () => new Ops.PermuteBackward(this, perm));
        }

        /// <summary>Removes size-1 dimensions: all of them, or only <paramref name="dim"/> if it has size 1.</summary>
        public Tensor Squeeze(int? dim = null)
        {
            var dims = new List<int>();
            var strides = new List<int>();
            int? d = dim is { } dd ? NormalizeDim(dd, Rank, "squeeze") : null;
            for (int i = 0; i < Rank; i++)
            {
                bool drop = Dims[i] == 1 && (d is null || d == i);
                if (!drop) { dims.Add(Dims[i]); strides.Add(StrideArray[i]); }
            }
            return ViewOf([.. dims], [.. strides], Offset).WithNode(this, () => new Ops.SqueezeBackward(this));
        }

        /// <summary>Inserts a size-1 dimension at <paramref name="dim"/> (negative counts in the output rank).</summary>
        public Tensor Unsqueeze(int dim)
        {
            int d = NormalizeDim(dim, Rank + 1, "unsqueeze");
            var dims = Dims.ToList();
            var strides = StrideArray.ToList();
            int stride = d < Rank ? StrideArray[d] * Dims[d] : 1;
            dims.Insert(d, 1);
            strides.Insert(d, stride);
            return ViewOf([.. dims], [.. strides], Offset).WithNode(this, () => new Ops.UnsqueezeBackward(this));
        }

        /// <summary>Broadcasts to <paramref name="size"/> without copying (-1 keeps a size; new leading dims allowed).</summary>
        public Tensor Expand(params int[] size)
        {
            ArgumentNullException.ThrowIfNull(size);
            if (size.Length < Rank)
                throw new ArgumentException($"expand: the target {Shape.Format(size)} has fewer dimensions than the tensor's shape {Shape}");
            var dims = (int[])size.Clone();
            int off = size.Length - Rank;
            for (int i = 0; i < size.Length; i++)
            {
                if (i < off)
                {
                    if (size[i] < 0) throw new ArgumentException($"expand: -1 is not allowed for the new leading dimension {i} in {Shape.Format(size)}");
                    continue;
                }
                int cur = Dims[i - off];
                if (size[i] == -1) dims[i] = cur;
                else if (cur != 1 && cur != size[i])
                    throw new ArgumentException($"expand: cannot expand shape {Shape} to {Shape.Format(size)}: dimension {i} has size {cur}, which is not 1");
            }
            return ExpandTo(dims).WithNode(this, () => new Ops.ExpandBackward(this));
        }

        /// <summary>Unrecorded broadcast view used by kernels.</summary>
        internal Tensor ExpandTo(int[] dims) =>
            Dims.AsSpan().SequenceEqual(dims) ? this : ViewOf((int[])dims.Clone(), Strided.BroadcastStrides(Dims, StrideArray, dims), Offset);

        /// <summary>The elements <c>start .. start+length-1</c> along <paramref name="dim"/> (a view).</summary>
        public Tensor Narrow(int dim, int start, int length)
        {
            int d = NormalizeDim(dim, Rank, "narrow");
            if (start < 0) start += Dims[d];
            if (start < 0 || length < 0 || start + length > Dims[d])
                throw new ArgumentOutOfRangeException(nameof(start),
                    $"narrow: start {start} and length {length} fall outside dimension {d} of size {Dims[d]} (shape {Shape})");
            return Slice(d, start, start + length, 1);
        }

        /// <summary>Python's <c>x[..., start:end:step, ...]</c> along <paramref name="dim"/> (a view). Negative start/end count from the end; ends are clipped.</summary>
        public Tensor Slice(int dim, int start, int end, int step = 1)
        {
            int d = NormalizeDim(dim, Rank, "slice");
            if (step < 1) throw new ArgumentException($"slice: step must be at least 1, got {step}");
            int size = Dims[d];
            if (start < 0) start += size;
            if (end < 0) end += size;
            start = Math.Clamp(start, 0, size);
            end = Math.Clamp(end, start, size);
            int len = (end - start + step - 1) / step;
            var dims = (int[])Dims.Clone();
            var strides = (int[])StrideArray.Clone();
            dims[d] = len;
            strides[d] = StrideArray[d] * step;
            return ViewOf(dims, strides, Offset + start * StrideArray[d])
                .WithNode(this, () => new Ops.SliceBackward(this, d, start, step));
        }

        /// <summary>Selects index <paramref name="index"/> along <paramref name="dim"/>, removing that dimension (a view).</summary>
        public Tensor Select(int dim, int index)
        {
            if (Rank == 0) throw new ArgumentException("select: cannot select from a 0-d tensor; expected at least one dimension");
            int d = NormalizeDim(dim, Rank, "select");
            int size = Dims[d];
            if (index < -size || index >= size)
                throw new ArgumentOutOfRangeException(nameof(index), $"select: index {index} is out of range for dimension {d} of size {size} (shape {Shape})");
            if (index < 0) index += size;
            var dims = new int[Rank - 1];
            var strides = new int[Rank - 1];
            for (int i = 0, k = 0; i < Rank; i++)
            {
                if (i == d) continue;
                dims[k] = Dims[i];
                strides[k++] = StrideArray[i];
            }
            return ViewOf(dims, strides, Offset + index * StrideArray[d]).WithNode(this, () => new Ops.SelectBackward(this, d, index));
        }

        /// <summary>Indexes leading dimensions one by one: <c>t[1, 2]</c> is <c>t.Select(0, 1).Select(0, 2)</c>; negative values count from the end.</summary>
        [System.Runtime.CompilerServices.IndexerName("At")]
        public Tensor this[params int[] indices] =>
            SelectLeading(indices, static (i, size) => i < 0 ? i + size : i, static size => $"{-size} to {size - 1}");

        /// <summary>Indexes leading dimensions with <see cref="System.Index"/> values: <c>t[^1]</c> is the last row, <c>t[0, ^1]</c> the last element of the first row (a view).</summary>
        [System.Runtime.CompilerServices.IndexerName("At")]
        public Tensor this[params Index[] indices] =>
            SelectLeading(indices, static (i, size) => i.GetOffset(size), static size => $"0 to {size - 1}, or ^1 to ^{size}");

        /// <summary>Selects position <c>position(indices[d], size)</c> of every leading dimension <c>d</c>, after checking them all.</summary>
        private Tensor SelectLeading<T>(T[] indices, Func<T, int, int> position, Func<int, string> expected)
        {
            ArgumentNullException.ThrowIfNull(indices);
            if (indices.Length > Rank)
                throw new ArgumentOutOfRangeException(nameof(indices), $"index: {indices.Length} indices for a tensor of rank {Rank} (shape {Shape})");
            var at = new int[indices.Length];
            for (int d = 0; d < indices.Length; d++)
            {
                at[d] = position(indices[d], Dims[d]);
                if (at[d] < 0 || at[d] >= Dims[d])
                    throw new ArgumentOutOfRangeException(nameof(indices),
                        $"index: t[{string.Join(", ", indices)}] selects index {indices[d]} of dimension {d}, of size {Dims[d]}, which is out of range (shape {Shape}; expected {expected(Dims[d])})");
            }
            Tensor t = this;
            foreach (int i in at) t = t.Select(0, i);
            return t;
        }

        /// <summary>Slices the first dimension with a C# range: <c>t[1..3]</c>, <c>t[1..^1]</c> (a view).</summary>
        [System.Runtime.CompilerServices.IndexerName("At")]
        public Tensor this[Range range]
        {
            get
            {
                if (Rank == 0) throw new InvalidOperationException($"index: cannot slice a 0-d tensor with the range {range}");
                return this[new[] { range }];
            }
        }

        /// <summary>Slices leading dimensions with C# ranges, one per dimension: <c>t[.., 1..^1]</c> (a view).</summary>
        /// <remarks>As for arrays, a range must lie within its dimension (<see cref="Slice"/> clips instead).</remarks>
        [System.Runtime.CompilerServices.IndexerName("At")]
        public Tensor this[params Range[] ranges]
        {
            get
            {
                ArgumentNullException.ThrowIfNull(ranges);
                if (ranges.Length > Rank)
                    throw new ArgumentOutOfRangeException(nameof(ranges), $"index: {ranges.Length} ranges for a tensor of rank {Rank} (shape {Shape})");
                Tensor t = this;
                for (int d = 0; d < ranges.Length; d++)
                {
                    int size = Dims[d], start = ranges[d].Start.GetOffset(size), end = ranges[d].End.GetOffset(size);
                    if (start < 0 || end > size || start > end)
                        throw new ArgumentOutOfRangeException(nameof(ranges),
                            $"index: t[{string.Join(", ", ranges)}] is out of range for dimension {d} of size {size} (shape {Shape}): it selects [{start}, {end}), which needs 0 <= start <= end <= {size}; Slice({d}, start, end) clips instead");
                    t = t.Slice(d, start, end);
                }
                return t;
            }
        }

        private Tensor WithNode(Tensor input, Func<Node> node)
        {
            if (Autograd.ShouldRecord(input)) SetGradFn(node());
            return this;
        }

        /// <summary>Sums a gradient down to <paramref name="dims"/> (the inverse of broadcasting).</summary>
        internal Tensor SumToShape(int[] dims)
        {
            if (Dims.AsSpan().SequenceEqual(dims)) return this;
            int lead = Rank - dims.Length;
            if (lead < 0) throw new ArgumentException($"sum_to_size: cannot reduce shape {Shape} to {Shape.Format(dims)}");
            var reduce = new List<int>();
            for (int i = 0; i < Rank; i++)
            {
                if (i < lead) { reduce.Add(i); continue; }
                int target = dims[i - lead];
                if (target == Dims[i]) continue;
                if (target != 1) throw new ArgumentException($"sum_to_size: cannot reduce shape {Shape} to {Shape.Format(dims)}");
                reduce.Add(i);
            }
            Tensor s = reduce.Count == 0 ? this : Sum([.. reduce], keepDim: true);
            return s.Reshape(dims);
        }

        /// <summary>Writes <paramref name="g"/> into a zero tensor of <paramref name="dims"/> at a strided slice (SliceBackward's forward).</summary>
        internal static Tensor SliceScatter(Tensor g, int[] dims, int dim, int start, int step)
        {
            var y = Zeros(dims, g.DType);
            Tensor region = y.Slice(dim, start, dims[dim], step).Narrow(dim, 0, g.Dims[dim]);
            Tensor src = g.ContiguousData();
            switch (g.DType)
            {
                case DType.Float32: Strided.Scatter<float>(src.Span<float>(), y.Data<float>(), region.Offset, region.Dims, region.StrideArray); break;
                case DType.Float64: Strided.Scatter<double>(src.Span<double>(), y.Data<double>(), region.Offset, region.Dims, region.StrideArray); break;
                case DType.BFloat16: Strided.Scatter<BFloat16>(src.Span<BFloat16>(), y.Data<BFloat16>(), region.Offset, region.Dims, region.StrideArray); break;
                case DType.Float16: Strided.Scatter<Half>(src.Span<Half>(), y.Data<Half>(), region.Offset, region.Dims, region.StrideArray); break;
                default: throw DTypeExtensions.Unknown(g.DType);
            }
            if (Autograd.ShouldRecord(g)) y.SetGradFn(new Ops.SliceScatterBackward(g, dim, start, step));
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // reshape, squeeze, unsqueeze, flatten: the gradient takes the input's shape back
    internal class ReshapeBackward(Tensor x) : Node(x)
    {
        private readonly int[] _dims = x.Dims;

        public override Tensor?[] Backward(Tensor g) => [g.Reshape(_dims)];
    }

    internal sealed class SqueezeBackward(Tensor x) : ReshapeBackward(x);

    internal sealed class UnsqueezeBackward(Tensor x) : ReshapeBackward(x);

    // transpose is its own inverse
    internal sealed class TransposeBackward(Tensor x, int a, int b) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [a == b ? g : g.Transpose(a, b)];
    }

    // permute back with the inverse permutation
    internal sealed class PermuteBackward(Tensor x, int[] perm) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var inv = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++) inv[perm[i]] = i;
            return [g.Permute(inv)];
        }
    }

    // expand: the engine sums over the expanded dims (see Note [Engine])
    internal sealed class ExpandBackward(Tensor x) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [g];
    }

    // slice: the gradient lands in the sliced positions of a zero tensor
    internal sealed class SliceBackward(Tensor x, int dim, int start, int step) : Node(x)
    {
        private readonly int[] _dims = x.Dims;

        public override Tensor?[] Backward(Tensor g) => [Tensor.SliceScatter(g, _dims, dim, start, step)];
    }

    // select: the gradient lands in the selected position of a zero tensor (a slice of length 1)
    internal sealed class SelectBackward(Tensor x, int dim, int index) : Node(x)
    {
        private readonly int[] _dims = x.Dims;

        public override Tensor?[] Backward(Tensor g) => [Tensor.SliceScatter(g.Unsqueeze(dim), _dims, dim, index, 1)];
    }

    // slice-scatter is linear: its gradient is the slice of the upstream gradient
    internal sealed class SliceScatterBackward(Tensor g, int dim, int start, int step) : Node(g)
    {
        private readonly int _len = g.Dims[dim];

        public override Tensor?[] Backward(Tensor gg) => [gg.Slice(dim, start, start + (_len - 1) * step + 1, step)];
    }
}
