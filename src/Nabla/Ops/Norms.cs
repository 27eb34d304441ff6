using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>The vector p-norm over <paramref name="dims"/> (all when null), like <c>torch.norm(input, p, dim, keepdim)</c>.</summary>
        /// <remarks>
        /// The listed dims are taken together as one vector: <c>p = 2</c> is <c>sqrt(sum x^2)</c> (the Frobenius norm over
        /// two dims, <see cref="FrobeniusNorm"/>), <c>p = 1</c> is <c>sum |x|</c>, <c>double.PositiveInfinity</c> is <c>max |x|</c>,
        /// <c>double.NegativeInfinity</c> is <c>min |x|</c>, <c>p = 0</c> counts the non-zero elements, and any other
        /// <c>p &gt; 0</c> is <c>(sum |x|^p)^(1/p)</c>. Float tensors only; an empty group has norm 0 (the infinity norms refuse
        /// it). Gradients, as PyTorch's: <c>g*x/norm</c> for p = 2 and <c>g*sign(x)</c> for p = 1, both 0 where the norm
        /// (respectively x) is 0; <c>g*sign(x)</c> at the maximal (minimal) |x| for +-infinity, split evenly among ties;
        /// <c>g*sign(x)*(|x|/norm)^(p-1)</c> otherwise, 0 where x is 0; none for p = 0.
        /// </remarks>
        /// <param name="p">The order: 0, any real above 0, or +-infinity (default 2).</param>
        /// <param name="dims">The dims forming each vector; null for all.</param>
        /// <param name="keepDim">Keep the reduced dims with size 1.</param>
        public Tensor Norm(double p = 2, int[]? dims = null, bool keepDim = false)
        {
            if (Autocast.IsEnabled && DType.IsHalf()) return To(DType.Float32).Norm(p, dims, keepDim); // Note [Autocast policy]
            CheckFloat(this, "norm");
            if (double.IsNaN(p) || (p < 0 && !double.IsNegativeInfinity(p)))
                throw new ArgumentOutOfRangeException(nameof(p), $"norm: p = {p} is not supported (input shape {Shape}); expected p >= 0 or +-infinity");
            bool[] mask = ReduceMask(dims, "norm");
            if (double.IsInfinity(p) && ReducedCount(mask) == 0)
                throw new ArgumentException($"norm: the {(p > 0 ? "" : "negative ")}infinity norm of an empty dimension is not defined (shape {Shape})");
            Tensor y = DType switch
            {
                DType.Float32 => ReduceAxis<float, NormReduction<float>>(mask, keepDim, new((float)p), DType),
                DType.Float64 => ReduceAxis<double, NormReduction<double>>(mask, keepDim, new(p), DType),
                // See Note [Half compute]
                _ => ConvertData(DType.Float32).ReduceAxis<float, NormReduction<float>>(mask, keepDim, new((float)p), DType.Float32).ConvertData(DType),
            };
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.NormBackward(this, y, p, KeptDims(mask, true), ReducedDims(mask)));
            return y;
        }

        /// <summary>The vector p-norm over one dim: see <see cref="Norm(double, int[], bool)"/>.</summary>
        public Tensor Norm(double p, int dim, bool keepDim = false) => Norm(p, [dim], keepDim);

        /// <summary>The Frobenius norm over <paramref name="dims"/> (all when null), like <c>torch.norm(input, p="fro", dim, keepdim)</c>.</summary>
        /// <remarks><c>sqrt(sum x^2)</c> over the listed dims together: the same as <c>Norm(2, dims, keepDim)</c>, as in PyTorch.</remarks>
        public Tensor FrobeniusNorm(int[]? dims = null, bool keepDim = false) => Norm(2, dims, keepDim);
    }
}

namespace Nabla.Ops
{
    // d||x||_p/dx = sign(x) (|x|/||x||)^(p-1): p = 2 gives x/||x||, p = 1 sign(x), +-inf sign(x) at the extreme |x| (ties
    // share it evenly, as the max they are). Zeros: x and the norm have 1 put in their place inside the power, so no 0/0
    // arises and sign(0) = 0 zeroes those elements, which is PyTorch's masking.
    internal sealed class NormBackward : Node
    {
        private readonly double _p;
        private readonly int[] _keptDims, _reducedDims;

        public NormBackward(Tensor x, Tensor y, double p, int[] keptDims, int[] reducedDims) : base(x)
        {
            Save(x);
            Save(y);
            (_p, _keptDims, _reducedDims) = (p, keptDims, reducedDims);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0), y = Saved(1).Reshape(_keptDims);
            g = g.Reshape(_keptDims);
            if (_p == 0) return [Tensor.ZerosLike(x.Detach())];
            if (_p == 1) return [g * x.Sign()];
            Tensor one = Tensor.Scalar(1.0, x.DType);
            if (_p == 2) return [x * (g / Tensor.Where(y.Detach().Eq(0L), one, y))]; // the division on the small reduced shape
            if (double.IsInfinity(_p))
            {
                Tensor ax = x.Detach().Abs();
                Tensor hit = ax.Eq(y.Detach()).LogicalOr(ax.Ne(ax)).To(x.DType);
                return [g * x.Sign() * hit / hit.Sum(_reducedDims, keepDim: true)];
            }
            Tensor magnitude = Tensor.Where(x.Detach().Eq(0L), one, x.Abs());
            return [g * x.Sign() * (magnitude / Tensor.Where(y.Detach().Eq(0L), one, y)).Pow(_p - 1)];
        }
    }
}
