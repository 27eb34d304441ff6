using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Sorts along <paramref name="dim"/>, like <c>torch.sort(input, dim, descending, stable=True)</c>.</summary>
        /// <remarks>
        /// <c>Values</c> has this tensor's shape, sorted ascending (or <paramref name="descending"/>) along <paramref name="dim"/>;
        /// <c>Indices</c> (int64) holds each value's source position along <paramref name="dim"/>. The sort is stable (equal values
        /// keep their order, in both directions) and NaN sorts above every number (last ascending, first descending), as in
        /// PyTorch. The gradient of <c>Values</c> goes back to the source positions. A 0-d tensor sorts to itself, index 0.
        /// </remarks>
        /// <param name="dim">The dim to sort along (negative counts from the end; default the last).</param>
        /// <param name="descending">Largest first.</param>
        public (Tensor Values, Tensor Indices) Sort(int dim = -1, bool descending = false)
        {
            int d = CheckSortable(dim, "sort");
            var (values, indices) = SelectAlong(d, Rank == 0 ? 1 : Dims[d], descending, withValues: true);
            if (Autograd.ShouldRecord(this)) values!.SetGradFn(new Ops.ValueSelectingBackward("SortBackward", this, d, indices));
            return (values!, indices);
        }

        /// <summary>The int64 permutation that sorts along <paramref name="dim"/>, like <c>torch.argsort(input, dim, descending)</c>.</summary>
        /// <remarks>The indices of <see cref="Sort"/> (stable, NaN above every number), without the values; never recorded.</remarks>
        /// <param name="dim">The dim to sort along (negative counts from the end; default the last).</param>
        /// <param name="descending">Largest first.</param>
        public Tensor ArgSort(int dim = -1, bool descending = false)
        {
            int d = CheckSortable(dim, "argsort");
            return SelectAlong(d, Rank == 0 ? 1 : Dims[d], descending, withValues: false).Indices;
        }

        /// <summary>The <paramref name="k"/> largest (or smallest) elements along <paramref name="dim"/>, like <c>torch.topk</c>.</summary>
        /// <remarks>
        /// <c>Values</c> and <c>Indices</c> (int64, source positions along <paramref name="dim"/>) have this tensor's shape with
        /// <paramref name="dim"/> of size <paramref name="k"/>, <c>0 &lt;= k &lt;= Size(dim)</c>. They are always in sorted order
        /// (descending for <paramref name="largest"/>, ascending otherwise): <paramref name="sorted"/> = false allows any order
        /// in PyTorch and gets this one. Ties are taken in source order, and NaN counts as the largest value. The gradient of
        /// <c>Values</c> goes back to the source positions.
        /// </remarks>
        /// <param name="k">How many elements to keep.</param>
        /// <param name="dim">The dim to select along (negative counts from the end; default the last).</param>
        /// <param name="largest">The largest elements (true) or the smallest.</param>
        /// <param name="sorted">Accepted for PyTorch's signature; the result is sorted either way.</param>
        public (Tensor Values, Tensor Indices) TopK(int k, int dim = -1, bool largest = true, bool sorted = true)
        {
            _ = sorted;
            int d = CheckSortable(dim, "topk");
            int size = Rank == 0 ? 1 : Dims[d];
            if (k < 0 || k > size)
                throw new ArgumentOutOfRangeException(nameof(k),
                    $"topk: k = {k} is out of range for dimension {d} of size {size} (input shape {Shape}); expected 0 to {size}");
            // NOTE: a 0-d tensor is its own top-k for k = 0 and 1 alike, as in PyTorch (there is no empty 0-d result).
            var (values, indices) = SelectAlong(d, Rank == 0 ? 1 : k, descending: largest, withValues: true);
            if (Autograd.ShouldRecord(this)) values!.SetGradFn(new Ops.ValueSelectingBackward("TopkBackward", this, d, indices));
            return (values!, indices);
        }

        private int CheckSortable(int dim, string op)
        {
            if (DType == DType.Bool) throw new ArgumentException($"{op}: not defined for bool tensors (shape {Shape}); convert with To(DType.Int64)");
            return NormalizeDim(dim, Rank, op);
        }

        /// <summary>The first <paramref name="k"/> elements along normalised <paramref name="d"/> in sort order (Note [Sort order]); unrecorded.</summary>
        private (Tensor? Values, Tensor Indices) SelectAlong(int d, int k, bool descending, bool withValues)
        {
            if (DType.IsHalf()) // See Note [Half compute]: the order of the float32 values is the order of the 16-bit ones
            {
                var (wide, at) = ConvertData(DType.Float32).SelectAlong(d, k, descending, withValues);
                return (wide?.ConvertData(DType), at);
            }
            var (data, outer, size, inner) = AxisLayout(d);
            int[] outDims = (int[])Dims.Clone();
            if (Rank > 0) outDims[d] = k;
            Tensor? values = withValues ? Empty(DType, outDims) : null;
            Tensor indices = Empty(DType.Int64, outDims);
            long[] ix = indices.Data<long>();
            switch (DType)
            {
                case DType.Float32: AxisSelection.Sort(data.Data<float>(), data.Offset, outer, size, inner, k, descending, values?.Data<float>(), ix); break;
                case DType.Float64: AxisSelection.Sort(data.Data<double>(), data.Offset, outer, size, inner, k, descending, values?.Data<double>(), ix); break;
                case DType.Int64: AxisSelection.Sort(data.Data<long>(), data.Offset, outer, size, inner, k, descending, values?.Data<long>(), ix); break;
                default: throw DTypeExtensions.Unknown(DType);
            }
            return (values, indices);
        }
    }
}
