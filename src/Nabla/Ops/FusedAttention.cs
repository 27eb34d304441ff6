using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla.Ops
{
    /// <summary>
    /// The fused causal path of <see cref="Functional.ScaledDotProductAttention"/>: no L×S tensor in the forward, and a
    /// backward that saves q, k, v, the output and one log-sum-exp per query row (Note [Fused causal attention]).
    /// </summary>
    internal static class FusedAttention
    {
        /// <summary>Whether a call takes the fused path: causal, no mask, no dropout, nothing empty.</summary>
        public static bool Applies(Tensor q, Tensor k, Tensor v, Tensor? mask, double dropoutP, bool isCausal) =>
            isCausal && mask is null && dropoutP == 0 && q.Numel > 0 && k.Numel > 0 && v.Numel > 0;

        /// <summary>The attention output <c>[..batch, L, Ev]</c>, recorded as one <see cref="ScaledDotProductFlashAttentionBackward"/>.</summary>
        /// <remarks>q, k and v share one dtype (<see cref="Attention.CheckShapes"/>); bfloat16 and float16 run in float32
        /// item by item and keep a float32 log-sum-exp (Note [Half fused attention]).</remarks>
        public static Tensor Forward(Tensor q, Tensor k, Tensor v, double scale, int[] batch)
        {
            int l = q.Dims[^2], ev = v.Dims[^1];
            Tensor output = LaidOutLike(q, [.. batch, l, ev], zeroed: false); // Note [Attention outputs laid out like their inputs]
            var lse = Tensor.Empty(q.DType.IsHalf() ? DType.Float32 : q.DType, [.. batch, l]);
            if (q.DType == DType.Float32) Forward<float>(q, k, v, (float)scale, batch, output, lse);
            else if (q.DType == DType.BFloat16) ForwardHalf<BFloat16>(q, k, v, (float)scale, batch, output, lse);
            else if (q.DType == DType.Float16) ForwardHalf<Half>(q, k, v, (float)scale, batch, output, lse);
            else Forward<double>(q, k, v, scale, batch, output, lse);
            if (Autograd.ShouldRecord([q, k, v]))
                output.SetGradFn(new ScaledDotProductFlashAttentionBackward(q, k, v, output, lse, scale, batch));
            return output;
        }

        private static void Forward<T>(Tensor q, Tensor k, Tensor v, T scale, int[] batch, Tensor output, Tensor lse)
            where T : unmanaged, IFloatingPointIeee754<T>
            => CausalAttention.Forward((int)Strided.Numel(batch), q.Dims[^2], k.Dims[^2], q.Dims[^1], v.Dims[^1], scale,
                Operand<T>(q, batch), Operand<T>(k, batch), Operand<T>(v, batch), Operand<T>(output, batch), lse.Data<T>());

        private static void ForwardHalf<TH>(Tensor q, Tensor k, Tensor v, float scale, int[] batch, Tensor output, Tensor lse)
            where TH : unmanaged
            => CausalAttention.ForwardHalf((int)Strided.Numel(batch), q.Dims[^2], k.Dims[^2], q.Dims[^1], v.Dims[^1], scale,
                Operand<TH>(q, batch), Operand<TH>(k, batch), Operand<TH>(v, batch), Operand<TH>(output, batch), lse.Data<float>());

        // Note [Attention outputs laid out like their inputs]
        // An output (and dQ, dK, dV in backward) is stored in the memory order of the matching input
        // (PyTorch's preserve_format): for a head split q = x.view(B, T, H, D).transpose(1, 2), the output is a
        // [B, H, T, D] view of a contiguous [B, T, H, D] buffer, so merging the heads back (transpose, reshape) is a view,
        // and so are the reshapes that take dQ, dK, dV back to the projection's layout. The kernels write rows at any row
        // stride, so this costs nothing; results are the same values as with contiguous outputs.

        /// <summary>
        /// An uninitialised (or zeroed) tensor of <paramref name="dims"/> in <paramref name="like"/>'s memory order when
        /// <paramref name="like"/> has those dims, positive strides and unit-stride rows; otherwise contiguous.
        /// </summary>
        public static Tensor LaidOutLike(Tensor like, int[] dims, bool zeroed)
        {
            DType dtype = like.DType;
            bool follow = Strided.SameDims(like.Dims, dims) && dims.Length >= 3 && like.StrideArray[^1] == 1;
            for (int i = 0; follow && i < dims.Length; i++) follow = like.StrideArray[i] > 0 && dims[i] > 1;
            if (!follow) return zeroed ? Tensor.Zeros(dims, dtype) : Tensor.Empty(dtype, dims);
            // Dims from the largest stride to the smallest (the last stays last), ties in dim order.
            int[] order = [.. Enumerable.Range(0, dims.Length).OrderByDescending(i => like.StrideArray[i]).ThenBy(i => i)];
            if (order[^1] != dims.Length - 1) return zeroed ? Tensor.Zeros(dims, dtype) : Tensor.Empty(dtype, dims);
            int[] stored = [.. order.Select(i => dims[i])], back = new int[dims.Length];
            for (int i = 0; i < order.Length; i++) back[order[i]] = i;
            Tensor buffer = zeroed ? Tensor.Zeros(stored, dtype) : Tensor.Empty(dtype, stored);
            return buffer.Permute(back);
        }

        /// <summary>
        /// How the kernel reads <paramref name="t"/>'s matrices over <paramref name="batch"/>: in place when its rows are
        /// unit-stride (views such as a head split <c>[B, T, H, D] → [B, H, T, D]</c>, broadcast batch dims), else from a
        /// contiguous copy made before broadcasting.
        /// </summary>
        public static AttentionOperand<T> Operand<T>(Tensor t, int[] batch) where T : unmanaged
        {
            int rows = t.Dims[^2], cols = t.Dims[^1];
            bool inPlace = cols <= 1 || t.StrideArray[^1] == 1;
            foreach (int stride in t.StrideArray) inPlace &= stride >= 0;
            if (!inPlace) t = t.ContiguousData();
            Tensor view = t.ExpandTo([.. batch, rows, cols]);
            int ld = rows <= 1 ? cols : view.StrideArray[^2];
            return new(view.Data<T>(), Tensor.BatchOffsets(view, batch), ld);
        }
    }

    // out = P·v with P = softmax(scale·q·kᵀ + causal) recomputed from the saved row log-sum-exp:
    // dv = Pᵀ·g; dP = g·vᵀ; dS = P∘(dP - rowsum(g∘out)); dq = scale·dS·k; dk = scale·dSᵀ·q
    // (the name of PyTorch 2's node for its flash kernel)
    internal sealed class ScaledDotProductFlashAttentionBackward : Node
    {
        private readonly double _scale;
        private readonly int[] _batch;

        public ScaledDotProductFlashAttentionBackward(Tensor q, Tensor k, Tensor v, Tensor output, Tensor lse, double scale, int[] batch)
            : base(q, k, v)
        {
            (_scale, _batch) = (scale, batch);
            Save(q);
            Save(k);
            Save(v);
            Save(output);
            Save(lse);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor q = Saved(0), k = Saved(1), v = Saved(2);
            DType dtype = q.DType;
            if (Autograd.IsGradEnabled)
            {
                // createGraph: the same derivative in differentiable ops, so that it has a gradient of its own; 16-bit
                // operands computed in float32 and the gradients rounded back (Note [Half compute]).
                if (dtype.IsHalf()) (q, k, v, g) = (q.To(DType.Float32), k.To(DType.Float32), v.To(DType.Float32), g.To(DType.Float32));
                Tensor p = new Attention(true, _scale).DifferentiableWeights(q, k, null);
                Tensor dp = g.MatMul(v.MT), dz = p * (dp - (dp * p).Sum(-1, keepDim: true));
                Tensor? In(Tensor? t) => t is not null && dtype.IsHalf() ? t.To(dtype) : t;
                return [In(NeedsGrad(0) ? dz.MatMul(k) * _scale : null), In(NeedsGrad(1) ? dz.MT.MatMul(q) * _scale : null), In(NeedsGrad(2) ? p.MT.MatMul(g) : null)];
            }
            int l = q.Dims[^2], s = k.Dims[^2], e = q.Dims[^1], ev = v.Dims[^1];
            if (g.DType != dtype) g = g.To(dtype);
            if (dtype.IsHalf())
            {
                // Each item's gradients are computed in a float32 scratch and rounded once: per item, or after the
                // items of a broadcast operand are summed (Note [Half fused attention]).
                Tensor hq = GradientStore(q, [.. _batch, l, e]), hk = GradientStore(k, [.. _batch, s, e]), hv = GradientStore(v, [.. _batch, s, ev]);
                if (dtype == DType.BFloat16) RunHalf<BFloat16>(q, k, v, g, (float)_scale, hq, hk, hv);
                else RunHalf<Half>(q, k, v, g, (float)_scale, hq, hk, hv);
                Tensor? Rounded(Tensor grad, Tensor input) => grad.DType == dtype ? grad : grad.SumToShape(input.Dims).To(dtype);
                return [NeedsGrad(0) ? Rounded(hq, q) : null, NeedsGrad(1) ? Rounded(hk, k) : null, NeedsGrad(2) ? Rounded(hv, v) : null];
            }
            // Note [Attention outputs laid out like their inputs]
            Tensor dQ = FusedAttention.LaidOutLike(q, [.. _batch, l, e], zeroed: false), dK = FusedAttention.LaidOutLike(k, [.. _batch, s, e], zeroed: true),
                dV = FusedAttention.LaidOutLike(v, [.. _batch, s, ev], zeroed: true);
            if (dtype == DType.Float32) Run<float>(q, k, v, g, (float)_scale, dQ, dK, dV);
            else Run<double>(q, k, v, g, _scale, dQ, dK, dV);
            return [NeedsGrad(0) ? dQ : null, NeedsGrad(1) ? dK : null, NeedsGrad(2) ? dV : null];
        }

        /// <summary>The item gradients of <paramref name="input"/>: 16-bit, or float32 when the input is broadcast over the batch.</summary>
        private static Tensor GradientStore(Tensor input, int[] dims)
            => Strided.SameDims(input.Dims, dims) ? FusedAttention.LaidOutLike(input, dims, zeroed: false) : Tensor.Empty(DType.Float32, dims);

        private HalfSink<TH> Sink<TH>(Tensor t) where TH : unmanaged
        {
            if (t.DType == DType.Float32)
            {
                // A broadcast operand's float32 item gradients, contiguous, summed afterwards.
                int rows = t.Dims[^2], cols = t.Dims[^1], items = (int)Strided.Numel(_batch);
                int[] offsets = new int[items];
                for (int i = 0; i < items; i++) offsets[i] = i * rows * cols;
                return new(null, t.Data<float>(), offsets, cols);
            }
            AttentionOperand<TH> rowsOf = FusedAttention.Operand<TH>(t, _batch);
            return new(rowsOf.Data, null, rowsOf.Offsets, rowsOf.Ld);
        }

        private void RunHalf<TH>(Tensor q, Tensor k, Tensor v, Tensor g, float scale, Tensor dq, Tensor dk, Tensor dv)
            where TH : unmanaged
            => CausalAttention.BackwardHalf((int)Strided.Numel(_batch), q.Dims[^2], k.Dims[^2], q.Dims[^1], v.Dims[^1], scale,
                FusedAttention.Operand<TH>(q, _batch), FusedAttention.Operand<TH>(k, _batch), FusedAttention.Operand<TH>(v, _batch),
                FusedAttention.Operand<TH>(Saved(3), _batch), Saved(4).Data<float>(), FusedAttention.Operand<TH>(g, _batch), Sink<TH>(dq), Sink<TH>(dk), Sink<TH>(dv));

        private void Run<T>(Tensor q, Tensor k, Tensor v, Tensor g, T scale, Tensor dq, Tensor dk, Tensor dv)
            where T : unmanaged, IFloatingPointIeee754<T>
            => CausalAttention.Backward((int)Strided.Numel(_batch), q.Dims[^2], k.Dims[^2], q.Dims[^1], v.Dims[^1], scale,
                FusedAttention.Operand<T>(q, _batch), FusedAttention.Operand<T>(k, _batch), FusedAttention.Operand<T>(v, _batch),
                FusedAttention.Operand<T>(Saved(3), _batch), Saved(4).Data<T>(), FusedAttention.Operand<T>(g, _batch),
                FusedAttention.Operand<T>(dq, _batch), FusedAttention.Operand<T>(dk, _batch), FusedAttention.Operand<T>(dv, _batch));
    }
}
