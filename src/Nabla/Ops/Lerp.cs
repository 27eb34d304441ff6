using Nabla.Runtime;
using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Linear interpolation <c>this + weight*(end - this)</c>, elementwise, the three tensors broadcast together.</summary>
        /// <remarks>
        /// Computed as PyTorch does, <c>this + w*(end - this)</c> for <c>|w| &lt; 0.5</c> and <c>end - (end - this)*(1 - w)</c>
        /// otherwise, so that <c>w = 1</c> gives <c>end</c> exactly. Gradients: <c>(1 - w)*g</c>, <c>w*g</c> and
        /// <c>(end - this)*g</c>, summed over broadcast dims. All three must share one floating-point dtype.
        /// </remarks>
        public Tensor Lerp(Tensor end, Tensor weight)
        {
            ArgumentNullException.ThrowIfNull(end);
            ArgumentNullException.ThrowIfNull(weight);
            CheckLerp(this, end, weight);
            if (DType.IsHalf()) return Ops.HalfCompute.Run(this, end, weight, (a, b, w) => a.Lerp(b!, w!)); // See Note [Half compute]
            int[] dims = BroadcastShapes(BroadcastShapes(Dims, end.Dims, "lerp"), weight.Dims, "lerp");
            Tensor y = LerpKernel(this, end, weight, 0, dims);
            if (Autograd.ShouldRecord([this, end, weight])) y.SetGradFn(new Ops.LerpBackward(this, end, weight));
            return y;
        }

        /// <summary>Linear interpolation <c>this + weight*(end - this)</c> with a scalar weight (any value, not only [0, 1]).</summary>
        /// <remarks>As <see cref="Lerp(Tensor, Tensor)"/>; gradients <c>(1 - weight)*g</c> and <c>weight*g</c>.</remarks>
        public Tensor Lerp(Tensor end, double weight)
        {
            ArgumentNullException.ThrowIfNull(end);
            CheckLerp(this, end, null);
            if (DType.IsHalf()) return Ops.HalfCompute.Run(this, end, (a, b) => a.Lerp(b!, weight)); // See Note [Half compute]
            Tensor y = LerpKernel(this, end, null, weight, BroadcastShapes(Dims, end.Dims, "lerp"));
            if (Autograd.ShouldRecord(this, end)) y.SetGradFn(new Ops.LerpBackward(this, end, weight));
            return y;
        }

        private static void CheckLerp(Tensor start, Tensor end, Tensor? weight)
        {
            if (!start.DType.IsFloatingPoint() || end.DType != start.DType || (weight is not null && weight.DType != start.DType))
                throw new ArgumentException(
                    $"lerp: expected input, end{(weight is null ? "" : " and weight")} of one floating-point dtype, got {start.DType.Name()}, {end.DType.Name()}" +
                    (weight is null ? "" : $" and {weight.DType.Name()}") + "; convert with .To(...) first");
        }

        /// <summary>The interpolation over <paramref name="dims"/>: operands that do not cover it are expanded and copied first.</summary>
        private static Tensor LerpKernel(Tensor start, Tensor end, Tensor? weight, double scalar, int[] dims)
        {
            var y = Empty(start.DType, dims);
            Tensor a = start.ExpandTo(dims).ContiguousData(), b = end.ExpandTo(dims).ContiguousData();
            Tensor? w = weight?.ExpandTo(dims).ContiguousData();
            int n = (int)y.Numel;
            int parts = Chunked.Parts(n, Chunked.ElementwiseThreshold, ThreadBudget.KernelThreads);
            if (start.DType == DType.Float32) Chunked.For(n, 64, parts, (s, len) => Lerp(a.Span<float>(), b.Span<float>(), w is null ? default : w.Span<float>(), (float)scalar, y.Span<float>(), s, len, w is null));
            else Chunked.For(n, 64, parts, (s, len) => Lerp(a.Span<double>(), b.Span<double>(), w is null ? default : w.Span<double>(), scalar, y.Span<double>(), s, len, w is null));
            return y;
        }

        /// <summary>y = lerp(a, b, w) over [start, start + len); with <paramref name="scalar"/> the weight is <paramref name="ws"/>.</summary>
        private static void Lerp<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, ReadOnlySpan<T> w, T ws, Span<T> y, int start, int len, bool scalar)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            T half = T.CreateTruncating(0.5);
            int i = start, end = start + len;
            if (Vector.IsHardwareAccelerated)
            {
                var vHalf = new Vector<T>(half);
                var vs = new Vector<T>(ws);
                for (; i + Vector<T>.Count <= end; i += Vector<T>.Count)
                {
                    var va = new Vector<T>(a[i..]);
                    var vb = new Vector<T>(b[i..]);
                    Vector<T> vw = scalar ? vs : new Vector<T>(w[i..]);
                    Vector<T> d = vb - va;
                    Vector<T> low = va + vw * d, high = vb - d * (Vector<T>.One - vw);
                    Vector.ConditionalSelect(Vector.LessThan(Vector.Abs(vw), vHalf), low, high).CopyTo(y[i..]);
                }
            }
            for (; i < end; i++)
            {
                T wi = scalar ? ws : w[i];
                T d = b[i] - a[i];
                y[i] = T.Abs(wi) < half ? a[i] + wi * d : b[i] - d * (T.One - wi);
            }
        }
    }
}

namespace Nabla.Ops
{
    // d lerp/d start = 1 - w, d lerp/d end = w, d lerp/d w = end - start
    internal sealed class LerpBackward : Node
    {
        private readonly double _weight;
        private readonly bool _scalar;

        public LerpBackward(Tensor start, Tensor end, Tensor weight) : base(start, end, weight)
        {
            Save(weight);
            if (NeedsGrad(2))
            {
                Save(start);
                Save(end);
            }
        }

        public LerpBackward(Tensor start, Tensor end, double weight) : base(start, end)
        {
            _weight = weight;
            _scalar = true;
        }

        public override Tensor?[] Backward(Tensor g)
        {
            if (_scalar) return [NeedsGrad(0) ? g * (1 - _weight) : null, NeedsGrad(1) ? g * _weight : null];
            Tensor w = Saved(0);
            return
            [
                NeedsGrad(0) ? g * (1.0 - w) : null,
                NeedsGrad(1) ? g * w : null,
                NeedsGrad(2) ? g * (Saved(2) - Saved(1)) : null,
            ];
        }
    }
}
