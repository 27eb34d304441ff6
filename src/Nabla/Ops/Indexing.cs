using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Concatenates tensors along an existing dimension, like <c>torch.cat</c>.</summary>
        /// <remarks>
        /// All tensors share a dtype and a rank, and their shapes match except along <paramref name="dim"/>, where a
        /// piece may have size 0. As in PyTorch, 1-D empty tensors (shape <c>[0]</c>) are skipped whatever the rank of
        /// the others. The gradient of each piece is the matching slice of the upstream gradient.
        /// </remarks>
        /// <param name="tensors">The pieces, in order.</param>
        /// <param name="dim">The dimension to concatenate along (negative counts from the end).</param>
        public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            if (tensors.Count == 0) throw new ArgumentException("cat: expected a non-empty list of tensors, got none", nameof(tensors));
            Tensor[] pieces = [.. tensors];
            int refIndex = 0;
            for (int i = 0; i < pieces.Length; i++)
            {
                if (pieces[i] is null) throw new ArgumentException($"cat: tensor {i} is null", nameof(tensors));
                if (!IsLegacyEmpty(pieces[refIndex])) continue;
                if (!IsLegacyEmpty(pieces[i])) refIndex = i;
            }
            Tensor reference = pieces[refIndex];
            int rank = reference.Rank;
            if (rank == 0)
                throw new ArgumentException($"cat: tensor {refIndex} is zero-dimensional (shape []) and cannot be concatenated; use Stack or Unsqueeze(0) first", nameof(tensors));
            int d = NormalizeDim(dim, rank, "cat");
            int[] outDims = (int[])reference.Dims.Clone();
            outDims[d] = 0;
            var sizes = new int[pieces.Length];
            for (int i = 0; i < pieces.Length; i++)
            {
                Tensor t = pieces[i];
                if (t.DType != reference.DType)
                    throw new ArgumentException(
                        $"cat: expected all tensors to have dtype {reference.DType.Name()} (like tensor {refIndex}), but tensor {i} has dtype {t.DType.Name()}", nameof(tensors));
                if (rank != 1 && IsLegacyEmpty(t)) { sizes[i] = -1; continue; }
                if (t.Rank != rank)
                    throw new ArgumentException(
                        $"cat: expected all tensors to have rank {rank} (tensor {refIndex} has shape {reference.Shape}), but tensor {i} has shape {t.Shape}", nameof(tensors));
                for (int k = 0; k < rank; k++)
                    if (k != d && t.Dims[k] != reference.Dims[k])
                        throw new ArgumentException(
                            $"cat: sizes must match except in dimension {d}, but tensor {refIndex} has shape {reference.Shape} and tensor {i} has shape {t.Shape} (dimension {k}: {reference.Dims[k]} vs {t.Dims[k]})",
                            nameof(tensors));
                sizes[i] = t.Dims[d];
                outDims[d] += t.Dims[d];
            }
            var y = Empty(reference.DType, outDims);
            int offset = 0;
            for (int i = 0; i < pieces.Length; i++)
            {
                if (sizes[i] <= 0) continue;
                Tensor src = pieces[i].ContiguousData();
                int at = y.Offset + offset * y.StrideArray[d];
                switch (y.DType)
                {
                    case DType.Float32: Strided.Scatter<float>(src.Span<float>(), y.Data<float>(), at, src.Dims, y.StrideArray); break;
                    case DType.Float64: Strided.Scatter<double>(src.Span<double>(), y.Data<double>(), at, src.Dims, y.StrideArray); break;
                    case DType.Int64: Strided.Scatter<long>(src.Span<long>(), y.Data<long>(), at, src.Dims, y.StrideArray); break;
                    case DType.Bool: Strided.Scatter<bool>(src.Span<bool>(), y.Data<bool>(), at, src.Dims, y.StrideArray); break;
                    case DType.BFloat16: Strided.Scatter<BFloat16>(src.Span<BFloat16>(), y.Data<BFloat16>(), at, src.Dims, y.StrideArray); break;
                    case DType.Float16: Strided.Scatter<Half>(src.Span<Half>(), y.Data<Half>(), at, src.Dims, y.StrideArray); break;
                    default: throw DTypeExtensions.Unknown(y.DType);
                }
                offset += sizes[i];
            }
            if (Autograd.ShouldRecord(pieces)) y.SetGradFn(new Ops.CatBackward(pieces, d, sizes));
            return y;

            static bool IsLegacyEmpty(Tensor t) => t.Rank == 1 && t.Dims[0] == 0;
        }

        /// <summary>Stacks equally shaped tensors along a new dimension, like <c>torch.stack</c>.</summary>
        /// <remarks>
        /// For inputs of rank <c>r</c>, <paramref name="dim"/> lies in <c>[-(r+1), r]</c> and the result has shape
        /// <c>shape[..dim] + [tensors.Count] + shape[dim..]</c>. Equivalent to <see cref="Cat"/> of the inputs unsqueezed at <paramref name="dim"/>.
        /// </remarks>
        /// <param name="tensors">The tensors, all of one shape and dtype.</param>
        /// <param name="dim">Where the new dimension goes (negative counts in the output rank).</param>
        public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim)
        {
            ArgumentNullException.ThrowIfNull(tensors);
            if (tensors.Count == 0) throw new ArgumentException("stack: expected a non-empty list of tensors, got none", nameof(tensors));
            Tensor first = tensors[0] ?? throw new ArgumentException("stack: tensor 0 is null", nameof(tensors));
            int d = NormalizeDim(dim, first.Rank + 1, "stack");
            var expanded = new Tensor[tensors.Count];
            for (int i = 0; i < tensors.Count; i++)
            {
                Tensor t = tensors[i] ?? throw new ArgumentException($"stack: tensor {i} is null", nameof(tensors));
                if (!t.Shape.Equals(first.Shape))
                    throw new ArgumentException(
                        $"stack: expected all tensors to have the same shape, but tensor 0 has shape {first.Shape} and tensor {i} has shape {t.Shape}", nameof(tensors));
                if (t.DType != first.DType)
                    throw new ArgumentException(
                        $"stack: expected all tensors to have dtype {first.DType.Name()} (like tensor 0), but tensor {i} has dtype {t.DType.Name()}", nameof(tensors));
            }
            // One node, StackBackward, over the pieces (Note [Composite ops]).
            return Ops.Composite.Run("StackBackward", [.. tensors], pieces =>
            {
                for (int i = 0; i < pieces.Length; i++) expanded[i] = pieces[i]!.Unsqueeze(d);
                return Cat(expanded, d);
            });
        }

        /// <summary>Picks values along <paramref name="dim"/> by index, like <c>torch.gather</c>.</summary>
        /// <remarks>
        /// For a 3-D input and <c>dim = 1</c>: <c>out[i, j, k] = this[i, index[i, j, k], k]</c>. <paramref name="index"/> is int64,
        /// has the input's rank, and is no larger than the input in every other dimension; <c>out.Shape == index.Shape</c>.
        /// Indices lie in <c>[0, Size(dim))</c>. Repeated indices accumulate in the gradient (its rule is <see cref="ScatterAdd"/>).
        /// </remarks>
        /// <param name="dim">The dimension to index (negative counts from the end).</param>
        /// <param name="index">int64 indices into <paramref name="dim"/>.</param>
        public Tensor Gather(int dim, Tensor index)
        {
            ArgumentNullException.ThrowIfNull(index);
            CheckIndexDType(index, "gather");
            if (index.Rank != Rank)
                throw new ArgumentException(
                    $"gather: expected index of the same rank as the input ({Rank}), got input shape {Shape} and index shape {index.Shape}", nameof(index));
            int d = NormalizeDim(dim, Rank, "gather");
            if (Rank == 0) return Reshape(1).Gather(0, index.Reshape(1)).Reshape();
            for (int k = 0; k < Rank; k++)
                if (k != d && index.Dims[k] > Dims[k])
                    throw new ArgumentException(
                        $"gather: index shape {index.Shape} exceeds input shape {Shape} in dimension {k} ({index.Dims[k]} > {Dims[k]}); only dimension {d} may differ freely",
                        nameof(index));
            Tensor idx = CheckedIndex(index, Dims[d], "gather", $"dimension {d} of size {Dims[d]} (input shape {Shape})");
            var y = Empty(DType, (int[])index.Dims.Clone());
            ReadOnlySpan<long> ix = idx.Span<long>();
            switch (DType)
            {
                case DType.Float32: GatherKernels.Gather(Data<float>(), Offset, StrideArray, d, ix, y.Dims, y.Span<float>()); break;
                case DType.Float64: GatherKernels.Gather(Data<double>(), Offset, StrideArray, d, ix, y.Dims, y.Span<double>()); break;
                case DType.Int64: GatherKernels.Gather(Data<long>(), Offset, StrideArray, d, ix, y.Dims, y.Span<long>()); break;
                case DType.Bool: GatherKernels.Gather(Data<bool>(), Offset, StrideArray, d, ix, y.Dims, y.Span<bool>()); break;
                case DType.BFloat16: GatherKernels.Gather(Data<BFloat16>(), Offset, StrideArray, d, ix, y.Dims, y.Span<BFloat16>()); break;
                case DType.Float16: GatherKernels.Gather(Data<Half>(), Offset, StrideArray, d, ix, y.Dims, y.Span<Half>()); break;
                default: throw DTypeExtensions.Unknown(DType);
            }
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.GatherBackward(this, d, idx));
            return y;
        }

        /// <summary>Adds <paramref name="source"/> into a copy of this tensor at positions given by <paramref name="index"/> along <paramref name="dim"/>, like <c>torch.scatter_add</c>.</summary>
        /// <remarks>
        /// For a 3-D tensor and <c>dim = 1</c>: <c>out[i, index[i, j, k], k] += source[i, j, k]</c> for every position of
        /// <paramref name="index"/>; repeated targets accumulate. <paramref name="index"/> (int64) and <paramref name="source"/> have this
        /// tensor's rank; the index is no larger than <paramref name="source"/> in any dimension nor than this tensor outside
        /// <paramref name="dim"/>. The adjoint of <see cref="Gather"/>: the gradient of <paramref name="source"/> gathers the upstream gradient.
        /// </remarks>
        /// <param name="dim">The dimension to scatter along.</param>
        /// <param name="index">int64 target indices.</param>
        /// <param name="source">The values to add (same dtype as this tensor).</param>
        public Tensor ScatterAdd(int dim, Tensor index, Tensor source)
        {
            (int d, Tensor src, Tensor idx) = ScatterArgs(dim, index, source, "scatter_add");
            if (DType == DType.Bool) throw new ArgumentException("scatter_add: not defined for dtype bool; expected float32, float64 or int64");
            if (Rank == 0) return Reshape(1).ScatterAdd(0, index.Reshape(1), source.Reshape(1)).Reshape();
            Tensor y = CopyRaw();
            Tensor s = src.ContiguousData();
            ReadOnlySpan<long> ix = idx.Span<long>();
            switch (DType)
            {
                case DType.Float32: GatherKernels.ScatterAdd(y.Data<float>(), 0, y.StrideArray, d, ix, idx.Dims, s.Span<float>()); break;
                case DType.Float64: GatherKernels.ScatterAdd(y.Data<double>(), 0, y.StrideArray, d, ix, idx.Dims, s.Span<double>()); break;
                default: GatherKernels.ScatterAdd(y.Data<long>(), 0, y.StrideArray, d, ix, idx.Dims, s.Span<long>()); break;
            }
            if (Autograd.ShouldRecord(this, src)) y.SetGradFn(new Ops.ScatterAddBackward(this, src, d, idx));
            return y;
        }

        /// <summary>
        /// Checks the arguments of scatter and scatter_add; returns the dimension, the source narrowed to the index's shape
        /// and the checked contiguous index (for a 0-d input: the index unchecked, to be reshaped by the caller).
        /// </summary>
        private (int Dim, Tensor Source, Tensor Index) ScatterArgs(int dim, Tensor index, Tensor source, string op)
        {
            ArgumentNullException.ThrowIfNull(index);
            ArgumentNullException.ThrowIfNull(source);
            CheckIndexDType(index, op);
            CheckSameDType(this, source, op);
            if (index.Rank != Rank || source.Rank != Rank)
                throw new ArgumentException(
                    $"{op}: expected index and source of the same rank as the input ({Rank}), got input shape {Shape}, index shape {index.Shape} and source shape {source.Shape}",
                    nameof(index));
            int d = NormalizeDim(dim, Rank, op);
            if (Rank == 0) return (d, source, index);
            Tensor src = source;
            for (int k = 0; k < Rank; k++)
            {
                if (index.Dims[k] > source.Dims[k] || (k != d && index.Dims[k] > Dims[k]))
                    throw new ArgumentException(
                        $"{op}: index shape {index.Shape} exceeds source shape {source.Shape} or input shape {Shape} in dimension {k}; " +
                        $"the index may be no larger than the source anywhere, nor than the input outside dimension {d}", nameof(index));
                if (src.Dims[k] != index.Dims[k]) src = src.Narrow(k, 0, index.Dims[k]);
            }
            return (d, src, CheckedIndex(index, Dims[d], op, $"dimension {d} of size {Dims[d]} (input shape {Shape})"));
        }

        /// <summary>Selects whole slices along <paramref name="dim"/> by index, like <c>torch.index_select</c>.</summary>
        /// <remarks>
        /// <paramref name="index"/> is a 1-D (or 0-d, read as one entry) int64 tensor of values in <c>[0, Size(dim))</c>; the result
        /// has this tensor's shape with <c>Size(dim)</c> replaced by the number of indices. Repeated indices accumulate in the
        /// gradient (its rule is <see cref="IndexAdd"/>).
        /// </remarks>
        /// <param name="dim">The dimension to select along (negative counts from the end).</param>
        /// <param name="index">int64 indices into <paramref name="dim"/>.</param>
        public Tensor IndexSelect(int dim, Tensor index)
        {
            ArgumentNullException.ThrowIfNull(index);
            CheckIndexDType(index, "index_select");
            if (index.Rank > 1)
                throw new ArgumentException($"index_select: expected a 1-D index, got index shape {index.Shape} (input shape {Shape})", nameof(index));
            int d = NormalizeDim(dim, Rank, "index_select");
            if (Rank == 0) return Reshape(1).IndexSelect(0, index).Reshape(index.Dims);
            Tensor idx = CheckedIndex(index, Dims[d], "index_select", $"dimension {d} of size {Dims[d]} (input shape {Shape})");
            idx = idx.Reshape((int)idx.Numel);
            var outDims = (int[])Dims.Clone();
            outDims[d] = (int)idx.Numel;
            Tensor y = IndexSelectRaw(this, d, idx, outDims);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.IndexSelectBackward(this, d, idx));
            return y;
        }

        /// <summary>Adds the slices of <paramref name="source"/> into a copy of this tensor at the indices along <paramref name="dim"/>, like <c>torch.index_add</c>.</summary>
        /// <remarks>
        /// <c>out[..., index[j], ...] += source[..., j, ...]</c> along <paramref name="dim"/>; repeated indices accumulate. <paramref name="source"/> has
        /// this tensor's shape except that <c>source.Size(dim) == index.Numel</c>. The adjoint of <see cref="IndexSelect"/>.
        /// </remarks>
        /// <param name="dim">The dimension to add along.</param>
        /// <param name="index">1-D int64 target indices.</param>
        /// <param name="source">The slices to add (same dtype as this tensor).</param>
        public Tensor IndexAdd(int dim, Tensor index, Tensor source)
        {
            ArgumentNullException.ThrowIfNull(index);
            ArgumentNullException.ThrowIfNull(source);
            CheckIndexDType(index, "index_add");
            CheckSameDType(this, source, "index_add");
            if (DType == DType.Bool) throw new ArgumentException("index_add: not defined for dtype bool; expected float32, float64 or int64");
            if (index.Rank > 1)
                throw new ArgumentException($"index_add: expected a 1-D index, got index shape {index.Shape}", nameof(index));
            int d = NormalizeDim(dim, Rank, "index_add");
            if (Rank == 0) return Reshape(1).IndexAdd(0, index, source.Reshape(-1)).Reshape();
            bool match = source.Rank == Rank && source.Dims[d] == index.Numel;
            for (int k = 0; match && k < Rank; k++) match = k == d || source.Dims[k] == Dims[k];
            if (!match)
                throw new ArgumentException(
                    $"index_add: expected source of shape {Shape} with dimension {d} replaced by the index length {index.Numel}, got source shape {source.Shape}",
                    nameof(source));
            Tensor idx = CheckedIndex(index, Dims[d], "index_add", $"dimension {d} of size {Dims[d]} (input shape {Shape})");
            idx = idx.Reshape((int)idx.Numel);
            Tensor y = CopyRaw();
            IndexAddRaw(y, d, idx, source);
            if (Autograd.ShouldRecord(this, source)) y.SetGradFn(new Ops.IndexAddBackward(this, source, d, idx));
            return y;
        }

        /// <summary><c>dst[..., index[j], ...] = src[..., j, ...]</c> along <paramref name="dim"/>; no validation, no recording.</summary>
        internal static Tensor IndexSelectRaw(Tensor src, int dim, Tensor index, int[] outDims)
        {
            var y = Empty(src.DType, outDims);
            (int outer, int size, int inner) = SplitAt(src.Dims, dim);
            Tensor s = src.ContiguousData();
            ReadOnlySpan<long> ix = index.Span<long>();
            switch (src.DType)
            {
                case DType.Float32: GatherKernels.IndexSelect<float>(s.Span<float>(), outer, size, inner, ix, y.Span<float>()); break;
                case DType.Float64: GatherKernels.IndexSelect<double>(s.Span<double>(), outer, size, inner, ix, y.Span<double>()); break;
                case DType.Int64: GatherKernels.IndexSelect<long>(s.Span<long>(), outer, size, inner, ix, y.Span<long>()); break;
                case DType.Bool: GatherKernels.IndexSelect<bool>(s.Span<bool>(), outer, size, inner, ix, y.Span<bool>()); break;
                case DType.BFloat16: GatherKernels.IndexSelect<BFloat16>(s.Span<BFloat16>(), outer, size, inner, ix, y.Span<BFloat16>()); break;
                case DType.Float16: GatherKernels.IndexSelect<Half>(s.Span<Half>(), outer, size, inner, ix, y.Span<Half>()); break;
                default: throw DTypeExtensions.Unknown(src.DType);
            }
            return y;
        }

        /// <summary>Adds <paramref name="source"/>'s slices into contiguous <paramref name="dst"/> in place; no validation, no recording.</summary>
        internal static void IndexAddRaw(Tensor dst, int dim, Tensor index, Tensor source)
        {
            (int outer, int size, int inner) = SplitAt(dst.Dims, dim);
            Tensor s = source.ContiguousData();
            ReadOnlySpan<long> ix = index.Span<long>();
            switch (dst.DType)
            {
                case DType.Float32: GatherKernels.IndexAdd<float>(dst.Span<float>(), outer, size, inner, ix, s.Span<float>()); break;
                case DType.Float64: GatherKernels.IndexAdd<double>(dst.Span<double>(), outer, size, inner, ix, s.Span<double>()); break;
                default: GatherKernels.IndexAdd<long>(dst.Span<long>(), outer, size, inner, ix, s.Span<long>()); break;
            }
        }

        private static (int Outer, int Size, int Inner) SplitAt(int[] dims, int dim)
        {
            int outer = 1, inner = 1;
            for (int k = 0; k < dim; k++) outer *= dims[k];
            for (int k = dim + 1; k < dims.Length; k++) inner *= dims[k];
            return (outer, dims[dim], inner);
        }

        /// <summary>A contiguous unrecorded copy with its own storage.</summary>
        private Tensor CopyRaw()
        {
            var y = Empty(DType, (int[])Dims.Clone());
            CopyInto(y);
            return y;
        }

        internal static void CheckIndexDType(Tensor index, string op)
        {
            if (index.DType != DType.Int64)
                throw new ArgumentException(
                    $"{op}: expected an index of dtype int64, got dtype {index.DType.Name()} (index shape {index.Shape}); convert with .To(DType.Int64)", nameof(index));
        }

        /// <summary>The index as a contiguous tensor, after checking every value lies in <c>[0, size)</c>.</summary>
        /// <param name="index">The int64 index.</param>
        /// <param name="size">The number of valid positions.</param>
        /// <param name="op">The op name for messages.</param>
        /// <param name="target">What is being indexed, for messages (for example <c>dimension 1 of size 4 (input shape [3, 4])</c>).</param>
        internal static Tensor CheckedIndex(Tensor index, int size, string op, string target)
        {
            Tensor c = index.ContiguousData();
            ReadOnlySpan<long> s = c.Span<long>();
            for (int i = 0; i < s.Length; i++)
                if ((ulong)s[i] >= (ulong)size)
                    throw new ArgumentOutOfRangeException(nameof(index),
                        $"{op}: index {s[i]} is out of range for {target}; " + (size == 0 ? "the dimension is empty, so no index is valid" : $"expected 0 to {size - 1}"));
            return c;
        }
    }
}

namespace Nabla.Ops
{
    // d cat(x_0, ..., x_n)/dx_i: the slice of the gradient where x_i was placed
    internal sealed class CatBackward(Tensor[] pieces, int dim, int[] sizes) : Node(pieces)
    {
        public override Tensor?[] Backward(Tensor g)
        {
            var grads = new Tensor?[sizes.Length];
            int offset = 0;
            for (int i = 0; i < sizes.Length; i++)
            {
                if (sizes[i] < 0) continue;
                if (NeedsGrad(i)) grads[i] = g.Narrow(dim, offset, sizes[i]);
                offset += sizes[i];
            }
            return grads;
        }
    }

    // d gather(x, idx)/dx: each gradient entry is added back where it was read (scatter-add, repeats accumulate)
    internal sealed class GatherBackward : Node
    {
        private readonly int[] _dims;
        private readonly int _dim;

        public GatherBackward(Tensor x, int dim, Tensor index) : base(x)
        {
            Save(index);
            (_dims, _dim) = (x.Dims, dim);
        }

        public override Tensor?[] Backward(Tensor g) => [Tensor.Zeros(_dims, g.DType).ScatterAdd(_dim, Saved(0), g)];
    }

    // d scatter_add(x, idx, s)/dx = 1, d/ds: gather the gradient at the targets
    internal sealed class ScatterAddBackward : Node
    {
        private readonly int _dim;

        public ScatterAddBackward(Tensor x, Tensor source, int dim, Tensor index) : base(x, source)
        {
            Save(index);
            _dim = dim;
        }

        public override Tensor?[] Backward(Tensor g) => [NeedsGrad(0) ? g : null, NeedsGrad(1) ? g.Gather(_dim, Saved(0)) : null];
    }

    // d index_select(x, idx)/dx: each gradient slice is added back at its index (index-add, repeats accumulate)
    internal sealed class IndexSelectBackward : Node
    {
        private readonly int[] _dims;
        private readonly int _dim;

        public IndexSelectBackward(Tensor x, int dim, Tensor index) : base(x)
        {
            Save(index);
            (_dims, _dim) = (x.Dims, dim);
        }

        public override Tensor?[] Backward(Tensor g) => [Tensor.Zeros(_dims, g.DType).IndexAdd(_dim, Saved(0), g)];
    }

    // d index_add(x, idx, s)/dx = 1, d/ds: select the gradient slices at the indices
    internal sealed class IndexAddBackward : Node
    {
        private readonly int _dim;

        public IndexAddBackward(Tensor x, Tensor source, int dim, Tensor index) : base(x, source)
        {
            Save(index);
            _dim = dim;
        }

        public override Tensor?[] Backward(Tensor g) => [NeedsGrad(0) ? g : null, NeedsGrad(1) ? g.IndexSelect(_dim, Saved(0)) : null];
    }
}
