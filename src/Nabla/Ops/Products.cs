using Nabla.Graph;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Batched matrix product, as <c>torch.bmm</c>: <c>[B, n, m] · [B, m, p] → [B, n, p]</c>.</summary>
        /// <remarks>
        /// No broadcasting: both operands are 3-D with the same batch size (use <see cref="MatMul(Tensor)"/> to broadcast).
        /// Runs through the GEMM kernels like <see cref="MatMul(Tensor)"/>, reading transposed views in place.
        /// </remarks>
        public Tensor Bmm(Tensor mat2)
        {
            ArgumentNullException.ThrowIfNull(mat2);
            Tensor first = this, second = mat2;
            if (Autocast.Lower(ref first, ref second)) return first.Bmm(second); // Note [Autocast policy]
            const string op = "bmm";
            if (Rank != 3 || mat2.Rank != 3)
                throw new ArgumentException($"{op}: expected 3-D operands [B, n, m] and [B, m, p], got shapes {Shape} and {mat2.Shape}");
            CheckFloat(this, op);
            CheckSameDType(this, mat2, op);
            if (Dims[0] != mat2.Dims[0])
                throw new ArgumentException($"{op}: batch sizes differ: {Shape} has {Dims[0]} and {mat2.Shape} has {mat2.Dims[0]} (bmm does not broadcast; use MatMul)");
            if (Dims[2] != mat2.Dims[1])
                throw new ArgumentException($"{op}: cannot multiply {Shape} by {mat2.Shape}: inner dimensions {Dims[2]} and {mat2.Dims[1]} differ");
            int[] batch = [Dims[0]];
            var y = Empty(DType, [Dims[0], Dims[1], mat2.Dims[2]]);
            MatMulInto(this, mat2, batch, y);
            if (Autograd.ShouldRecord(this, mat2)) y.SetGradFn(new Ops.BmmBackward(this, mat2));
            return y;
        }

        /// <summary>Outer product of two vectors, as <c>torch.outer</c>: <c>out[i, j] = this[i]·vec2[j]</c>.</summary>
        /// <remarks>Both operands are 1-D, <c>[n]</c> and <c>[m]</c>; the result is <c>[n, m]</c> (a broadcast multiply, as PyTorch computes it).</remarks>
        public Tensor Outer(Tensor vec2)
        {
            ArgumentNullException.ThrowIfNull(vec2);
            if (Rank != 1 || vec2.Rank != 1)
                throw new ArgumentException($"outer: expected two 1-D tensors, got shapes {Shape} and {vec2.Shape}");
            if (DType == DType.Bool || vec2.DType == DType.Bool)
                throw new ArgumentException($"outer: not defined for bool tensors (got {DType.Name()} and {vec2.DType.Name()}); convert with .To(DType.Int64) or .To(DType.Float32) first");
            return Ops.Composite.Run("OuterBackward", this, vec2, static (a, b) => a.Unsqueeze(1) * b!.Unsqueeze(0));
        }
    }
}

namespace Nabla.Ops
{
    // d(AB)/dA = G·Bᵀ, d(AB)/dB = Aᵀ·G, batch by batch
    internal sealed class BmmBackward : Node
    {
        public BmmBackward(Tensor a, Tensor b) : base(a, b)
        {
            Save(NeedsGrad(1) ? a : null);
            Save(NeedsGrad(0) ? b : null);
        }

        public override Tensor?[] Backward(Tensor g) =>
        [
            NeedsGrad(0) ? g.Bmm(Saved(1).MT) : null,
            NeedsGrad(1) ? Saved(0).MT.Bmm(g) : null,
        ];
    }
}
