using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    // Note [Transposed convolution]
    // conv_transpose(x, w) is the input gradient of conv(·, w) evaluated at the output gradient x, so it runs on the
    // convolution kernels with the roles swapped: a ConvShape whose "input" is the transposed convolution's output
    // [N, C_out, H_out, W_out] and whose "output" is its input [N, C_in, H, W] (the weight [C_in, C_out/groups, kH, kW] is
    // then exactly the convolution's [C_out', C_in'/groups, kH, kW]). Forward is Conv2dKernels.Backward's input
    // gradient (W_gᵀ · x_n, then col2im), the input gradient is an ordinary convolution of the output gradient, and
    // the weight gradient is the convolution's weight gradient with the two tensors exchanged. The window's output
    // size is set to the input's size rather than derived from H_out, which is what keeps output_padding (extra
    // rows no tap of the last window reaches) exact.
    public static partial class Functional
    {
        /// <summary>1-D transposed convolution, like <c>torch.nn.functional.conv_transpose1d</c>: the gradient of <see cref="Conv1d"/> with respect to its input.</summary>
        /// <remarks>
        /// <c>full[n, co, i*stride + k*dilation] += x[n, ci, i] * weight[ci, co - g*C_out/groups, k]</c> for every input position <c>i</c>, tap
        /// <c>k</c> and input channel <c>ci</c> of group <c>g</c> (output channels <c>co</c> of the same group); then
        /// <c>out[n, co, j] = full[n, co, j + padding] + bias[co]</c> for <c>j = 0 .. L_out-1</c>, with
        /// <c>L_out = (L - 1)*stride - 2*padding + dilation*(K - 1) + output_padding + 1</c>. Shapes: <paramref name="input"/> <c>[N, C_in, L]</c>
        /// (or <c>[C_in, L]</c>), <paramref name="weight"/> <c>[C_in, C_out/groups, K]</c>, <paramref name="bias"/> <c>[C_out]</c>.
        /// <paramref name="outputPadding"/> must be smaller than <c>max(stride, dilation)</c>. Computed as a 2-D one over a height of 1.
        /// </remarks>
        /// <param name="input">The signal, <c>[N, C_in, L]</c>.</param>
        /// <param name="weight">The filters, <c>[C_in, C_out/groups, K]</c>.</param>
        /// <param name="bias">Optional per-output-channel bias, <c>[C_out]</c>.</param>
        /// <param name="stride">Step between the input positions' windows in the output.</param>
        /// <param name="padding">Positions removed from both ends of the full output (<c>dilation*(K-1) - padding</c> zeros of the equivalent convolution).</param>
        /// <param name="outputPadding">Positions added at the end of the output (only to pick one of the sizes a strided convolution maps to the same length).</param>
        /// <param name="groups">Number of blocked channel groups; the input channels must be divisible by it.</param>
        /// <param name="dilation">Spacing between kernel taps.</param>
        public static Tensor ConvTranspose1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0,
            int groups = 1, int dilation = 1)
            => Ops.Composite.Run("ConvolutionBackward", [input, weight, bias],
                a => ConvTransposeNd("conv_transpose1d", 1, a[0]!, a[1]!, a[2], [stride], [padding], [outputPadding], groups, [dilation]));

        /// <summary>2-D transposed convolution, like <c>torch.nn.functional.conv_transpose2d</c>: the gradient of <see cref="Conv2d"/> with respect to its input.</summary>
        /// <remarks>
        /// Per spatial dim as in <see cref="ConvTranspose1d"/>: <c>full[n, co, i*sH + p*dH, j*sW + q*dW] += x[n, ci, i, j] * weight[ci, co - g*C_out/groups, p, q]</c>,
        /// <c>out[n, co, a, b] = full[n, co, a + pH, b + pW] + bias[co]</c>, <c>H_out = (H - 1)*sH - 2*pH + dH*(kH - 1) + opH + 1</c> (same for W).
        /// Shapes: <paramref name="input"/> <c>[N, C_in, H, W]</c> (or <c>[C_in, H, W]</c>), <paramref name="weight"/> <c>[C_in, C_out/groups, kH, kW]</c>,
        /// <paramref name="bias"/> <c>[C_out]</c>. Runs on the convolution kernels (Note [Transposed convolution]).
        /// </remarks>
        /// <param name="input">The images, <c>[N, C_in, H, W]</c>.</param>
        /// <param name="weight">The filters, <c>[C_in, C_out/groups, kH, kW]</c>.</param>
        /// <param name="bias">Optional per-output-channel bias, <c>[C_out]</c>.</param>
        /// <param name="stride"><c>[sH, sW]</c>; null means <c>[1, 1]</c>.</param>
        /// <param name="padding"><c>[pH, pW]</c>; null means <c>[0, 0]</c>.</param>
        /// <param name="outputPadding"><c>[opH, opW]</c>, each smaller than <c>max(stride, dilation)</c> of its dim; null means <c>[0, 0]</c>.</param>
        /// <param name="groups">Number of blocked channel groups; the input channels must be divisible by it.</param>
        /// <param name="dilation"><c>[dH, dW]</c>; null means <c>[1, 1]</c>.</param>
        public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, int[]? stride = null, int[]? padding = null,
            int[]? outputPadding = null, int groups = 1, int[]? dilation = null)
            => ConvTransposeNd("conv_transpose2d", 2, input, weight, bias, stride ?? [1, 1], padding ?? [0, 0], outputPadding ?? [0, 0], groups, dilation ?? [1, 1]);

        private static Tensor ConvTransposeNd(string op, int spatial, Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] outputPadding,
            int groups, int[] dilation)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            if (Autocast.IsEnabled) // Note [Autocast policy]: cast before the dtype check
                (input, weight, bias) = (Autocast.Lower(input), Autocast.Lower(weight), Autocast.LowerOptional(bias));
            CheckConvOperands(op, spatial, input, weight, bias, "C_in, C_out/groups", groups);
            string taps = spatial == 1 ? "K" : "kH, kW";
            stride = WindowParam(op, "stride", stride, spatial, 1);
            padding = WindowParam(op, "padding", padding, spatial, 0);
            outputPadding = WindowParam(op, "output_padding", outputPadding, spatial, 0);
            dilation = WindowParam(op, "dilation", dilation, spatial, 1);
            bool batched = input.Rank == spatial + 2;
            int cin = input.Dims[batched ? 1 : 0];
            if (weight.Dims[0] != cin)
                throw new ArgumentException(
                    $"{op}: weight of shape {weight.Shape} ([C_in, C_out/groups, {taps}]) expects input with {weight.Dims[0]} channels, but got input of shape {input.Shape} with {cin} channels",
                    nameof(input));
            if (cin % groups != 0)
                throw new ArgumentException($"{op}: in_channels {cin} (input shape {input.Shape}) is not divisible by groups={groups}", nameof(input));
            int cout = weight.Dims[1] * groups;
            if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != cout))
                throw new ArgumentException(
                    $"{op}: expected bias of shape [{cout}] (one per output channel: weight shape {weight.Shape} with groups={groups}), got shape {bias.Shape}", nameof(bias));
            for (int i = 0; i < spatial; i++)
                if (outputPadding[i] >= Math.Max(stride[i], dilation[i]))
                    throw new ArgumentException(
                        $"{op}: output_padding {Shape.Format(outputPadding)} must be smaller than max(stride, dilation) in every dimension, got stride {Shape.Format(stride)} and dilation {Shape.Format(dilation)}",
                        nameof(outputPadding));

            int first = input.Rank - spatial;
            var outSizes = new long[spatial];
            for (int i = 0; i < spatial; i++)
            {
                int length = input.Dims[first + i], k = weight.Dims[2 + i];
                outSizes[i] = (long)(length - 1) * stride[i] - 2L * padding[i] + (long)dilation[i] * (k - 1) + outputPadding[i] + 1;
                if (length == 0 || outSizes[i] < 1 || outSizes[i] > int.MaxValue)
                    throw new ArgumentException(
                        $"{op}: input of shape {input.Shape} with weight of shape {weight.Shape}, stride {Shape.Format(stride)}, padding {Shape.Format(padding)}, " +
                        $"output_padding {Shape.Format(outputPadding)} and dilation {Shape.Format(dilation)} gives output size [{string.Join(", ", outSizes[..(i + 1)])}] in the spatial dims; " +
                        "expected a non-empty input and a positive output size ((L - 1)*stride - 2*padding + dilation*(K - 1) + output_padding + 1)", nameof(input));
            }

            Tensor x = batched ? input : input.Unsqueeze(0);
            Tensor w = weight;
            if (spatial == 1)
            {
                x = x.Unsqueeze(2);
                w = w.Unsqueeze(2);
            }
            int sh = spatial == 1 ? 1 : stride[0], ph = spatial == 1 ? 0 : padding[0], dh = spatial == 1 ? 1 : dilation[0];
            var g = new Window2d(w.Dims[2], w.Dims[3], sh, stride[^1], ph, padding[^1], dh, dilation[^1],
                H: spatial == 1 ? 1 : (int)outSizes[0], W: (int)outSizes[^1], OH: x.Dims[2], OW: x.Dims[3]);
            Tensor y = ConvTransposeCore(x, w, bias, g, groups);
            if (spatial == 1) y = y.Squeeze(2);
            return batched ? y : y.Squeeze(0);
        }

        /// <summary>
        /// The transposed convolution of <c>[N, C_in, OH, OW]</c> by <c>[C_in, C_out/groups, KH, KW]</c> into <c>[N, C_out, H, W]</c> for window
        /// geometry <paramref name="g"/> (the convolution whose input gradient it is), recorded. See Note [Transposed convolution].
        /// </summary>
        internal static Tensor ConvTransposeCore(Tensor x, Tensor w, Tensor? bias, Window2d g, int groups)
        {
            if (Autocast.IsEnabled) // Note [Autocast policy]
            {
                Tensor? b = Autocast.LowerOptional(bias);
                if (Autocast.Lower(ref x, ref w) || !ReferenceEquals(b, bias)) return ConvTransposeCore(x, w, b, g, groups);
            }
            if (Ops.HalfCompute.Applies(x, w, bias)) return Ops.HalfCompute.Run(x, w, bias, (x, w, b) => ConvTransposeCore(x, w!, b, g, groups)); // See Note [Half compute]
            var s = new ConvShape(x.Dims[0], w.Dims[1] * groups, w.Dims[0], groups, g);
            var y = Tensor.Empty(x.DType, [s.N, s.Cin, g.H, g.W]);
            Tensor xc = x.ContiguousData(), wc = w.ContiguousData();
            Tensor? bc = bias?.ContiguousData();
            if (x.DType == DType.Float32) ConvTransposeTyped<float>(xc, wc, bc, y, s);
            else ConvTransposeTyped<double>(xc, wc, bc, y, s);
            if (Autograd.ShouldRecord([x, w, bias])) y.SetGradFn(new Ops.ConvolutionTransposeBackward(x, w, bias, s));
            return y;
        }

        private static void ConvTransposeTyped<T>(Tensor x, Tensor w, Tensor? b, Tensor y, ConvShape s) where T : unmanaged, INumber<T>
        {
            T[] yd = y.Data<T>();
            // y_n = fold(W_gᵀ · x_n): the convolution's input gradient with x in the role of the output gradient.
            Conv2dKernels.Backward<T>(null, 0, w.Data<T>(), w.Offset, x.Data<T>(), x.Offset, yd, null, null, s);
            if (b is null) return;
            T[] bd = b.Data<T>();
            int plane = s.G.H * s.G.W, bo = b.Offset;
            Batches.For(s.N, s.InImage, n =>
            {
                for (int c = 0; c < s.Cin; c++) Conv2dKernels.AddScalar(yd.AsSpan((n * s.Cin + c) * plane, plane), bd[bo + c]);
            });
        }
    }
}

namespace Nabla.Ops
{
    // y = fold(Wᵀ·x) + b per image is linear in x and in W (Note [Transposed convolution]):
    // dx = conv2d(dy, W) (the adjoint of the input gradient is the convolution), dW = Σ_n x_n · unfold(dy_n)ᵀ, db = Σ dy over batch and positions.
    // Without a graph to build it runs the convolution kernels; with createGraph it is written in recorded ops
    // (a convolution, unfold and matmul, sum), so second derivatives come from those.
    // Named ConvolutionBackward, as PyTorch's node for every convolution, transposed or not.
    internal sealed class ConvolutionTransposeBackward : Node
    {
        private readonly ConvShape _s;
        private readonly int[] _weightDims;

        public ConvolutionTransposeBackward(Tensor x, Tensor w, Tensor? bias, ConvShape s) : base("ConvolutionBackward", x, w, bias)
        {
            Save(NeedsGrad(1) ? x : null);
            Save(NeedsGrad(0) ? w : null);
            (_s, _weightDims) = (s, (int[])w.Dims.Clone());
        }

        public override Tensor?[] Backward(Tensor grad) => Autograd.IsGradEnabled ? Recorded(grad) : Fused(grad);

        private Tensor?[] Fused(Tensor grad)
        {
            ConvShape s = _s;
            Tensor gy = grad.ContiguousData();
            Tensor? xc = NeedsGrad(1) ? Saved(0).ContiguousData() : null, wc = NeedsGrad(0) ? Saved(1).ContiguousData() : null;
            Tensor? dx = NeedsGrad(0) ? Tensor.Empty(gy.DType, [s.N, s.Cout, s.G.OH, s.G.OW]) : null;
            Tensor? dw = NeedsGrad(1) ? Tensor.Empty(gy.DType, _weightDims) : null;
            if (gy.DType == DType.Float32) FusedTyped<float>(gy, xc, wc, dx, dw);
            else FusedTyped<double>(gy, xc, wc, dx, dw);
            return [dx, dw, NeedsGrad(2) ? grad.Sum([0, 2, 3]) : null];
        }

        private void FusedTyped<T>(Tensor gy, Tensor? x, Tensor? w, Tensor? dx, Tensor? dw) where T : unmanaged, INumber<T>
        {
            if (dx is not null) Conv2dKernels.Forward(gy.Data<T>(), gy.Offset, w!.Data<T>(), w.Offset, null, 0, dx.Data<T>(), _s);
            if (dw is not null)
                Conv2dKernels.Backward(gy.Data<T>(), gy.Offset, null, 0, x!.Data<T>(), x.Offset, null, dw.Data<T>(), null, _s);
        }

        private Tensor?[] Recorded(Tensor grad)
        {
            ConvShape s = _s;
            Tensor? dx = null, dw = null;
            if (NeedsGrad(0)) dx = Functional.Conv2dCore(grad, Saved(1), null, s.G, s.Groups, relu: false);
            if (NeedsGrad(1))
            {
                Tensor x = Saved(0).Reshape(s.N, s.Groups, s.CoutG, s.L);
                Tensor cols = Functional.Im2ColOp(grad, s.G).Reshape(s.N, s.Groups, s.K, s.L);
                dw = x.MatMul(cols.MT).Sum(0).Reshape(_weightDims);
            }
            return [dx, dw, NeedsGrad(2) ? grad.Sum([0, 2, 3]) : null];
        }
    }
}
