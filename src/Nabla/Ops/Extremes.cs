using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Maximum value over all elements (0-d), like <c>torch.max(input)</c>; ties split the gradient evenly.</summary>
        /// <remarks>A tensor holding NaN has maximum NaN, and the gradient goes to its NaN elements. See docs/gradients.md.</remarks>
        public Tensor Max() => ExtremeValues(null, false, max: true, all: true);

        /// <summary>Minimum value over all elements (0-d), like <c>torch.min(input)</c>; the tie and NaN rules are <see cref="Max()"/>'s.</summary>
        public Tensor Min() => ExtremeValues(null, false, max: false, all: true);

        /// <summary>The maximum along <paramref name="dim"/> and where it is, like <c>torch.max(input, dim, keepdim)</c>.</summary>
        /// <remarks>
        /// <c>Values</c> has this tensor's shape without <paramref name="dim"/> (kept with size 1 under <paramref name="keepDim"/>),
        /// <c>Indices</c> (int64, same shape) the position along <paramref name="dim"/> of the first maximal element; NaN counts
        /// as the maximum. The gradient of <c>Values</c> goes to that one position, as in PyTorch; <see cref="Amax(int, bool)"/>
        /// is the values-only reduction that splits it among ties. A 0-d tensor is its own maximum at index 0.
        /// </remarks>
        public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => ExtremeWithIndices(dim, keepDim, max: true);

        /// <summary>The minimum along <paramref name="dim"/> and where it is, like <c>torch.min(input, dim, keepdim)</c>.</summary>
        /// <remarks>The shapes, tie and NaN rules are <see cref="Max(int, bool)"/>'s with the first minimal element.</remarks>
        public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => ExtremeWithIndices(dim, keepDim, max: false);

        /// <summary>Maximum values over <paramref name="dims"/> (all when null), like <c>torch.amax</c>; ties split the gradient evenly.</summary>
        /// <remarks>
        /// The gradient of an output is divided evenly among the elements of its group equal to it. A group holding NaN has
        /// value NaN and its whole gradient is NaN (PyTorch's amax). See docs/gradients.md.
        /// </remarks>
        public Tensor Amax(int[]? dims = null, bool keepDim = false) => ExtremeValues(dims, keepDim, max: true, all: false);

        /// <summary>Maximum values over one dim, like <c>torch.amax(input, dim)</c>.</summary>
        public Tensor Amax(int dim, bool keepDim = false) => Amax([dim], keepDim);

        /// <summary>Minimum values over <paramref name="dims"/> (all when null), like <c>torch.amin</c>; ties split the gradient evenly.</summary>
        /// <remarks>The tie and NaN rules are <see cref="Amax(int[], bool)"/>'s.</remarks>
        public Tensor Amin(int[]? dims = null, bool keepDim = false) => ExtremeValues(dims, keepDim, max: false, all: false);

        /// <summary>Minimum values over one dim, like <c>torch.amin(input, dim)</c>.</summary>
        public Tensor Amin(int dim, bool keepDim = false) => Amin([dim], keepDim);

        /// <summary>Indices (int64) of the maximum along <paramref name="dim"/>, or into the flattened tensor when null; first occurrence wins.</summary>
        public Tensor ArgMax(int? dim = null, bool keepDim = false) => ArgExtreme(dim, keepDim, max: true);

        /// <summary>Indices (int64) of the minimum along <paramref name="dim"/>, or into the flattened tensor when null.</summary>
        public Tensor ArgMin(int? dim = null, bool keepDim = false) => ArgExtreme(dim, keepDim, max: false);

        private Tensor ExtremeValues(int[]? dims, bool keepDim, bool max, bool all)
        {
            string op = all ? (max ? "max" : "min") : (max ? "amax" : "amin");
            if (DType == DType.Bool) throw new ArgumentException($"{op}: not defined for bool tensors; convert with To(DType.Int64)");
            bool[] mask = ReduceMask(dims, op);
            if (ReducedCount(mask) == 0)
                throw new ArgumentException($"{op}: cannot reduce an empty dimension (shape {Shape}); there is no identity for {op}");
            Tensor y = DType switch
            {
                DType.Float32 => ReduceAxis<float, ExtremeReduction<float>>(mask, keepDim, new(max), DType),
                DType.Float64 => ReduceAxis<double, ExtremeReduction<double>>(mask, keepDim, new(max), DType),
                DType.Int64 => ReduceAxis<long, ExtremeReduction<long>>(mask, keepDim, new(max), DType),
                // See Note [Half compute]: selecting a value is exact in float32.
                _ => ConvertData(DType.Float32).ReduceAxis<float, ExtremeReduction<float>>(mask, keepDim, new(max), DType.Float32).ConvertData(DType),
            };
            if (Autograd.ShouldRecord(this))
            {
                int[] kept = KeptDims(mask, true), reduced = ReducedDims(mask);
                y.SetGradFn(all ? (max ? new Ops.MaxBackward(this, y, kept, reduced) : new Ops.MinBackward(this, y, kept, reduced))
                    : max ? new Ops.AmaxBackward(this, y, kept, reduced) : new Ops.AminBackward(this, y, kept, reduced));
            }
            return y;
        }

        private (Tensor Values, Tensor Indices) ExtremeWithIndices(int dim, bool keepDim, bool max)
        {
            string op = max ? "max" : "min";
            if (DType == DType.Bool) throw new ArgumentException($"{op}: not defined for bool tensors; convert with To(DType.Int64)");
            int d = NormalizeDim(dim, Rank, op);
            (Tensor values, Tensor indices) = ExtremeIndicesRaw(d, keepDim, max, op);
            if (Autograd.ShouldRecord(this))
                values.SetGradFn(new Ops.ValueSelectingBackward(max ? "MaxBackward" : "MinBackward", this, d, KeptIndices(indices, d, keepDim)));
            return (values, indices);
        }

        /// <summary>Values and int64 indices of the extremes along normalised <paramref name="d"/>; unrecorded.</summary>
        private (Tensor Values, Tensor Indices) ExtremeIndicesRaw(int d, bool keepDim, bool max, string op)
        {
            if (Rank > 0 && Dims[d] == 0) throw new ArgumentException($"{op}: cannot reduce an empty dimension (shape {Shape}, dimension {d})");
            if (DType.IsHalf()) // See Note [Half compute]
            {
                var (wide, at) = ConvertData(DType.Float32).ExtremeIndicesRaw(d, keepDim, max, op);
                return (wide.ConvertData(DType), at);
            }
            var (data, outer, size, inner) = AxisLayout(d);
            int[] outDims = Rank == 0 ? [] : KeptDims(DimMask(d), keepDim);
            Tensor values = Empty(DType, outDims), indices = Empty(DType.Int64, outDims);
            long[] ix = indices.Data<long>();
            switch (DType)
            {
                case DType.Float32: AxisSelection.Extreme(data.Data<float>(), data.Offset, outer, size, inner, max, values.Data<float>(), ix); break;
                case DType.Float64: AxisSelection.Extreme(data.Data<double>(), data.Offset, outer, size, inner, max, values.Data<double>(), ix); break;
                case DType.Int64: AxisSelection.Extreme(data.Data<long>(), data.Offset, outer, size, inner, max, values.Data<long>(), ix); break;
                default: throw DTypeExtensions.Unknown(DType);
            }
            return (values, indices);
        }

        private Tensor ArgExtreme(int? dim, bool keepDim, bool max)
        {
            string op = max ? "argmax" : "argmin";
            if (DType == DType.Bool) throw new ArgumentException($"{op}: not defined for bool tensors; convert with To(DType.Int64)");
            if (dim is { } d) return ExtremeIndicesRaw(NormalizeDim(d, Rank, op), keepDim, max, op).Indices;
            if (Numel == 0) throw new ArgumentException($"{op}: cannot reduce an empty dimension (shape {Shape})");
            Tensor flat = Detach().Reshape((int)Numel);
            Tensor index = flat.ExtremeIndicesRaw(0, false, max, op).Indices;
            return keepDim ? index.Reshape(KeptDims(ReduceMask(null, op), true)) : index;
        }

        /// <summary>A mask with only dim <paramref name="d"/> set.</summary>
        internal bool[] DimMask(int d)
        {
            var mask = new bool[Rank];
            if (Rank > 0) mask[d] = true;
            return mask;
        }

        /// <summary>Indices of a reduction along <paramref name="d"/> with that dim kept (size 1), for scattering the gradient back.</summary>
        private Tensor KeptIndices(Tensor indices, int d, bool keepDim) => keepDim || Rank == 0 ? indices : indices.Reshape(KeptDims(DimMask(d), true));
    }
}

namespace Nabla.Ops
{
    // d max(x)/dx = [x == max] / (number of ties in the slice), counted over exactly the reduced dims (of any size,
    // 1 included). A NaN slice: amax's rule over dims (no element equals NaN, so 0/0 = NaN everywhere), torch.max()'s
    // over all elements (the NaN elements share the gradient).
    internal abstract class ExtremeBackward : Node
    {
        private readonly int[] _keptDims, _reducedDims;
        private readonly bool _all;

        protected ExtremeBackward(Tensor x, Tensor y, int[] keptDims, int[] reducedDims, bool all) : base(x)
        {
            Save(x);
            Save(y);
            (_keptDims, _reducedDims, _all) = (keptDims, reducedDims, all);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0).Detach(), y = Saved(1).Detach().Reshape(_keptDims);
            Tensor hit = x.Eq(y);
            if (_all) hit = hit.LogicalOr(x.Ne(x).LogicalAnd(y.Ne(y)));
            Tensor mask = hit.To(g.DType);
            return [g.Reshape(_keptDims) * mask / mask.Sum(_reducedDims, keepDim: true)];
        }
    }

    internal sealed class MaxBackward(Tensor x, Tensor y, int[] keptDims, int[] reducedDims)
        : ExtremeBackward(x, y, keptDims, reducedDims, all: true);

    internal sealed class MinBackward(Tensor x, Tensor y, int[] keptDims, int[] reducedDims)
        : ExtremeBackward(x, y, keptDims, reducedDims, all: true);

    internal sealed class AmaxBackward(Tensor x, Tensor y, int[] keptDims, int[] reducedDims)
        : ExtremeBackward(x, y, keptDims, reducedDims, all: false);

    internal sealed class AminBackward(Tensor x, Tensor y, int[] keptDims, int[] reducedDims)
        : ExtremeBackward(x, y, keptDims, reducedDims, all: false);

    // Ops that select values by position (max/min along a dim, sort, topk): d out[p]/dx = 1 at the source position
    // indices[p] along dim, 0 elsewhere, so the gradient is scattered back (PyTorch's value_selecting_reduction_backward).
    // Named after its op (MaxBackward, SortBackward, ...). indices has x's rank (a reduced dim kept with size 1).
    internal sealed class ValueSelectingBackward : Node
    {
        private readonly int[] _inputDims;
        private readonly int _dim;

        public ValueSelectingBackward(string name, Tensor x, int dim, Tensor indices) : base(name, x)
        {
            Save(indices);
            (_inputDims, _dim) = (x.Dims, dim);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor indices = Saved(0);
            return [Tensor.Zeros(_inputDims, g.DType).ScatterAdd(_dim, indices, g.Reshape(indices.Dims))];
        }
    }
}
