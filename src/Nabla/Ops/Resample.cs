using System.Buffers;
using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public static partial class Functional
    {
        /// <summary>Resizes images by nearest or bilinear interpolation, like <c>torch.nn.functional.interpolate</c> (no antialiasing).</summary>
        /// <remarks>
        /// <para><paramref name="input"/> is <c>[N, C, H, W]</c>. Exactly one of <paramref name="size"/> (<c>[OH, OW]</c>, or one value for both) and
        /// <paramref name="scaleFactor"/> (<c>[sh, sw]</c>, or one value for both) is given; a scale factor gives <c>OH = floor(H*sh)</c>,
        /// <c>OW = floor(W*sw)</c>.</para>
        /// <para>The coordinate scale per dim is <c>1/scale_factor</c> when a scale factor was given, else <c>in/out</c> (they differ when
        /// <c>in*scale_factor</c> is not an integer: <c>H = 5, sh = 1.7</c> gives <c>OH = 8</c> and scale <c>1/1.7</c>, not <c>5/8</c>); bilinear with
        /// <paramref name="alignCorners"/> uses <c>(in-1)/(out-1)</c> instead (0 when <c>out = 1</c>).</para>
        /// <para>Nearest: <c>src = min(floor(dst*scale), in - 1)</c>, <c>out[.., oh, ow] = x[.., src_h, src_w]</c>, the product rounded to float32 before
        /// the floor as PyTorch does (Note [Nearest interpolation rule] says where PyTorch 1.13 itself departs from this rule). Bilinear: a dim whose output size equals its input size is copied whatever the scale factor (PyTorch's rule);
        /// otherwise <c>src = dst*scale</c> (aligned corners) or <c>max((dst + 0.5)*scale - 0.5, 0)</c>, <c>i0 = floor(src)</c>,
        /// <c>i1 = min(i0 + 1, in - 1)</c>, <c>l1 = src - i0</c>, <c>l0 = 1 - l1</c> per dim and
        /// <c>out = l0h*(l0w*x[h0,w0] + l1w*x[h0,w1]) + l1h*(l0w*x[h1,w0] + l1w*x[h1,w1])</c>. No antialiasing. The gradient is the exact adjoint:
        /// each output gradient accumulates into the source pixels it read, with the same weights.</para>
        /// </remarks>
        /// <param name="input">The images, <c>[N, C, H, W]</c>.</param>
        /// <param name="size">The output size <c>[OH, OW]</c> (or one value for both), or null when <paramref name="scaleFactor"/> is given.</param>
        /// <param name="scaleFactor">Multipliers <c>[sh, sw]</c> (or one value for both), positive, or null when <paramref name="size"/> is given.</param>
        /// <param name="mode">Nearest (the default) or bilinear.</param>
        /// <param name="alignCorners">Bilinear only: map the corner pixels' centres onto each other; null means false. Must be null for nearest.</param>
        public static Tensor Interpolate(Tensor input, int[]? size = null, double[]? scaleFactor = null, InterpolationMode mode = InterpolationMode.Nearest,
            bool? alignCorners = null)
        {
            const string op = "interpolate";
            ArgumentNullException.ThrowIfNull(input);
            (int[]? outSize, double[]? scales) = CheckInterpolateArguments(size, scaleFactor, mode, alignCorners);
            if (input.Rank != 4)
                throw new ArgumentException($"{op}: expected input of rank 4 [N, C, H, W] for mode {mode}, got shape {input.Shape}", nameof(input));
            Tensor.CheckFloat(input, op);
            int h = input.Dims[2], w = input.Dims[3];
            if (h == 0 || w == 0)
                throw new ArgumentException($"{op}: expected an input with non-empty spatial dimensions, got shape {input.Shape}", nameof(input));
            // Exactly one of the two is set: the output size follows from the scale factor when that was given.
            int[] target = outSize ?? ScaledSize(input, scales!);

            bool single = input.DType != DType.Float64;
            var plan = mode == InterpolationMode.Nearest
                ? new ResamplePlan(true, ResampleAxis.Nearest(h, target[0], scales?[0], single),
                    ResampleAxis.Nearest(w, target[1], scales?[1], single))
                : new ResamplePlan(false, ResampleAxis.Linear(h, target[0], scales?[0], alignCorners ?? false),
                    ResampleAxis.Linear(w, target[1], scales?[1], alignCorners ?? false));
            return ResampleOp(input, plan);
        }

        /// <summary>The output size <c>[floor(H*sh), floor(W*sw)]</c> of <see cref="Interpolate"/> with a scale factor.</summary>
        private static int[] ScaledSize(Tensor input, double[] scales)
        {
            int h = input.Dims[2], w = input.Dims[3];
            double oh = Math.Floor(h * scales[0]), ow = Math.Floor(w * scales[1]);
            if (oh < 1 || ow < 1 || oh > int.MaxValue || ow > int.MaxValue)
                throw new ArgumentException(
                    $"interpolate: input and output sizes should be greater than 0 (and at most {int.MaxValue}), got input [H, W] = [{h}, {w}] and output [{oh}, {ow}] " +
                    $"(floor of the input size times scale_factor [{string.Join(", ", scales)}])", nameof(scales));
            return [(int)oh, (int)ow];
        }

        /// <summary>The checks of <see cref="Interpolate"/> that do not need the input (also made when an <see cref="NN.Upsample"/> is built).</summary>
        internal static (int[]? Size, double[]? ScaleFactor) CheckInterpolateArguments(int[]? size, double[]? scaleFactor, InterpolationMode mode, bool? alignCorners)
        {
            const string op = "interpolate";
            if (size is not null && scaleFactor is not null)
                throw new ArgumentException(
                    $"{op}: only one of size or scale_factor should be given, got size {Shape.Format(size)} and scale_factor [{string.Join(", ", scaleFactor)}]", nameof(scaleFactor));
            if (size is null && scaleFactor is null)
                throw new ArgumentException($"{op}: either size or scale_factor should be given, got neither", nameof(size));
            if (mode is not (InterpolationMode.Nearest or InterpolationMode.Bilinear))
                throw new ArgumentOutOfRangeException(nameof(mode), $"{op}: unknown mode {(int)mode}; expected InterpolationMode.Nearest or InterpolationMode.Bilinear");
            if (mode == InterpolationMode.Nearest && alignCorners is not null)
                throw new ArgumentException(
                    $"{op}: align_corners can only be set with mode Bilinear, got align_corners={alignCorners} with mode Nearest; leave it null", nameof(alignCorners));
            if (size is not null)
            {
                if (size.Length is not (1 or 2) || size.Any(v => v < 1))
                    throw new ArgumentException($"{op}: expected size to be 1 or 2 positive values [OH, OW], got {Shape.Format(size)}", nameof(size));
                return (size.Length == 1 ? [size[0], size[0]] : [size[0], size[1]], null);
            }
            if (scaleFactor!.Length is not (1 or 2) || scaleFactor.Any(v => !(v > 0) || double.IsInfinity(v)))
                throw new ArgumentException(
                    $"{op}: expected scale_factor to be 1 or 2 positive finite values [sh, sw], got [{string.Join(", ", scaleFactor)}]", nameof(scaleFactor));
            return (null, scaleFactor.Length == 1 ? [scaleFactor[0], scaleFactor[0]] : [scaleFactor[0], scaleFactor[1]]);
        }

        /// <summary><c>[N, C, H, W]</c> resampled to <c>[N, C, OH, OW]</c> by <paramref name="plan"/>, recorded.</summary>
        internal static Tensor ResampleOp(Tensor x, ResamplePlan plan)
        {
            if (x.DType.IsHalf()) return Ops.HalfCompute.Run(x, x => ResampleOp(x, plan)); // See Note [Half compute]
            var y = Tensor.Empty(x.DType, [x.Dims[0], x.Dims[1], plan.H.Out, plan.W.Out]);
            Tensor src = x.ContiguousData();
            if (x.DType == DType.Float32) ResampleTyped<float>(src, y, plan, adjoint: false);
            else ResampleTyped<double>(src, y, plan, adjoint: false);
            if (Autograd.ShouldRecord(x))
                y.SetGradFn(plan.Nearest ? new Ops.UpsampleNearest2DBackward(x, plan) : new Ops.UpsampleBilinear2DBackward(x, plan));
            return y;
        }

        /// <summary>The adjoint of <see cref="ResampleOp"/>: <c>[N, C, OH, OW]</c> accumulated back onto <c>[N, C, H, W]</c>, recorded.</summary>
        internal static Tensor ResampleAdjointOp(Tensor grad, ResamplePlan plan)
        {
            if (grad.DType.IsHalf()) return Ops.HalfCompute.Run(grad, x => ResampleAdjointOp(x, plan)); // See Note [Half compute]
            var y = Tensor.Empty(grad.DType, [grad.Dims[0], grad.Dims[1], plan.H.In, plan.W.In], zeroed: true);
            Tensor src = grad.ContiguousData();
            if (grad.DType == DType.Float32) ResampleTyped<float>(src, y, plan, adjoint: true);
            else ResampleTyped<double>(src, y, plan, adjoint: true);
            if (Autograd.ShouldRecord(grad)) y.SetGradFn(new Ops.UpsampleBackwardBackward(grad, plan));
            return y;
        }

        private static void ResampleTyped<T>(Tensor src, Tensor dst, ResamplePlan plan, bool adjoint) where T : unmanaged, INumber<T>
        {
            ResampleAxis h = plan.H, w = plan.W;
            T[] s = src.Data<T>(), d = dst.Data<T>();
            int so = src.Offset, inPlane = h.In * w.In, outPlane = h.Out * w.Out, planes = dst.Dims[0] * dst.Dims[1];
            int srcPlane = adjoint ? outPlane : inPlane, dstPlane = adjoint ? inPlane : outPlane;
            if (plan.Nearest)
            {
                Batches.For(planes, outPlane, i =>
                {
                    ReadOnlySpan<T> from = s.AsSpan(so + i * srcPlane, srcPlane);
                    Span<T> to = d.AsSpan(i * dstPlane, dstPlane);
                    if (adjoint) Resample.NearestAdjoint(from, h, w, to);
                    else Resample.NearestForward(from, h, w, to);
                });
                return;
            }
            var weights = new LinearWeights<T>(h, w);
            // Several planes per parallel item, so that small planes share one scratch row block.
            int per = Math.Max(1, 4096 / Math.Max(outPlane, 1)), items = (planes + per - 1) / per, scratchLength = h.In * w.Out;
            Batches.For(items, 4L * outPlane * per, item =>
            {
                T[] scratch = ArrayPool<T>.Shared.Rent(scratchLength);
                for (int i = item * per, end = Math.Min(planes, i + per); i < end; i++)
                {
                    ReadOnlySpan<T> from = s.AsSpan(so + i * srcPlane, srcPlane);
                    Span<T> to = d.AsSpan(i * dstPlane, dstPlane), tmp = scratch.AsSpan(0, scratchLength);
                    if (adjoint) Resample.LinearAdjoint(from, h, w, weights, tmp, to);
                    else Resample.LinearForward(from, h, w, weights, tmp, to);
                }
                ArrayPool<T>.Shared.Return(scratch);
            });
        }
    }
}

namespace Nabla.Ops
{
    // resampling is linear in x: its vector-Jacobian product is the adjoint, which adds each output gradient onto the
    // source pixels it read, with the same weights (PyTorch's UpsampleNearest2DBackward / UpsampleBilinear2DBackward).
    internal sealed class UpsampleNearest2DBackward(Tensor x, ResamplePlan plan) : Node(x)
    {
        public override Tensor?[] Backward(Tensor grad) => [Functional.ResampleAdjointOp(grad, plan)];
    }

    internal sealed class UpsampleBilinear2DBackward(Tensor x, ResamplePlan plan) : Node(x)
    {
        public override Tensor?[] Backward(Tensor grad) => [Functional.ResampleAdjointOp(grad, plan)];
    }

    // the adjoint is linear too; its vector-Jacobian product is the resampling again
    internal sealed class UpsampleBackwardBackward(Tensor grad, ResamplePlan plan) : Node(grad)
    {
        public override Tensor?[] Backward(Tensor gg) => [Functional.ResampleOp(gg, plan)];
    }
}
