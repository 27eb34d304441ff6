using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public static partial class Functional
    {
        /// <summary>2-D max pooling, like <c>torch.nn.functional.max_pool2d</c>.</summary>
        /// <remarks>
        /// <c>out[n, c, i, j] = max_{p, q} x[n, c, i*sH - pH + p*dH, j*sW - pW + q*dW]</c> over the <c>kH x kW</c> taps that fall inside the
        /// input (padding is -inf and never selected). <paramref name="input"/> is <c>[N, C, H, W]</c> (or <c>[C, H, W]</c>); output sizes are
        /// <c>floor((H + 2*pH - dH*(kH-1) - 1)/sH) + 1</c>, or with <paramref name="ceilMode"/> the ceiling, reduced by one when the last
        /// window would start beyond <c>H + pH</c>. Padding may be at most half the kernel. The gradient flows to the selected element
        /// of each window (overlapping windows accumulate); the argmax of every window is kept for that when the op is recorded.
        /// </remarks>
        /// <param name="input">The images, <c>[N, C, H, W]</c>.</param>
        /// <param name="kernelSize"><c>[kH, kW]</c>.</param>
        /// <param name="stride"><c>[sH, sW]</c>; null means <paramref name="kernelSize"/>.</param>
        /// <param name="padding"><c>[pH, pW]</c>; null means <c>[0, 0]</c>.</param>
        /// <param name="dilation"><c>[dH, dW]</c>; null means <c>[1, 1]</c>.</param>
        /// <param name="ceilMode">Round output sizes up instead of down.</param>
        public static Tensor MaxPool2d(Tensor input, int[] kernelSize, int[]? stride = null, int[]? padding = null, int[]? dilation = null,
            bool ceilMode = false)
        {
            Window2d g = PoolWindow("max_pool2d", input, kernelSize, stride, padding, dilation ?? [1, 1], ceilMode);
            bool batched = input.Rank == 4;
            Tensor y = MaxPoolOp(batched ? input : input.Unsqueeze(0), g);
            return batched ? y : y.Squeeze(0);
        }

        /// <summary>2-D max pooling with a square window given as one number, like <c>max_pool2d(x, 2)</c>.</summary>
        /// <remarks>As <see cref="MaxPool2d(Tensor, int[], int[], int[], int[], bool)"/> with every pair made of one value; the stride defaults to the kernel size.</remarks>
        public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
            => MaxPool2d(input, [kernelSize, kernelSize], stride is { } s ? [s, s] : null, [padding, padding], [dilation, dilation], ceilMode);

        /// <summary>Max pooling of <c>[N, C, H, W]</c>; when recorded, the argmax of every window is kept for backward.</summary>
        internal static Tensor MaxPoolOp(Tensor x, Window2d g)
        {
            if (x.DType.IsHalf()) return Ops.HalfCompute.Run(x, x => MaxPoolOp(x, g)); // See Note [Half compute]
            int n = x.Dims[0], c = x.Dims[1], outPlane = g.OH * g.OW;
            var y = Tensor.Empty(x.DType, [n, c, g.OH, g.OW]);
            bool record = Autograd.ShouldRecord(x);
            int[]? indices = record ? IndexBuffers.Rent(n * c * outPlane) : null;
            Tensor src = x.ContiguousData();
            if (x.DType == DType.Float32) MaxForwardTyped<float>(src, y, indices, g);
            else MaxForwardTyped<double>(src, y, indices, g);
            if (record) y.SetGradFn(new Ops.MaxPool2DWithIndicesBackward(x, g, indices!));
            return y;
        }

        /// <summary>2-D average pooling, like <c>torch.nn.functional.avg_pool2d</c>.</summary>
        /// <remarks>
        /// Output sizes as for <see cref="MaxPool2d(Tensor, int[], int[], int[], int[], bool)"/> (no dilation). For the window starting at <c>hs = i*sH - pH</c>, <c>ws = j*sW - pW</c>:
        /// <c>he = min(hs + kH, H + pH)</c>, <c>we = min(ws + kW, W + pW)</c> and <c>pool_size = (he - hs)*(we - ws)</c>; the window is then
        /// clipped to the input and its sum divided by <c>pool_size</c> when <paramref name="countIncludePad"/>, else by the clipped
        /// window's element count. Padding may be at most half the kernel.
        /// </remarks>
        /// <param name="input">The images, <c>[N, C, H, W]</c> (or <c>[C, H, W]</c>).</param>
        /// <param name="kernelSize"><c>[kH, kW]</c>.</param>
        /// <param name="stride"><c>[sH, sW]</c>; null means <paramref name="kernelSize"/>.</param>
        /// <param name="padding"><c>[pH, pW]</c> zeros on both sides; null means <c>[0, 0]</c>.</param>
        /// <param name="ceilMode">Round output sizes up instead of down.</param>
        /// <param name="countIncludePad">Count padding positions in the divisor.</param>
        public static Tensor AvgPool2d(Tensor input, int[] kernelSize, int[]? stride = null, int[]? padding = null, bool ceilMode = false,
            bool countIncludePad = true)
        {
            Window2d g = PoolWindow("avg_pool2d", input, kernelSize, stride, padding, [1, 1], ceilMode);
            bool batched = input.Rank == 4;
            Tensor y = AvgPoolOp(batched ? input : input.Unsqueeze(0), g, countIncludePad);
            return batched ? y : y.Squeeze(0);
        }

        /// <summary>2-D average pooling with a square window given as one number, like <c>avg_pool2d(x, 2)</c>.</summary>
        /// <remarks>As <see cref="AvgPool2d(Tensor, int[], int[], int[], bool, bool)"/> with every pair made of one value; the stride defaults to the kernel size.</remarks>
        public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
            => AvgPool2d(input, [kernelSize, kernelSize], stride is { } s ? [s, s] : null, [padding, padding], ceilMode, countIncludePad);

        /// <summary>2-D adaptive average pooling to a square output size given as one number, like <c>adaptive_avg_pool2d(x, 1)</c>.</summary>
        public static Tensor AdaptiveAvgPool2d(Tensor input, int outputSize) => AdaptiveAvgPool2d(input, [outputSize, outputSize]);

        /// <summary>2-D adaptive average pooling to a fixed output size, like <c>torch.nn.functional.adaptive_avg_pool2d</c>.</summary>
        /// <remarks>
        /// Output row <c>i</c> averages input rows <c>floor(i*H/OH) .. ceil((i+1)*H/OH) - 1</c>, and likewise for columns; bins may
        /// overlap and <c>OH &gt; H</c> is allowed. Computed as <c>P_H · X · P_W^T</c> with constant averaging matrices, which is exact
        /// and differentiable to any order.
        /// </remarks>
        /// <param name="input">The images, <c>[N, C, H, W]</c> (or <c>[C, H, W]</c>).</param>
        /// <param name="outputSize"><c>[OH, OW]</c>, both positive.</param>
        public static Tensor AdaptiveAvgPool2d(Tensor input, int[] outputSize)
        {
            const string op = "adaptive_avg_pool2d";
            CheckPoolInput(op, input);
            int[] size = WindowParam(op, "output_size", outputSize, 2, 1);
            bool batched = input.Rank == 4;
            int h = input.Dims[^2], w = input.Dims[^1], oh = size[0], ow = size[1];
            if (h == 0 || w == 0)
                throw new ArgumentException($"{op}: expected an input with non-empty spatial dimensions, got shape {input.Shape}", nameof(input));
            // One node over the averaging products (Note [Composite ops]).
            return Ops.Composite.Run("AdaptiveAvgPool2DBackward", input, input =>
            {
                Tensor x = batched ? input : input.Unsqueeze(0);
                Tensor y = x;
                if (ow != w) y = y.Reshape(-1, w).MatMul(AveragingMatrix(ow, w, x.DType).MT).Reshape(x.Dims[0], x.Dims[1], h, ow);
                if (oh != h) y = AveragingMatrix(oh, h, x.DType).MatMul(y);
                if (ReferenceEquals(y, x)) y = x.Clone();
                return batched ? y : y.Squeeze(0);
            });
        }

        /// <summary>The <c>[outSize, inSize]</c> matrix whose row <c>i</c> averages the adaptive bin <c>floor(i*in/out) .. ceil((i+1)*in/out) - 1</c>.</summary>
        private static Tensor AveragingMatrix(int outSize, int inSize, DType dtype)
        {
            var m = Tensor.Zeros([outSize, inSize], dtype);
            for (int i = 0; i < outSize; i++)
            {
                int start = AdaptivePool.Start(i, inSize, outSize);
                int end = AdaptivePool.End(i, inSize, outSize);
                double share = 1.0 / (end - start);
                for (int j = start; j < end; j++) m.SetRaw((long)i * inSize + j, share);
            }
            return m;
        }

        private static void CheckPoolInput(string op, Tensor input)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.Rank != 3 && input.Rank != 4)
                throw new ArgumentException($"{op}: expected input of rank 4 [N, C, H, W] (or 3 without the batch dimension), got shape {input.Shape}", nameof(input));
            Tensor.CheckFloat(input, op);
        }

        private static Window2d PoolWindow(string op, Tensor input, int[] kernelSize, int[]? stride, int[]? padding, int[] dilation, bool ceilMode)
        {
            CheckPoolInput(op, input);
            int[] k = WindowParam(op, "kernel_size", kernelSize, 2, 1);
            int[] p = WindowParam(op, "padding", padding ?? [0, 0], 2, 0);
            if (p[0] > k[0] / 2 || p[1] > k[1] / 2)
                throw new ArgumentException(
                    $"{op}: padding {Shape.Format(p)} must be at most half of kernel_size {Shape.Format(k)} (input shape {input.Shape})", nameof(padding));
            return SlidingWindow(op, input.Dims[^2], input.Dims[^1], k, stride ?? k, p, dilation, ceilMode, input.Shape);
        }

        private static void MaxForwardTyped<T>(Tensor src, Tensor y, int[]? indices, Window2d g) where T : struct, IFloatingPointIeee754<T>
        {
            T[] s = src.Data<T>(), d = y.Data<T>();
            int so = src.Offset, plane = g.H * g.W, outPlane = g.OH * g.OW;
            ForPlanes(y.Dims[0] * y.Dims[1], outPlane, (long)outPlane * g.KH * g.KW,
                i => Pool2d.MaxForward<T>(s.AsSpan(so + i * plane, plane), g, d.AsSpan(i * outPlane, outPlane),
                    indices is null ? default : indices.AsSpan(i * outPlane, outPlane)));
        }

        /// <summary>
        /// Runs <paramref name="body"/> for every plane, several small planes per parallel item so that the per-item cost
        /// (a delegate call, slicing, the window checks) does not outweigh a 5x5 output plane.
        /// </summary>
        private static void ForPlanes(int planes, int outPlane, long workPerPlane, Action<int> body)
        {
            int per = Math.Max(1, 1024 / Math.Max(outPlane, 1));
            int items = (planes + per - 1) / per;
            Batches.For(items, workPerPlane * per, item =>
            {
                for (int i = item * per, end = Math.Min(planes, i + per); i < end; i++) body(i);
            });
        }

        /// <summary>The gradient of <see cref="MaxPoolOp"/> for output gradient <paramref name="grad"/>: each value added at its window's argmax.</summary>
        internal static Tensor MaxPoolAdjoint(Tensor grad, int[] indices, Window2d g)
        {
            int n = grad.Dims[0], c = grad.Dims[1];
            var dx = Tensor.Empty(grad.DType, [n, c, g.H, g.W]);
            Tensor src = grad.ContiguousData();
            if (grad.DType == DType.Float32) MaxBackwardTyped<float>(src, indices, dx, g);
            else MaxBackwardTyped<double>(src, indices, dx, g);
            return dx;
        }

        private static void MaxBackwardTyped<T>(Tensor src, int[] indices, Tensor dx, Window2d g) where T : INumber<T>
        {
            T[] s = src.Data<T>(), d = dx.Data<T>();
            int so = src.Offset, plane = g.H * g.W, outPlane = g.OH * g.OW;
            ForPlanes(dx.Dims[0] * dx.Dims[1], outPlane, (long)plane + outPlane,
                i => Pool2d.MaxBackward<T>(s.AsSpan(so + i * outPlane, outPlane), indices.AsSpan(i * outPlane, outPlane), g, d.AsSpan(i * plane, plane)));
        }

        /// <summary>Average pooling of <c>[N, C, H, W]</c> with the window and divisor rules of <see cref="AvgPool2d(Tensor, int[], int[], int[], bool, bool)"/>, recorded.</summary>
        internal static Tensor AvgPoolOp(Tensor x, Window2d g, bool countIncludePad)
        {
            if (x.DType.IsHalf()) return Ops.HalfCompute.Run(x, x => AvgPoolOp(x, g, countIncludePad)); // See Note [Half compute]
            var y = Tensor.Empty(x.DType, [x.Dims[0], x.Dims[1], g.OH, g.OW]);
            Tensor src = x.ContiguousData();
            if (x.DType == DType.Float32) AvgTyped<float>(src, y, g, countIncludePad, adjoint: false);
            else AvgTyped<double>(src, y, g, countIncludePad, adjoint: false);
            if (Autograd.ShouldRecord(x)) y.SetGradFn(new Ops.AvgPool2DBackward(x, g, countIncludePad));
            return y;
        }

        /// <summary>The adjoint of <see cref="AvgPoolOp"/>: <c>[N, C, OH, OW]</c> spread back over <c>[N, C, H, W]</c>, recorded.</summary>
        internal static Tensor AvgPoolAdjointOp(Tensor grad, Window2d g, bool countIncludePad)
        {
            if (grad.DType.IsHalf()) return Ops.HalfCompute.Run(grad, x => AvgPoolAdjointOp(x, g, countIncludePad)); // See Note [Half compute]
            var y = Tensor.Empty(grad.DType, [grad.Dims[0], grad.Dims[1], g.H, g.W], zeroed: true);
            Tensor src = grad.ContiguousData();
            if (grad.DType == DType.Float32) AvgTyped<float>(src, y, g, countIncludePad, adjoint: true);
            else AvgTyped<double>(src, y, g, countIncludePad, adjoint: true);
            if (Autograd.ShouldRecord(grad)) y.SetGradFn(new Ops.AvgPool2DBackwardBackward(grad, g, countIncludePad));
            return y;
        }

        private static void AvgTyped<T>(Tensor src, Tensor y, Window2d g, bool countIncludePad, bool adjoint) where T : INumber<T>
        {
            T[] s = src.Data<T>(), d = y.Data<T>();
            int so = src.Offset, plane = g.H * g.W, outPlane = g.OH * g.OW;
            int planes = y.Dims[0] * y.Dims[1];
            long work = (long)outPlane * g.KH * g.KW;
            if (adjoint)
                Batches.For(planes, work, i => Pool2d.AvgAdjoint<T>(s.AsSpan(so + i * outPlane, outPlane), g, countIncludePad, d.AsSpan(i * plane, plane)));
            else
                Batches.For(planes, work, i => Pool2d.AvgForward<T>(s.AsSpan(so + i * plane, plane), g, countIncludePad, d.AsSpan(i * outPlane, outPlane)));
        }
    }
}

namespace Nabla.Ops
{
    // max pooling picks one element per window: its gradient is added back at that element (overlapping windows
    // accumulate). Without a graph to build it runs the scatter kernel; with createGraph it is a recorded
    // scatter-add into zeros, whose own gradient is the gather at the same indices.
    internal sealed class MaxPool2DWithIndicesBackward(Tensor x, Window2d g, int[] indices) : Node(x), IFastBackward
    {
        private readonly int _n = x.Dims[0], _c = x.Dims[1];
        private int[]? _indices = indices;

        public override Tensor?[] Backward(Tensor grad)
        {
            int[] indices = _indices ?? throw new InvalidOperationException("MaxPool2DWithIndicesBackward: indices already released");
            if (!Autograd.IsGradEnabled) return [Functional.MaxPoolAdjoint(grad, indices, g)];
            int outPlane = g.OH * g.OW;
            var index = Tensor.Empty(DType.Int64, [_n, _c, outPlane]);
            long[] ix = index.Data<long>();
            for (int i = 0; i < ix.Length; i++) ix[i] = indices[i];
            Tensor dx = Tensor.Zeros([_n, _c, g.H * g.W], grad.DType).ScatterAdd(2, index, grad.Reshape(_n, _c, outPlane));
            return [dx.Reshape(_n, _c, g.H, g.W)];
        }

        public void ReturnBuffers()
        {
            if (_indices is { } indices) IndexBuffers.Return(indices);
            _indices = null;
        }

        // The index buffer is saved state outside Save: a checkpointed segment drops it and takes the recomputed one
        // (Note [Checkpoint frames]).
        internal override bool DropOwnState()
        {
            ReturnBuffers();
            return true;
        }

        internal override void TakeOwnState(Node twin, bool move)
        {
            var other = (MaxPool2DWithIndicesBackward)twin;
            _indices = move ? other._indices : (int[]?)other._indices?.Clone();
            if (move) other._indices = null;
        }
    }

    // average pooling is linear; its vector-Jacobian product is the adjoint spread g/divisor over each window
    internal sealed class AvgPool2DBackward(Tensor x, Window2d g, bool countIncludePad) : Node(x)
    {
        public override Tensor?[] Backward(Tensor grad) => [Functional.AvgPoolAdjointOp(grad, g, countIncludePad)];
    }

    // the adjoint is linear too; its vector-Jacobian product is average pooling again
    internal sealed class AvgPool2DBackwardBackward(Tensor grad, Window2d g, bool countIncludePad) : Node(grad)
    {
        public override Tensor?[] Backward(Tensor gg) => [Functional.AvgPoolOp(gg, g, countIncludePad)];
    }
}
