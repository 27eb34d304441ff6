using System.Numerics.Tensors;
using Nabla.Graph;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Which dims a reduction covers: all when <paramref name="dims"/> is null.</summary>
        internal bool[] ReduceMask(int[]? dims, string op)
        {
            var mask = new bool[Rank];
            if (dims is null) { Array.Fill(mask, true); return mask; }
            foreach (int d in dims)
            {
                int n = NormalizeDim(d, Rank, op);
                if (Rank == 0) continue;
                if (mask[n]) throw new ArgumentException($"{op}: dimension {n} appears more than once in {Shape.Format(dims)}");
                mask[n] = true;
            }
            return mask;
        }

        internal int[] KeptDims(bool[] mask, bool keepDim)
        {
            var dims = new List<int>();
            for (int i = 0; i < Rank; i++)
                if (!mask[i]) dims.Add(Dims[i]);
                else if (keepDim) dims.Add(1);
            return [.. dims];
        }

        /// <summary>
        /// Lays the tensor out as [outer, inner] rows with the reduced dims last (contiguous), for row reductions.
        /// Returns the permuted contiguous data, the row count and the row length.
        /// </summary>
        internal (Tensor Data, int Rows, int RowLength) RowsForReduction(bool[] mask)
        {
            var kept = new List<int>();
            var reduced = new List<int>();
            for (int i = 0; i < Rank; i++) (mask[i] ? reduced : kept).Add(i);
            int rowLength = 1;
            foreach (int d in reduced) rowLength *= Dims[d];
            int rows = 1;
            foreach (int d in kept) rows *= Dims[d];
            Tensor src = this;
            int[] perm = [.. kept, .. reduced];
            bool identity = true;
            for (int i = 0; i < perm.Length; i++) identity &= perm[i] == i;
            if (!identity)
            {
                var nd = new int[Rank];
                var ns = new int[Rank];
                for (int i = 0; i < Rank; i++) { nd[i] = Dims[perm[i]]; ns[i] = StrideArray[perm[i]]; }
                src = new Tensor(Storage, nd, ns, Offset);
            }
            return (src.ContiguousData(), rows, rowLength);
        }

        internal Tensor SumRaw(bool[] mask, bool keepDim)
        {
            if (DType.IsHalf()) return ConvertData(DType.Float32).SumRaw(mask, keepDim).ConvertData(DType); // See Note [Half compute]: float32 sums
            int[] outDims = KeptDims(mask, keepDim);
            var y = Empty(DType, outDims, zeroed: true);
            if (Numel == 0) return y;
            // Fast path: reducing leading dims of a contiguous tensor = adding its rows (bias gradients).
            int lead = 0;
            while (lead < Rank && mask[lead]) lead++;
            bool leadingOnly = lead > 0 && IsContiguous;
            for (int i = lead; i < Rank; i++) leadingOnly &= !mask[i];
            if (leadingOnly && lead < Rank)
            {
                int rowLen = (int)(Numel / RowCount(lead));
                switch (DType)
                {
                    case DType.Float32: Kernels.RowReductions.AddRows(Data<float>(), Offset, (int)Numel, rowLen, y.Data<float>()); break;
                    case DType.Float64: Kernels.RowReductions.AddRows(Data<double>(), Offset, (int)Numel, rowLen, y.Data<double>()); break;
                    case DType.Int64: Kernels.RowReductions.AddRows(Data<long>(), Offset, (int)Numel, rowLen, y.Data<long>()); break;
                    default: throw new ArgumentException("sum: not defined for bool tensors; convert with To(DType.Int64)");
                }
                return y;
            }
            var (data, rows, len) = RowsForReduction(mask);
            switch (DType)
            {
                case DType.Float32: Kernels.RowReductions.SumRows(data.Data<float>(), data.Offset, rows, len, y.Data<float>()); break;
                case DType.Float64: Kernels.RowReductions.SumRows(data.Data<double>(), data.Offset, rows, len, y.Data<double>()); break;
                case DType.Int64: Kernels.RowReductions.SumRows(data.Data<long>(), data.Offset, rows, len, y.Data<long>()); break;
                default: throw new ArgumentException("sum: not defined for bool tensors; convert with To(DType.Int64)");
            }
            return y;
        }

        private long RowCount(int lead)
        {
            long n = 1;
            for (int i = 0; i < lead; i++) n *= Dims[i];
            return n;
        }

        /// <summary>Sum over all elements (0-d result).</summary>
        public Tensor Sum() => Sum((int[]?)null);

        /// <summary>Sum over <paramref name="dim"/>; with <paramref name="keepDim"/> the reduced dim stays with size 1.</summary>
        public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

        /// <summary>Sum over several dims (all when null).</summary>
        /// <remarks>A bool tensor sums to int64 (the number of true elements), as in PyTorch.</remarks>
        public Tensor Sum(int[]? dims, bool keepDim = false)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).Sum(dims, keepDim); // Note [Autocast policy]
            if (DType == DType.Bool) return To(DType.Int64).Sum(dims, keepDim);
            bool[] mask = ReduceMask(dims, "sum");
            Tensor y = SumRaw(mask, keepDim);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.SumBackward(this, KeptDims(mask, true)));
            return y;
        }

        /// <summary>Mean over all elements.</summary>
        public Tensor Mean() => Mean((int[]?)null);

        /// <summary>Mean over <paramref name="dim"/>.</summary>
        public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

        /// <summary>Mean over several dims (all when null). Divides the sum by the number of reduced elements.</summary>
        /// <remarks>
        /// A bool tensor gives the fraction of true elements as float32 (the exact int64 count divided once), so that
        /// <c>pred.Eq(y).Mean()</c> is an accuracy; PyTorch 1.13 refuses the mean of a bool tensor. An int64 tensor is refused.
        /// </remarks>
        public Tensor Mean(int[]? dims, bool keepDim = false)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).Mean(dims, keepDim); // Note [Autocast policy]
            if (DType != DType.Bool) CheckFloat(this, "mean");
            bool[] mask = ReduceMask(dims, "mean");
            long n = ReducedCount(mask);
            if (DType == DType.Bool) return Sum(dims, keepDim) / n; // an int64 count, divided once: never recorded
            Tensor y;
            using (Autograd.NoGrad()) y = Sum(dims, keepDim) / n;
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.MeanBackward(this, KeptDims(mask, true), n));
            return y;
        }

        internal static int[] ReducedDims(bool[] mask)
        {
            var dims = new List<int>();
            for (int i = 0; i < mask.Length; i++) if (mask[i]) dims.Add(i);
            return [.. dims];
        }

        internal long ReducedCount(bool[] mask)
        {
            long n = 1;
            for (int i = 0; i < Rank; i++) if (mask[i]) n *= Dims[i];
            return n;
        }

        /// <summary>Variance over dims (all when null); <paramref name="unbiased"/> divides by n-1, otherwise by n.</summary>
        public Tensor Var(int[]? dims = null, bool unbiased = true, bool keepDim = false)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).Var(dims, unbiased, keepDim); // Note [Autocast policy]
            CheckFloat(this, "var");
            bool[] mask = ReduceMask(dims, "var");
            long n = ReducedCount(mask);
            return Ops.Composite.Run("VarBackward", this, x =>
            {
                Tensor centered = x - x.Mean(dims, keepDim: true);
                return (centered * centered).Sum(dims, keepDim) / (double)(unbiased ? n - 1 : n);
            });
        }

        /// <summary>Variance over one dim.</summary>
        public Tensor Var(int dim, bool unbiased = true, bool keepDim = false) => Var([dim], unbiased, keepDim);

        /// <summary>Standard deviation: the square root of <see cref="Var(int[], bool, bool)"/>.</summary>
        /// <remarks>Where the standard deviation is 0 (a constant slice) the gradient is 0, as in PyTorch, not 0 * inf = NaN.</remarks>
        public Tensor Std(int[]? dims = null, bool unbiased = true, bool keepDim = false)
        {
            Tensor v = Var(dims, unbiased, keepDim);
            Tensor y;
            using (Autograd.NoGrad()) y = v.Sqrt();
            if (Autograd.ShouldRecord(v)) y.SetGradFn(new Ops.StdBackward(v, y));
            return y;
        }

        /// <summary>Standard deviation over one dim.</summary>
        public Tensor Std(int dim, bool unbiased = true, bool keepDim = false) => Std([dim], unbiased, keepDim);

        /// <summary>Stable log(sum(exp(x))) over dims: <c>m + log(sum(exp(x - m)))</c> with m the max.</summary>
        public Tensor LogSumExp(int[] dims, bool keepDim = false)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).LogSumExp(dims, keepDim); // Note [Autocast policy]
            ArgumentNullException.ThrowIfNull(dims);
            CheckFloat(this, "logsumexp");
            // NOTE: subtracting the (detached) max keeps exp() from overflowing at logits of +-1000; the max
            // cancels exactly in the gradient, so it needs no gradient of its own.
            Tensor m = MaxOver(dims).Detach();
            bool[] mask = ReduceMask(dims, "logsumexp");
            return Ops.Composite.Run("LogsumexpBackward", this, x =>
            {
                Tensor y = (x - m).Exp().Sum(dims, keepDim: true).Log() + m;
                return keepDim ? y : y.SqueezeDims(mask);
            });
        }

        /// <summary>Stable log-sum-exp over one dim.</summary>
        public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp([dim], keepDim);

        /// <summary>Softmax along <paramref name="dim"/>: <c>exp(x - max) / sum(exp(x - max))</c>.</summary>
        public Tensor Softmax(int dim)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).Softmax(dim); // Note [Autocast policy]
            CheckFloat(this, "softmax");
            if (DType.IsHalf()) return Ops.HalfCompute.Run(this, x => x.Softmax(dim));
            if (Ops.FusedSoftmax.Applies(this, dim)) return Ops.FusedSoftmax.Forward(this, log: false); // Note [Fused softmax]
            Tensor m = MaxOver([dim]).Detach();
            return Ops.Composite.Run("SoftmaxBackward", this, x =>
            {
                Tensor e = (x - m).Exp();
                return e / e.Sum(dim, keepDim: true);
            });
        }

        /// <summary>Log-softmax along <paramref name="dim"/>: <c>x - max - log(sum(exp(x - max)))</c>, stable.</summary>
        public Tensor LogSoftmax(int dim)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).LogSoftmax(dim); // Note [Autocast policy]
            CheckFloat(this, "log_softmax");
            if (DType.IsHalf()) return Ops.HalfCompute.Run(this, x => x.LogSoftmax(dim));
            if (Ops.FusedSoftmax.Applies(this, dim)) return Ops.FusedSoftmax.Forward(this, log: true); // Note [Fused softmax]
            Tensor m = MaxOver([dim]).Detach();
            return Ops.Composite.Run("LogSoftmaxBackward", this, x =>
            {
                Tensor shifted = x - m;
                return shifted - shifted.Exp().Sum(dim, keepDim: true).Log();
            });
        }

        /// <summary>Unrecorded max with keepDim over dims; -inf rows give 0 so that shifting stays finite.</summary>
        private Tensor MaxOver(int[] dims)
        {
            bool[] mask = ReduceMask(dims, "max");
            if (Numel == 0) return Zeros(KeptDims(mask, true), DType);
            Tensor m;
            using (Autograd.NoGrad())
            {
                m = Amax(dims, keepDim: true);
                m = Where(m.Abs().Lt(double.PositiveInfinity), m, ZerosLike(m));
            }
            return m;
        }

        private Tensor SqueezeDims(bool[] mask)
        {
            var dims = new List<int>();
            for (int i = 0; i < Rank; i++) if (!mask[i]) dims.Add(Dims[i]);
            return Reshape([.. dims]);
        }
    }
}

namespace Nabla.Ops
{
    // std = sqrt(var): d/dvar = 1/(2 std), and 0 where std = 0 (PyTorch's mask; the variance's own gradient is 0 there anyway)
    internal sealed class StdBackward : Node
    {
        public StdBackward(Tensor v, Tensor y) : base(v) => Save(y);

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor y = Saved(0);
            return [Tensor.Where(y.Detach().Eq(0L), Tensor.Scalar(0.0, g.DType), g / (y * 2.0))];
        }
    }

    // d sum(x)/dx = 1: broadcast the gradient back over the reduced dims
    internal sealed class SumBackward(Tensor x, int[] keptDims) : Node(x)
    {
        private readonly int[] _inputDims = x.Dims;

        public override Tensor?[] Backward(Tensor g) => [g.Reshape(keptDims).Expand(_inputDims)];
    }

    // d mean/dx = 1/n over the reduced dims: divide, then spread as SumBackward does (the composite's order of operations)
    internal sealed class MeanBackward(Tensor x, int[] keptDims, long n) : Node(x)
    {
        private readonly int[] _inputDims = x.Dims;

        public override Tensor?[] Backward(Tensor g) => [(g / n).Reshape(keptDims).Expand(_inputDims)];
    }

}
