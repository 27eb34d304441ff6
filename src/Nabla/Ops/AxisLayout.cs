namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>
        /// This tensor as a contiguous [outer, size, inner] block whose middle axis holds the dims of <paramref name="mask"/>
        /// (Note [Axis layout]): without a copy when the tensor is contiguous and those dims are adjacent (size-1 dims do not
        /// count), otherwise a copy with the masked dims moved last (inner = 1).
        /// </summary>
        internal (Tensor Data, int Outer, int Size, int Inner) AxisLayout(bool[] mask)
        {
            if (IsContiguous)
            {
                int first = -1, last = -1;
                for (int i = 0; i < Rank; i++)
                    if (mask[i] && Dims[i] != 1)
                    {
                        if (first < 0) first = i;
                        last = i;
                    }
                if (first < 0) return (this, (int)Numel, 1, 1);
                bool adjacent = true;
                for (int i = first; i <= last; i++) adjacent &= mask[i] || Dims[i] == 1;
                if (adjacent)
                {
                    int outer = 1, size = 1, inner = 1;
                    for (int i = 0; i < Rank; i++)
                        if (i < first) outer *= Dims[i];
                        else if (i > last) inner *= Dims[i];
                        else size *= Dims[i];
                    return (this, outer, size, inner);
                }
            }
            var (data, rows, length) = RowsForReduction(mask);
            return (data, rows, length, 1);
        }

        /// <summary>
        /// This tensor as a contiguous [outer, size, inner] block along one (normalised) dim, in its own dim order (a
        /// contiguous copy when it is not contiguous), so that an output keeping the dim (a scan, a sort) has the same layout.
        /// </summary>
        internal (Tensor Data, int Outer, int Size, int Inner) AxisLayout(int dim)
        {
            if (Rank == 0) return (ContiguousData(), 1, 1, 1);
            int outer = 1, inner = 1;
            for (int i = 0; i < dim; i++) outer *= Dims[i];
            for (int i = dim + 1; i < Rank; i++) inner *= Dims[i];
            return (ContiguousData(), outer, Dims[dim], inner);
        }

        /// <summary>Whether some element is zero (a floating-point tensor; -0 counts, NaN does not).</summary>
        internal bool HasZero()
        {
            Tensor c = DType.IsHalf() ? ConvertData(DType.Float32) : ContiguousData(); // See Note [Half compute]
            return c.DType == DType.Float32 ? Kernels.AxisReductions.ContainsZero<float>(c.Span<float>()) : Kernels.AxisReductions.ContainsZero<double>(c.Span<double>());
        }

        /// <summary>Runs <paramref name="op"/> over the dims of <paramref name="mask"/> into a new tensor of <paramref name="dtype"/> (the element type <typeparamref name="T"/>).</summary>
        internal Tensor ReduceAxis<T, TOp>(bool[] mask, bool keepDim, TOp op, DType dtype) where TOp : struct, Kernels.IAxisReduction<T>
        {
            var (data, outer, size, inner) = AxisLayout(mask);
            var y = Empty(dtype, KeptDims(mask, keepDim));
            Kernels.AxisReductions.Reduce(op, data.Data<T>(), data.Offset, outer, size, inner, y.Data<T>());
            return y;
        }
    }
}
