using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public static partial class Functional
    {
        /// <summary>
        /// Scaled dot-product attention with PyTorch 2's semantics (<c>F.scaled_dot_product_attention</c>):
        /// <c>softmax(q·kᵀ·scale + mask)·v</c>.
        /// </summary>
        /// <remarks>
        /// <para>Shapes: <paramref name="query"/> <c>[..., L, E]</c>, <paramref name="key"/> <c>[..., S, E]</c>,
        /// <paramref name="value"/> <c>[..., S, Ev]</c> (usually <c>[B, H, ·, ·]</c>; the leading dims broadcast as in
        /// <see cref="Tensor.MatMul(Tensor)"/>); the result is <c>[..., L, Ev]</c>. <paramref name="scale"/> defaults to
        /// <c>1/sqrt(E)</c>.</para>
        /// <para><paramref name="attnMask"/> broadcasts to the scores <c>[..., L, S]</c> (e.g. <c>[L, S]</c> or
        /// <c>[B, 1, L, S]</c>). A <b>bool</b> mask's <c>true</c> means "this (query, key) pair takes part" (the opposite of
        /// <c>MultiheadAttention</c>'s masks); a float mask of the query's dtype is <b>added</b> to the scores (<c>-inf</c>
        /// excludes a pair). <paramref name="isCausal"/> lets query <c>i</c> see keys <c>0..i</c> (top-left aligned, also
        /// when <c>L != S</c>); it cannot be combined with a mask. A row whose keys are all masked gives NaN, as in PyTorch.</para>
        /// <para><paramref name="dropoutP"/> drops attention weights after the softmax (scaling the rest by <c>1/(1-p)</c>),
        /// drawing from <paramref name="generator"/>; pass 0 outside training.</para>
        /// <para>One node, <c>ScaledDotProductAttentionBackward</c>, saves the attention weights; masks are applied inside
        /// the softmax pass, never expanded to <c>[..., L, S]</c>. Differentiable in q, k, v and a float mask, also twice.</para>
        /// <para>With <paramref name="isCausal"/>, no mask and no dropout (and nothing empty), a fused kernel runs instead: it
        /// never holds the <c>[..., L, S]</c> weights, skips the key blocks above the diagonal, and its node
        /// <c>ScaledDotProductFlashAttentionBackward</c> saves q, k, v, the output and one log-sum-exp per query row, from
        /// which backward recomputes the weights block by block (FlashAttention's idea; Note [Fused causal attention]);
        /// on bfloat16 or float16 it keeps them in 16 bits and a float32 log-sum-exp (Note [Half fused attention]).</para>
        /// </remarks>
        public static Tensor ScaledDotProductAttention(Tensor query, Tensor key, Tensor value, Tensor? attnMask = null,
            double dropoutP = 0.0, bool isCausal = false, double? scale = null, Generator? generator = null)
        {
            const string op = Ops.Attention.Op;
            ArgumentNullException.ThrowIfNull(query);
            ArgumentNullException.ThrowIfNull(key);
            ArgumentNullException.ThrowIfNull(value);
            int[] scoreBatch = Ops.Attention.CheckShapes(query, key, value);
            int l = query.Dims[^2], s = key.Dims[^2];
            int[] scoreDims = [.. scoreBatch, l, s];
            if (attnMask is not null)
            {
                if (isCausal)
                    throw new ArgumentException($"{op}: pass either attn_mask or is_causal, not both (got a mask of shape {attnMask.Shape} and is_causal = true)");
                Ops.Attention.CheckMask(attnMask, query, scoreDims);
            }
            if (!(dropoutP >= 0 && dropoutP <= 1))
                throw new ArgumentException($"{op}: dropout_p must be in [0, 1], got {dropoutP}");
            double sc = scale ?? 1.0 / Math.Sqrt(query.Dims[^1]);
            if (!double.IsFinite(sc)) throw new ArgumentException($"{op}: scale must be finite, got {sc} (query's last dim is {query.Dims[^1]})");

            // The fused kernel reads 16-bit operands itself (Note [Half fused attention]); the other paths widen them.
            if (Ops.FusedAttention.Applies(query, key, value, attnMask, dropoutP, isCausal))
                return Ops.FusedAttention.Forward(query, key, value, sc, Tensor.BroadcastShapes(scoreBatch, value.Dims[..^2], op));
            if (Ops.HalfCompute.Applies([query, key, value, attnMask])) // See Note [Half compute]
                return Ops.HalfCompute.Run([query, key, value, attnMask],
                    a => ScaledDotProductAttention(a[0]!, a[1]!, a[2]!, a[3], dropoutP, isCausal, scale, generator));

            var attn = new Ops.Attention(isCausal, sc);
            Tensor weights, output;
            Tensor? dropped = null;
            using (Autograd.NoGrad())
            {
                weights = attn.Weights(query, key, attnMask, scoreDims);
                if (dropoutP > 0) dropped = Ops.Attention.DropoutScale(scoreDims, query.DType, dropoutP, generator);
                output = (dropped is null ? weights : weights * dropped).MatMul(value);
            }
            if (Autograd.ShouldRecord([query, key, value, attnMask]))
                output.SetGradFn(new Ops.ScaledDotProductAttentionBackward(attn, query, key, value, attnMask, weights, dropped));
            return output;
        }
    }
}

namespace Nabla.Ops
{
    /// <summary>The masking and scaling of one attention call, shared by its forward and its rule.</summary>
    internal sealed class Attention(bool causal, double scale)
    {
        public const string Op = "scaled_dot_product_attention";

        public double Scale { get; } = scale;

        /// <summary>The broadcast batch dims of the scores; throws when the shapes cannot attend.</summary>
        public static int[] CheckShapes(Tensor q, Tensor k, Tensor v)
        {
            foreach (var (t, name) in new[] { (q, "query"), (k, "key"), (v, "value") })
            {
                Tensor.CheckFloat(t, $"{Op}: {name}");
                if (t.Rank < 2) throw new ArgumentException($"{Op}: {name} must have at least 2 dims ([..., L or S, E]), got shape {t.Shape}");
            }
            if (k.DType != q.DType || v.DType != q.DType)
                throw new ArgumentException(
                    $"{Op}: query, key and value must share one dtype, got {q.DType.Name()}, {k.DType.Name()} and {v.DType.Name()}");
            if (q.Dims[^1] != k.Dims[^1])
                throw new ArgumentException($"{Op}: query {q.Shape} and key {k.Shape} must have the same last dim E (got {q.Dims[^1]} and {k.Dims[^1]})");
            if (k.Dims[^2] != v.Dims[^2])
                throw new ArgumentException($"{Op}: key {k.Shape} and value {v.Shape} must have the same number of keys S in dim -2 (got {k.Dims[^2]} and {v.Dims[^2]})");
            int[] batch = Tensor.BroadcastShapes(q.Dims[..^2], k.Dims[..^2], Op);
            Tensor.BroadcastShapes(batch, v.Dims[..^2], Op);
            return batch;
        }

        public static void CheckMask(Tensor mask, Tensor q, int[] scoreDims)
        {
            if (mask.DType != DType.Bool && mask.DType != q.DType)
                throw new ArgumentException(
                    $"{Op}: attn_mask has dtype {mask.DType.Name()}; expected bool (true = the pair takes part) or {q.DType.Name()} (added to the scores)");
            bool fits = mask.Rank <= scoreDims.Length;
            for (int i = 1; fits && i <= mask.Rank; i++) fits = mask.Dims[^i] == 1 || mask.Dims[^i] == scoreDims[^i];
            if (!fits)
                throw new ArgumentException(
                    $"{Op}: attn_mask of shape {mask.Shape} cannot be broadcast to the scores' shape {Shape.Format(scoreDims)} ([..., L, S] with L = {scoreDims[^2]} queries and S = {scoreDims[^1]} keys)");
        }

        /// <summary>The keep-and-rescale factors of attention dropout: 0 with probability p, else 1/(1-p).</summary>
        public static Tensor DropoutScale(int[] dims, DType dtype, double p, Generator? generator)
        {
            Tensor keep = Tensor.Rand(dims, dtype, generator).Ge(p).To(dtype);
            return p < 1 ? keep * (1.0 / (1 - p)) : keep;
        }

        /// <summary>softmax(q·kᵀ·scale + mask) computed by one product and one fused row pass (no graph).</summary>
        public Tensor Weights(Tensor q, Tensor k, Tensor? mask, int[] scoreDims)
        {
            Tensor scores = q.MatMul(k.MT);
            int l = scoreDims[^2], s = scoreDims[^1], batches = l * s == 0 ? 0 : (int)(scores.Numel / (l * s));
            if (q.DType == DType.Float32) Softmax<float>(scores, mask, batches, l, s, scoreDims);
            else Softmax<double>(scores, mask, batches, l, s, scoreDims);
            return scores;
        }

        private void Softmax<T>(Tensor scores, Tensor? mask, int batches, int l, int s, int[] scoreDims) where T : unmanaged, IFloatingPointIeee754<T>
        {
            ScoreMask<T> m = new(causal, null, null, null, 0, 0);
            if (mask is not null)
            {
                Tensor view = mask.ExpandTo(scoreDims);
                int[] offsets = Tensor.BatchOffsets(view, scoreDims[..^2]);
                m = mask.DType == DType.Bool
                    ? new(false, null, view.Data<bool>(), offsets, view.StrideArray[^2], view.StrideArray[^1])
                    : new(false, view.Data<T>(), null, offsets, view.StrideArray[^2], view.StrideArray[^1]);
            }
            AttentionSoftmax.Softmax(scores.Data<T>(), batches, l, s, T.CreateChecked(Scale), m);
        }

        /// <summary>The same weights in differentiable ops (for second derivatives): the mask by where or addition.</summary>
        public Tensor DifferentiableWeights(Tensor q, Tensor k, Tensor? mask)
        {
            Tensor scores = q.MatMul(k.MT) * Scale;
            Tensor? keep = causal ? CausalMask(scores.Dims[^2], scores.Dims[^1]) : mask?.DType == DType.Bool ? mask : null;
            if (keep is not null) scores = Tensor.Where(keep, scores, Tensor.Scalar(double.NegativeInfinity, scores.DType));
            else if (mask is not null) scores += mask;
            return scores.Softmax(-1);
        }

        private static Tensor CausalMask(int l, int s)
        {
            var keep = new bool[l * s];
            for (int i = 0; i < l; i++)
                for (int j = 0; j <= Math.Min(i, s - 1); j++) keep[i * s + j] = true;
            return Tensor.From(keep, [l, s]);
        }
    }

    // out = P'·v with P = softmax(Z), Z = scale·q·kᵀ + mask, P' = P∘D (dropout factors D, or P itself):
    // dv = P'ᵀ·g; dP = (g·vᵀ)∘D; dZ = P∘(dP - Σ_row dP∘P); dq = scale·dZ·k; dk = scale·dZᵀ·q; dmask = dZ
    internal sealed class ScaledDotProductAttentionBackward : Node
    {
        private readonly Attention _attn;
        private readonly bool _dropout, _masked;

        public ScaledDotProductAttentionBackward(Attention attn, Tensor q, Tensor k, Tensor v, Tensor? mask, Tensor weights, Tensor? dropped)
            : base(q, k, v, mask?.DType == DType.Bool ? null : mask)
        {
            (_attn, _dropout, _masked) = (attn, dropped is not null, mask is not null);
            Save(q);
            Save(k);
            Save(v);
            Save(weights);
            Save(dropped);
            Save(mask);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor q = Saved(0), k = Saved(1), v = Saved(2);
            bool graph = Autograd.IsGradEnabled;
            // Under createGraph the weights are recomputed in differentiable ops, so the gradient's own gradient
            // reaches q, k and the mask; otherwise the saved weights serve.
            Tensor p = graph ? _attn.DifferentiableWeights(q, k, _masked ? Saved(5) : null) : Saved(3);
            Tensor pd = _dropout ? p * Saved(4) : p;
            Tensor? dv = NeedsGrad(2) ? pd.MT.MatMul(g) : null;
            if (!NeedsGrad(0) && !NeedsGrad(1) && !NeedsGrad(3)) return [null, null, dv, null];

            Tensor dp = g.MatMul(v.MT);
            if (!dp.Dims.AsSpan().SequenceEqual(p.Dims)) dp = dp.SumToShape(p.Dims);
            if (_dropout) dp *= Saved(4);
            Tensor dz = graph ? p * (dp - (dp * p).Sum(-1, keepDim: true)) : SoftmaxBackward(dp, p);
            Tensor? dq = NeedsGrad(0) ? Scaled(dz.MatMul(k), graph) : null;
            Tensor? dk = NeedsGrad(1) ? Scaled(dz.MT.MatMul(q), graph) : null;
            return [dq, dk, dv, NeedsGrad(3) ? dz : null];
        }

        private Tensor Scaled(Tensor t, bool graph)
        {
            if (graph) return t * _attn.Scale;
            if (t.DType == DType.Float32) TensorPrimitives.Multiply(t.Span<float>(), (float)_attn.Scale, t.Span<float>());
            else TensorPrimitives.Multiply(t.Span<double>(), _attn.Scale, t.Span<double>());
            return t;
        }

        private static Tensor SoftmaxBackward(Tensor dp, Tensor p)
        {
            var dz = Tensor.Empty(p.DType, p.Dims);
            if (p.Numel == 0) return dz;
            Tensor gc = dp.ContiguousData();
            int c = p.Dims[^1];
            if (p.DType == DType.Float32) FusedSoftmax.Backward(gc.Span<float>(), p.Span<float>(), dz.Span<float>(), c, log: false);
            else FusedSoftmax.Backward(gc.Span<double>(), p.Span<double>(), dz.Span<double>(), c, log: false);
            return dz;
        }
    }
}
