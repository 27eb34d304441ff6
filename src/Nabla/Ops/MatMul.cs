using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>
        /// Matrix product with PyTorch's <c>matmul</c> rules: 2-D × 2-D; batched with broadcast batch dims;
        /// a 1-D operand is promoted to a matrix and the added dim removed (<c>[3,4]·[4] → [3]</c>, <c>[4]·[4] → []</c>).
        /// </summary>
        public Tensor MatMul(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            if (Rank == 0 || other.Rank == 0)
                throw new ArgumentException($"matmul: both operands need at least one dimension, got shapes {Shape} and {other.Shape}");
            if (Rank == 1 && other.Rank == 1) return Unsqueeze(0).MatMulCore(other.Unsqueeze(1)).Reshape();
            if (Rank == 1) return Unsqueeze(0).MatMulCore(other).Squeeze(-2);
            if (other.Rank == 1) return MatMulCore(other.Unsqueeze(1)).Squeeze(-1);
            return MatMulCore(other);
        }

        private Tensor MatMulCore(Tensor other)
        {
            CheckSameDType(this, other, "matmul");
            CheckFloat(this, "matmul");
            int m = Dims[^2], k = Dims[^1], k2 = other.Dims[^2], n = other.Dims[^1];
            if (k != k2)
                throw new ArgumentException($"matmul: cannot multiply {Shape} by {other.Shape}: inner dimensions {k} and {k2} differ");
            int[] batch = BroadcastShapes(Dims[..^2], other.Dims[..^2], "matmul");
            int[] outDims = [.. batch, m, n];
            Tensor a = ExpandTo([.. batch, m, k]).ContiguousData();
            Tensor b = other.ExpandTo([.. batch, k, n]).ContiguousData();
            var y = Empty(DType, outDims);
            int batches = (int)Strided.Numel(batch);
            for (int bi = 0; bi < batches; bi++)
            {
                if (DType == DType.Float32)
                    Gemm.MultiplyParallel(a.Data<float>(), a.Offset + bi * m * k, b.Data<float>(), b.Offset + bi * k * n, y.Data<float>(), bi * m * n, m, k, n);
                else
                    Gemm.MultiplyParallel(a.Data<double>(), a.Offset + bi * m * k, b.Data<double>(), b.Offset + bi * k * n, y.Data<double>(), bi * m * n, m, k, n);
            }
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.MatMulBackward(this, other));
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // d(AB)/dA = G B^T, d(AB)/dB = A^T G; the engine sums broadcast batch dims
    internal sealed class MatMulBackward : Node
    {
        private Tensor? _a, _b;

        public MatMulBackward(Tensor a, Tensor b) : base("MmBackward", a, b)
        {
            if (NeedsGrad(1)) _a = Save(a);
            if (NeedsGrad(0)) _b = Save(b);
        }

        public override Tensor?[] Backward(Tensor g) =>
            [_b is null ? null : g.MatMul(_b.MT), _a is null ? null : _a.MT.MatMul(g)];

        protected override void ReleaseSaved() => (_a, _b) = (null, null);
    }
}
