using Nabla.Graph;

namespace Nabla.Ops
{
    // Note [Fused cross entropy]
    // cross_entropy on [N, C] logits with class indices, no class weights and no label smoothing (how every classifier in
    // the library trains) is one kernel and one node instead of ~15 composite ops: per row m = max (0 if not finite),
    // shifted = x - m, e = exp(shifted), lse = log(sum e), nll = -(shifted[y] - lse), with the same TensorPrimitives calls
    // over the same spans as the composite (LogSoftmax, then the one-hot pick of Note [Class-index picking]), so the loss
    // is bit-identical to it. The node keeps e and the row sums S; its rule is grad[i, c] = (s_i / S_i) * e[i, c] -
    // [c == y_i] * s_i, with s_i the incoming gradient of row i (divided by the number of non-ignored rows for Mean) and 0
    // on ignored rows: softmax - onehot in one pass without temporaries, rounded in the order the composite's backward
    // rounds it (Log's rule g / S, Exp's g * e, then the picked entry's -s_i), so gradients are bit-identical too. Under
    // createGraph the rule is written in differentiable ops on the saved input, so second derivatives work as for the
    // composite.
    internal sealed class CrossEntropyBackward : Node
    {
        private readonly long[] _targets;
        private readonly long _ignoreIndex;
        private readonly Reduction _reduction;
        private readonly int _count;

        private CrossEntropyBackward(Tensor input, Tensor exps, Tensor sums, long[] targets, long ignoreIndex, Reduction reduction, int count)
            : base(input)
        {
            Save(input);
            Save(exps);
            Save(sums);
            _targets = targets;
            _ignoreIndex = ignoreIndex;
            _reduction = reduction;
            _count = count;
        }

        /// <summary>The loss of <paramref name="input"/> [N, C] against class indices <paramref name="target"/> [N] (already checked).</summary>
        public static Tensor Fused(Tensor input, Tensor target, Reduction reduction, long ignoreIndex)
        {
            int n = input.Dims[0], c = input.Dims[1];
            long[] targets = target.ContiguousData().Span<long>().ToArray();
            Tensor x = input.ContiguousData();
            var exps = Tensor.Empty(input.DType, [n, c]);
            var nll = Tensor.Empty(input.DType, [n]);
            var sums = Tensor.Empty(input.DType, [n]);
            int count = input.DType == DType.Float32
                ? Forward(x.Span<float>(), targets, ignoreIndex, c, exps.Span<float>(), sums.Span<float>(), nll.Span<float>())
                : Forward(x.Span<double>(), targets, ignoreIndex, c, exps.Span<double>(), sums.Span<double>(), nll.Span<double>());
            Tensor loss;
            using (Autograd.NoGrad())
                loss = reduction switch
                {
                    Reduction.None => nll,
                    Reduction.Sum => nll.Sum(),
                    _ => nll.Sum() / (double)count,
                };
            if (Autograd.ShouldRecord(input)) loss.SetGradFn(new CrossEntropyBackward(input, exps, sums, targets, ignoreIndex, reduction, count));
            return loss;
        }

        /// <summary>Fills exp(x - max), the row sums of it and the per-row loss; returns the number of rows not ignored.</summary>
        private static int Forward<T>(ReadOnlySpan<T> x, long[] targets, long ignoreIndex, int c, Span<T> probs, Span<T> sums, Span<T> nll)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            int n = targets.Length;
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<T> row = x.Slice(i * c, c);
                T m = System.Numerics.Tensors.TensorPrimitives.Max(row);
                if (!(T.Abs(m) < T.PositiveInfinity)) m = T.Zero;
                System.Numerics.Tensors.TensorPrimitives.Subtract(row, m, probs.Slice(i * c, c));
                nll[i] = targets[i] == ignoreIndex ? T.Zero : probs[i * c + (int)targets[i]];
            }
            System.Numerics.Tensors.TensorPrimitives.Exp(probs, probs);
            for (int i = 0; i < n; i++) sums[i] = System.Numerics.Tensors.TensorPrimitives.Sum(probs.Slice(i * c, c));
            var logSums = new T[n];
            System.Numerics.Tensors.TensorPrimitives.Log(sums, logSums);
            int count = 0;
            for (int i = 0; i < n; i++)
            {
                if (targets[i] == ignoreIndex)
                {
                    nll[i] = T.Zero;
                    continue;
                }
                nll[i] = -(nll[i] - logSums[i]);
                count++;
            }
            return count;
        }

        // d/dx = s (softmax(x) - onehot(y)), s the incoming gradient of the row
        public override Tensor?[] Backward(Tensor g)
        {
            Tensor input = Saved(0), exps = Saved(1), sums = Saved(2);
            int n = input.Dims[0], c = input.Dims[1];
            if (Autograd.IsGradEnabled) return [DifferentiableGradient(g, input, n, c)];
            var grad = Tensor.Empty(input.DType, [n, c]);
            Tensor gc = g.ContiguousData();
            if (input.DType == DType.Float32) Gradient(gc.Span<float>(), exps.Span<float>(), sums.Span<float>(), grad.Span<float>(), c);
            else Gradient(gc.Span<double>(), exps.Span<double>(), sums.Span<double>(), grad.Span<double>(), c);
            return [grad];
        }

        private void Gradient<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> exps, ReadOnlySpan<T> sums, Span<T> grad, int c)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            T shared = _reduction == Reduction.Mean ? g[0] / T.CreateTruncating(_count) : g[0];
            for (int i = 0; i < _targets.Length; i++)
            {
                Span<T> row = grad.Slice(i * c, c);
                if (_targets[i] == _ignoreIndex)
                {
                    row.Clear();
                    continue;
                }
                T scale = _reduction == Reduction.None ? g[i] : shared;
                System.Numerics.Tensors.TensorPrimitives.Multiply(exps.Slice(i * c, c), scale / sums[i], row);
                row[(int)_targets[i]] -= scale;
            }
        }

        /// <summary>The same gradient in differentiable ops (for createGraph): s * (softmax(x) - onehot), zero on ignored rows.</summary>
        private Tensor DifferentiableGradient(Tensor g, Tensor input, int n, int c)
        {
            var onehot = new double[n * c];
            var keep = new double[n];
            for (int i = 0; i < n; i++)
            {
                if (_targets[i] == _ignoreIndex) continue;
                onehot[i * c + (int)_targets[i]] = 1;
                keep[i] = 1;
            }
            Tensor scale = _reduction switch
            {
                Reduction.None => g.Reshape(n, 1),
                Reduction.Mean => g / (double)_count,
                _ => g,
            };
            Tensor rows = Tensor.From(keep, [n, 1], dtype: input.DType);
            return (input.Softmax(1) - Tensor.From(onehot, [n, c], dtype: input.DType)) * (rows * scale);
        }
    }
}
