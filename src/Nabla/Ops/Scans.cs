using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Running sums along <paramref name="dim"/>, like <c>torch.cumsum(input, dim)</c>.</summary>
        /// <remarks>
        /// <c>out[..., i, ...] = sum over j &lt;= i of x[..., j, ...]</c>, same shape; float32 sums accumulate in float32. A bool
        /// tensor sums as int64, int64 stays int64; a 0-d tensor is its own running sum. The gradient is the reversed running
        /// sum of the upstream gradient.
        /// </remarks>
        /// <param name="dim">The dim to scan along (negative counts from the end).</param>
        public Tensor CumSum(int dim)
        {
            int d = NormalizeDim(dim, Rank, "cumsum");
            return (DType == DType.Bool ? To(DType.Int64) : this).CumSumAlong(d, reverse: false);
        }

        /// <summary>Running products along <paramref name="dim"/>, like <c>torch.cumprod(input, dim)</c>.</summary>
        /// <remarks>
        /// <c>out[..., i, ...] = product over j &lt;= i of x[..., j, ...]</c>, same shape; bool gives int64. The gradient is exact
        /// with zeros in the input too: <c>d out[i] / d x[k]</c> is the product of the other factors, never a division by zero
        /// (see <c>CumprodBackward</c>).
        /// </remarks>
        /// <param name="dim">The dim to scan along (negative counts from the end).</param>
        public Tensor CumProd(int dim)
        {
            int d = NormalizeDim(dim, Rank, "cumprod");
            Tensor x = DType == DType.Bool ? To(DType.Int64) : this;
            Tensor y = x.ScanRaw(d, prod: true, reverse: false);
            if (Autograd.ShouldRecord(x)) y.SetGradFn(new Ops.CumprodBackward(x, y, d));
            return y;
        }

        /// <summary>Product of all elements (0-d), like <c>torch.prod(input)</c>.</summary>
        public Tensor Prod() => Prod((int[]?)null);

        /// <summary>Product over <paramref name="dim"/>, like <c>torch.prod(input, dim, keepdim)</c>.</summary>
        public Tensor Prod(int dim, bool keepDim = false) => Prod([dim], keepDim);

        /// <summary>Product over several dims (all when null); with <paramref name="keepDim"/> the reduced dims stay with size 1.</summary>
        /// <remarks>
        /// An empty product is 1. Bool and int64 tensors multiply in int64. The gradient of each factor is the product of
        /// the others, exact with zeros: one zero in a group gets the product of the rest and the others 0; two or more
        /// zeros give 0 everywhere.
        /// </remarks>
        public Tensor Prod(int[]? dims, bool keepDim = false)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).Prod(dims, keepDim); // Note [Autocast policy]
            if (DType == DType.Bool) return To(DType.Int64).Prod(dims, keepDim);
            bool[] mask = ReduceMask(dims, "prod");
            Tensor y = DType switch
            {
                DType.Float32 => ReduceAxis<float, ProdReduction<float>>(mask, keepDim, default, DType),
                DType.Float64 => ReduceAxis<double, ProdReduction<double>>(mask, keepDim, default, DType),
                DType.Int64 => ReduceAxis<long, ProdReduction<long>>(mask, keepDim, default, DType),
                _ => ConvertData(DType.Float32).ReduceAxis<float, ProdReduction<float>>(mask, keepDim, default, DType.Float32).ConvertData(DType), // See Note [Half compute]
            };
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.ProdBackward(this, y, KeptDims(mask, true), ReducedDims(mask)));
            return y;
        }

        /// <summary>Running sums along normalised <paramref name="d"/>, forward or <paramref name="reverse"/> (sums over j &gt;= i); recorded.</summary>
        internal Tensor CumSumAlong(int d, bool reverse)
        {
            Tensor y = ScanRaw(d, prod: false, reverse);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.CumsumBackward(this, d, reverse));
            return y;
        }

        private Tensor ScanRaw(int d, bool prod, bool reverse)
        {
            if (DType.IsHalf()) return ConvertData(DType.Float32).ScanRaw(d, prod, reverse).ConvertData(DType); // See Note [Half compute]
            var (data, outer, size, inner) = AxisLayout(d);
            var y = Empty(DType, (int[])Dims.Clone());
            switch (DType)
            {
                case DType.Float32 when prod: AxisScans.Scan<float, ProdScan<float>>(data.Data<float>(), data.Offset, outer, size, inner, y.Data<float>(), reverse); break;
                case DType.Float32: AxisScans.Scan<float, SumScan<float>>(data.Data<float>(), data.Offset, outer, size, inner, y.Data<float>(), reverse); break;
                case DType.Float64 when prod: AxisScans.Scan<double, ProdScan<double>>(data.Data<double>(), data.Offset, outer, size, inner, y.Data<double>(), reverse); break;
                case DType.Float64: AxisScans.Scan<double, SumScan<double>>(data.Data<double>(), data.Offset, outer, size, inner, y.Data<double>(), reverse); break;
                case DType.Int64 when prod: AxisScans.Scan<long, ProdScan<long>>(data.Data<long>(), data.Offset, outer, size, inner, y.Data<long>(), reverse); break;
                case DType.Int64: AxisScans.Scan<long, SumScan<long>>(data.Data<long>(), data.Offset, outer, size, inner, y.Data<long>(), reverse); break;
                default: throw DTypeExtensions.Unknown(DType);
            }
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // d cumsum(x)_i/dx_k = [k <= i], so grad_k = sum over i >= k of g_i: the reversed running sum (and the reversed
    // scan's gradient is the forward one, so second derivatives stay scans).
    internal sealed class CumsumBackward(Tensor x, int dim, bool reverse) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [g.CumSumAlong(dim, !reverse)];
    }

    // Note [Products with zeros]
    // d prod(x)/dx_k is the product of the other factors. y/x_k computes it only while x_k != 0, so with zeros the rules
    // split each group: before the first zero y/x_k is exact; at the first zero the gradient is the product of the
    // factors around it; after it (and everywhere in a group with two zeros) every product of the others contains a
    // zero, so it is 0. Those zeros are constants, though, while their derivative with respect to the zero factor is
    // not 0: under createGraph (second derivatives) a group with zeros takes ExactProductGradient instead, which builds
    // prod_{j<k} x_j * (g_k + x_{k+1} * (g_{k+1} + ...)) from products and sums only, one recorded op per position
    // (PyTorch falls back to an O(n^2) formula there).

    // prod: g*y/x without zeros; with zeros (Note [Products with zeros]) the lone zero of a group gets g times the
    // product of the other factors, everything else 0.
    internal sealed class ProdBackward : Node
    {
        private readonly int[] _keptDims, _reducedDims;

        public ProdBackward(Tensor x, Tensor y, int[] keptDims, int[] reducedDims) : base(x)
        {
            Save(x);
            Save(y);
            (_keptDims, _reducedDims) = (keptDims, reducedDims);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0), y = Saved(1).Reshape(_keptDims);
            g = g.Reshape(_keptDims);
            if (!x.HasZero()) return [g * y / x];
            if (Autograd.IsGradEnabled) return [ExactProductGradient.OfProd(x, g, _reducedDims)];
            Tensor zero = x.Detach().Eq(0L);
            Tensor one = Tensor.Scalar(1.0, x.DType), nothing = Tensor.Scalar(0.0, x.DType);
            Tensor safe = Tensor.Where(zero, one, x);
            Tensor zeros = zero.Sum(_reducedDims, keepDim: true);
            Tensor others = safe.Prod(_reducedDims, keepDim: true);
            Tensor local = Tensor.Where(zeros.Eq(0L), y / safe, Tensor.Where(zeros.Eq(1L).LogicalAnd(zero), others, nothing));
            return [g * local];
        }
    }

    // cumprod: d y_i/dx_k = prod over j <= i, j != k of x_j (k <= i). Without zeros: revcumsum(g*y)_k / x_k. With zeros
    // (Note [Products with zeros]), per line with z its first zero: k < z keeps that formula; k = z gets
    // prod_{j<z} x_j * sum_{i>=z} g_i prod_{z<j<=i} x_j (the inner products stop at the second zero); k > z gets 0.
    internal sealed class CumprodBackward : Node
    {
        private readonly int _dim;

        public CumprodBackward(Tensor x, Tensor y, int dim) : base(x)
        {
            Save(x);
            Save(y);
            _dim = dim;
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0), y = Saved(1);
            if (!x.HasZero()) return [(g * y).CumSumAlong(_dim, reverse: true) / x];
            if (Autograd.IsGradEnabled) return [ExactProductGradient.OfCumprod(x, g, _dim)];
            Tensor zero = x.Detach().Eq(0L);
            Tensor one = Tensor.Scalar(1.0, x.DType), nothing = Tensor.Scalar(0.0, x.DType);
            Tensor seen = zero.CumSum(_dim);                                   // zeros up to and including position i
            Tensor before = seen.Eq(0L), firstRun = seen.Eq(1L);               // [0, z) and [z, second zero)
            Tensor first = firstRun.LogicalAnd(zero), between = firstRun.LogicalAnd(x.Detach().Ne(0L));
            Tensor head = Tensor.Where(before, x, one);
            Tensor beforeZero = Tensor.Where(before, (g * y).CumSumAlong(_dim, reverse: true) / head, nothing);
            Tensor tail = Tensor.Where(between, x, one).CumProd(_dim);          // prod_{z<j<=i} x_j on (z, second zero)
            Tensor atZero = head.Prod(_dim, keepDim: true) * (g * firstRun * tail).Sum(_dim, keepDim: true);
            return [beforeZero + Tensor.Where(first, atZero, nothing)];
        }
    }

    // The gradients of cumprod and prod as sums of products without division (Note [Products with zeros]), recorded, for
    // second derivatives at zeros.
    internal static class ExactProductGradient
    {
        // d cumprod(x)_i/dx_k = prod_{j<k} x_j * prod_{k<j<=i} x_j, so grad_k = L_k * R_k with L the exclusive running
        // product and R_k = g_k + x_{k+1} R_{k+1}.
        public static Tensor OfCumprod(Tensor x, Tensor g, int d)
        {
            if (x.Rank == 0 || x.Dims[d] <= 1) return g.Expand(x.Dims);
            int n = x.Dims[d];
            var r = new Tensor[n];
            r[n - 1] = g.Narrow(d, n - 1, 1);
            for (int k = n - 2; k >= 0; k--) r[k] = g.Narrow(d, k, 1) + x.Narrow(d, k + 1, 1) * r[k + 1];
            int[] slice = (int[])x.Dims.Clone();
            slice[d] = 1;
            Tensor left = Tensor.Cat([Tensor.Ones(slice, x.DType), x.Narrow(d, 0, n - 1).CumProd(d)], d);
            return left * Tensor.Cat(r, d);
        }

        // prod over dims is the last running product over those dims flattened last: its gradient is cumprod's with the
        // upstream gradient at the last position only.
        public static Tensor OfProd(Tensor x, Tensor g, int[] reducedDims)
        {
            if (x.Numel == 0) return Tensor.Zeros(x.Dims, x.DType);
            var kept = Enumerable.Range(0, x.Rank).Where(i => !reducedDims.Contains(i)).ToArray();
            int[] perm = [.. kept, .. reducedDims];
            Tensor moved = x.Permute(perm);
            int[] keptSizes = [.. kept.Select(i => x.Dims[i])];
            int n = 1;
            foreach (int i in reducedDims) n *= x.Dims[i];
            Tensor flat = moved.Reshape([.. keptSizes, n]);
            Tensor last = g.Reshape([.. keptSizes, 1]);
            Tensor upstream = n == 1 ? last : Tensor.Cat([Tensor.Zeros([.. keptSizes, n - 1], g.DType), last], keptSizes.Length);
            Tensor grad = OfCumprod(flat, upstream, keptSizes.Length).Reshape(moved.Dims);
            var inverse = new int[perm.Length];
            for (int i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
            return grad.Permute(inverse);
        }
    }
}
