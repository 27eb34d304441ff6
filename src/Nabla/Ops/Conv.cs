using System.Numerics;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    /// <summary>PyTorch's torch.nn.functional: stateless layers, activations and losses.</summary>
    public static partial class Functional
    {
        /// <summary>1-D convolution (cross-correlation, zero padding), like <c>torch.nn.functional.conv1d</c>.</summary>
        /// <remarks>
        /// <c>out[n, o, t] = bias[o] + sum_{c, k} weight[o, c, k] * x[n, g*C_in/groups + c, t*stride - padding + k*dilation]</c> where
        /// <c>g = o / (C_out/groups)</c> is the group of output channel <c>o</c>. Shapes: <paramref name="input"/> <c>[N, C_in, L]</c> (or
        /// <c>[C_in, L]</c>), <paramref name="weight"/> <c>[C_out, C_in/groups, K]</c>, <paramref name="bias"/> <c>[C_out]</c>; output
        /// <c>[N, C_out, L_out]</c> with <c>L_out = floor((L + 2*padding - dilation*(K-1) - 1)/stride) + 1</c>.
        /// Computed as a 2-D convolution over a height of 1.
        /// </remarks>
        /// <param name="input">The signal, <c>[N, C_in, L]</c>.</param>
        /// <param name="weight">The filters, <c>[C_out, C_in/groups, K]</c>.</param>
        /// <param name="bias">Optional per-output-channel bias, <c>[C_out]</c>.</param>
        /// <param name="stride">Step between windows.</param>
        /// <param name="padding">Zeros added on both sides.</param>
        /// <param name="dilation">Spacing between kernel taps.</param>
        /// <param name="groups">Number of blocked channel groups; both channel counts must be divisible by it.</param>
        public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
            => Ops.Composite.Run("ConvolutionBackward", [input, weight, bias],
                a => ConvNd("conv1d", 1, a[0]!, a[1]!, a[2], [stride], [padding], [dilation], groups)); // one node, as conv2d

        /// <summary>2-D convolution (cross-correlation, zero padding), like <c>torch.nn.functional.conv2d</c>.</summary>
        /// <remarks>
        /// <c>out[n, o, i, j] = bias[o] + sum_{c, p, q} weight[o, c, p, q] * x[n, g*C_in/groups + c, i*sH - pH + p*dH, j*sW - pW + q*dW]</c>
        /// with <c>g = o / (C_out/groups)</c>. Shapes: <paramref name="input"/> <c>[N, C_in, H, W]</c> (or <c>[C_in, H, W]</c>),
        /// <paramref name="weight"/> <c>[C_out, C_in/groups, kH, kW]</c>, <paramref name="bias"/> <c>[C_out]</c>; output <c>[N, C_out, H_out, W_out]</c>
        /// with <c>H_out = floor((H + 2*pH - dH*(kH-1) - 1)/sH) + 1</c> (same for W). Computed image by image as im2col (<see cref="Unfold"/>)
        /// followed by one matrix product per group, in one fused op (Note [Convolution kernels] in Kernels/Conv2dKernels.cs).
        /// </remarks>
        /// <param name="input">The images, <c>[N, C_in, H, W]</c>.</param>
        /// <param name="weight">The filters, <c>[C_out, C_in/groups, kH, kW]</c>.</param>
        /// <param name="bias">Optional per-output-channel bias, <c>[C_out]</c>.</param>
        /// <param name="stride"><c>[sH, sW]</c>; null means <c>[1, 1]</c>.</param>
        /// <param name="padding"><c>[pH, pW]</c> zeros on both sides; null means <c>[0, 0]</c>.</param>
        /// <param name="dilation"><c>[dH, dW]</c>; null means <c>[1, 1]</c>.</param>
        /// <param name="groups">Number of blocked channel groups; both channel counts must be divisible by it.</param>
        public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int[]? stride = null, int[]? padding = null,
            int[]? dilation = null, int groups = 1)
            => ConvNd("conv2d", 2, input, weight, bias, stride ?? [1, 1], padding ?? [0, 0], dilation ?? [1, 1], groups);

        /// <summary>Extracts sliding blocks (im2col), like <c>torch.nn.functional.unfold</c>.</summary>
        /// <remarks>
        /// <paramref name="input"/> <c>[N, C, H, W]</c> becomes <c>[N, C*kH*kW, L]</c> with <c>L = H_out*W_out</c> (output sizes as for
        /// <see cref="Conv2d"/>): row <c>(c*kH + p)*kW + q</c>, column <c>i*W_out + j</c> holds <c>x[n, c, i*sH - pH + p*dH, j*sW - pW + q*dW]</c>,
        /// zero in the padding. Its gradient is <see cref="Fold"/>.
        /// </remarks>
        /// <param name="input">The images, <c>[N, C, H, W]</c>.</param>
        /// <param name="kernelSize"><c>[kH, kW]</c>.</param>
        /// <param name="dilation"><c>[dH, dW]</c>; null means <c>[1, 1]</c>.</param>
        /// <param name="padding"><c>[pH, pW]</c>; null means <c>[0, 0]</c>.</param>
        /// <param name="stride"><c>[sH, sW]</c>; null means <c>[1, 1]</c>.</param>
        public static Tensor Unfold(Tensor input, int[] kernelSize, int[]? dilation = null, int[]? padding = null, int[]? stride = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.Rank != 4)
                throw new ArgumentException($"unfold: expected input of rank 4 [N, C, H, W], got shape {input.Shape}", nameof(input));
            Tensor.CheckFloat(input, "unfold");
            Window2d g = SlidingWindow("unfold", input.Dims[2], input.Dims[3], kernelSize, stride ?? [1, 1], padding ?? [0, 0], dilation ?? [1, 1], false, input.Shape);
            return Im2ColOp(input, g);
        }

        /// <summary>Sums sliding blocks back into images (col2im), like <c>torch.nn.functional.fold</c>; the adjoint of <see cref="Unfold"/>.</summary>
        /// <remarks>
        /// <paramref name="input"/> <c>[N, C*kH*kW, L]</c> becomes <c>[N, C, outputSize[0], outputSize[1]]</c>; every entry is added onto
        /// the pixel <see cref="Unfold"/> would have read it from (entries that fall in the padding are dropped). <c>L</c> must equal the
        /// number of window positions. Its gradient is <see cref="Unfold"/>.
        /// </remarks>
        /// <param name="input">The blocks, <c>[N, C*kH*kW, L]</c>.</param>
        /// <param name="outputSize"><c>[H, W]</c> of the result.</param>
        /// <param name="kernelSize"><c>[kH, kW]</c>.</param>
        /// <param name="dilation"><c>[dH, dW]</c>; null means <c>[1, 1]</c>.</param>
        /// <param name="padding"><c>[pH, pW]</c>; null means <c>[0, 0]</c>.</param>
        /// <param name="stride"><c>[sH, sW]</c>; null means <c>[1, 1]</c>.</param>
        public static Tensor Fold(Tensor input, int[] outputSize, int[] kernelSize, int[]? dilation = null, int[]? padding = null, int[]? stride = null)
        {
            ArgumentNullException.ThrowIfNull(input);
            if (input.Rank != 3)
                throw new ArgumentException($"fold: expected input of rank 3 [N, C*kH*kW, L], got shape {input.Shape}", nameof(input));
            Tensor.CheckFloat(input, "fold");
            int[] size = WindowParam("fold", "output_size", outputSize, 2, 1);
            Window2d g = SlidingWindow("fold", size[0], size[1], kernelSize, stride ?? [1, 1], padding ?? [0, 0], dilation ?? [1, 1], false, input.Shape);
            int taps = g.KH * g.KW;
            if (input.Dims[1] % taps != 0)
                throw new ArgumentException(
                    $"fold: expected dimension 1 of input shape {input.Shape} to be divisible by kH*kW = {taps} (kernel_size [{g.KH}, {g.KW}])", nameof(input));
            if (input.Dims[2] != g.OH * g.OW)
                throw new ArgumentException(
                    $"fold: expected dimension 2 of input shape {input.Shape} to be the number of blocks {g.OH * g.OW} ([{g.OH}, {g.OW}] for output_size [{g.H}, {g.W}]), got {input.Dims[2]}",
                    nameof(input));
            return Col2ImOp(input, g, input.Dims[1] / taps);
        }

        /// <summary>
        /// <c>relu(conv2d(input, weight, bias))</c> as one op (<c>ConvolutionReluBackward</c>): the same arguments, checks,
        /// results and gradients as the two ops (see Note [Fused convolution + ReLU]). <see cref="NN.ModuleExtensions.Fuse"/> makes a
        /// Conv2d followed by a Relu use it.
        /// </summary>
        public static Tensor Conv2dRelu(Tensor input, Tensor weight, Tensor? bias = null, int[]? stride = null, int[]? padding = null,
            int[]? dilation = null, int groups = 1)
            => ConvNd("conv2d", 2, input, weight, bias, stride ?? [1, 1], padding ?? [0, 0], dilation ?? [1, 1], groups, relu: true);

        private static Tensor ConvNd(string op, int spatial, Tensor input, Tensor weight, Tensor? bias, int[] stride, int[] padding, int[] dilation, int groups,
            bool relu = false)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            if (Autocast.IsEnabled) // Note [Autocast policy]: cast before the dtype check
                (input, weight, bias) = (Autocast.Lower(input), Autocast.Lower(weight), Autocast.LowerOptional(bias));
            CheckConvOperands(op, spatial, input, weight, bias, "C_out, C_in/groups", groups);
            stride = WindowParam(op, "stride", stride, spatial, 1);
            padding = WindowParam(op, "padding", padding, spatial, 0);
            dilation = WindowParam(op, "dilation", dilation, spatial, 1);
            bool batched = input.Rank == spatial + 2;
            int cin = input.Dims[batched ? 1 : 0], cout = weight.Dims[0];
            if (cout % groups != 0)
                throw new ArgumentException($"{op}: out_channels {cout} (weight shape {weight.Shape}) is not divisible by groups={groups}", nameof(weight));
            if (cin % groups != 0)
                throw new ArgumentException($"{op}: in_channels {cin} (input shape {input.Shape}) is not divisible by groups={groups}", nameof(input));
            if (weight.Dims[1] * groups != cin)
                throw new ArgumentException(
                    $"{op}: weight of shape {weight.Shape} with groups={groups} expects input with {weight.Dims[1] * groups} channels, but got input of shape {input.Shape} with {cin} channels",
                    nameof(input));
            if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != cout))
                throw new ArgumentException($"{op}: expected bias of shape [{cout}] (one per output channel), got shape {bias.Shape}", nameof(bias));

            Tensor x = batched ? input : input.Unsqueeze(0);
            Tensor w = weight;
            if (spatial == 1)
            {
                x = x.Unsqueeze(2);
                w = w.Unsqueeze(2);
                stride = [1, stride[0]];
                padding = [0, padding[0]];
                dilation = [1, dilation[0]];
            }
            Window2d g = SlidingWindow(op, x.Dims[2], x.Dims[3], [w.Dims[2], w.Dims[3]], stride, padding, dilation, false, input.Shape, weight.Shape);
            Tensor y = Conv2dCore(x, w, bias, g, groups, relu);
            if (spatial == 1) y = y.Squeeze(2);
            return batched ? y : y.Squeeze(0);
        }

        /// <summary>
        /// The checks every convolution makes first: input of rank <c>spatial + 2</c> (or one less without the batch dim), weight of rank
        /// <c>spatial + 2</c> laid out as <paramref name="weightLayout"/>, floating point, one dtype, positive groups.
        /// </summary>
        private static void CheckConvOperands(string op, int spatial, Tensor input, Tensor weight, Tensor? bias, string weightLayout, int groups)
        {
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            string sizes = spatial == 1 ? "L" : "H, W", taps = spatial == 1 ? "K" : "kH, kW";
            if (input.Rank != spatial + 1 && input.Rank != spatial + 2)
                throw new ArgumentException(
                    $"{op}: expected input of rank {spatial + 2} [N, C_in, {sizes}] (or {spatial + 1} without the batch dimension), got shape {input.Shape}", nameof(input));
            if (weight.Rank != spatial + 2)
                throw new ArgumentException($"{op}: expected weight of rank {spatial + 2} [{weightLayout}, {taps}], got shape {weight.Shape}", nameof(weight));
            Tensor.CheckFloat(input, op);
            Tensor.CheckSameDType(input, weight, op);
            if (bias is not null) Tensor.CheckSameDType(input, bias, op);
            if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), $"{op}: groups must be positive, got {groups}");
        }

        // out = W_g @ unfold(x)_g + b per group g, one fused op: see Note [Convolution kernels] in Kernels/Conv2dKernels.cs.
        internal static Tensor Conv2dCore(Tensor x, Tensor w, Tensor? bias, Window2d g, int groups, bool relu)
        {
            if (Autocast.IsEnabled) // Note [Autocast policy]
            {
                Tensor? b = Autocast.LowerOptional(bias);
                if (Autocast.Lower(ref x, ref w) || !ReferenceEquals(b, bias)) return Conv2dCore(x, w, b, g, groups, relu);
            }
            if (Ops.HalfCompute.Applies(x, w, bias)) return Ops.HalfCompute.Run(x, w, bias, (x, w, b) => Conv2dCore(x, w!, b, g, groups, relu)); // See Note [Half compute]
            var s = new ConvShape(x.Dims[0], x.Dims[1], w.Dims[0], groups, g);
            var y = Tensor.Empty(x.DType, [s.N, s.Cout, g.OH, g.OW]);
            Tensor xc = x.ContiguousData(), wc = w.ContiguousData();
            Tensor? bc = bias?.ContiguousData();
            if (x.DType == DType.Float32)
                Conv2dKernels.Forward(xc.Data<float>(), xc.Offset, wc.Data<float>(), wc.Offset, bc?.Data<float>(), bc?.Offset ?? 0, y.Data<float>(), s, relu: relu);
            else
                Conv2dKernels.Forward(xc.Data<double>(), xc.Offset, wc.Data<double>(), wc.Offset, bc?.Data<double>(), bc?.Offset ?? 0, y.Data<double>(), s, relu: relu);
            if (Autograd.ShouldRecord([x, w, bias])) y.SetGradFn(relu ? new Ops.ConvolutionReluBackward(x, w, bias, s, y) : new Ops.ConvolutionBackward(x, w, bias, s));
            return y;
        }

        /// <summary>Validates a per-axis window parameter: <paramref name="count"/> values, each at least <paramref name="min"/>.</summary>
        private static int[] WindowParam(string op, string name, int[]? values, int count, int min)
        {
            string expected = count == 1 ? "1 value" : $"{count} values [h, w]";
            if (values is null || values.Length != count)
                throw new ArgumentException(
                    $"{op}: expected {name} to have {expected}, got {(values is null ? "null" : Shape.Format(values))}", name);
            foreach (int v in values)
                if (v < min)
                    throw new ArgumentOutOfRangeException(name,
                        $"{op}: {name} must be {(min == 0 ? "non-negative" : "positive")}, got {Shape.Format(values)}");
            return values;
        }

        /// <summary>Validates kernel/stride/padding/dilation for an <c>h x w</c> plane and returns the window geometry (output at least 1x1).</summary>
        private static Window2d SlidingWindow(string op, int h, int w, int[] kernelSize, int[] stride, int[] padding, int[] dilation, bool ceilMode,
            Shape inputShape, Shape? weightShape = null)
        {
            int[] k = WindowParam(op, "kernel_size", kernelSize, 2, 1);
            int[] s = WindowParam(op, "stride", stride, 2, 1);
            int[] p = WindowParam(op, "padding", padding, 2, 0);
            int[] d = WindowParam(op, "dilation", dilation, 2, 1);
            int oh = Window2d.OutputSize(h, k[0], s[0], p[0], d[0], ceilMode);
            int ow = Window2d.OutputSize(w, k[1], s[1], p[1], d[1], ceilMode);
            if (oh < 1 || ow < 1)
            {
                string kernel = weightShape is { } ws ? $"weight of shape {ws}" : $"kernel_size {Shape.Format(k)}";
                throw new ArgumentException(
                    $"{op}: input of shape {inputShape} is too small for {kernel} with stride {Shape.Format(s)}, padding {Shape.Format(p)} and dilation {Shape.Format(d)}: " +
                    $"the padded input [{h + 2 * p[0]}, {w + 2 * p[1]}] is smaller than the dilated kernel [{d[0] * (k[0] - 1) + 1}, {d[1] * (k[1] - 1) + 1}], so the output would be [{oh}, {ow}]");
            }
            return new Window2d(k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], h, w, oh, ow);
        }

        /// <summary>im2col of <c>[N, C, H, W]</c> into <c>[N, C*kH*kW, OH*OW]</c>, recorded (its gradient is <see cref="Col2ImOp"/>).</summary>
        internal static Tensor Im2ColOp(Tensor x, Window2d g)
        {
            if (x.DType.IsHalf()) return Ops.HalfCompute.Run(x, x => Im2ColOp(x, g)); // See Note [Half compute]
            int n = x.Dims[0], c = x.Dims[1];
            var y = Tensor.Empty(x.DType, [n, c * g.KH * g.KW, g.OH * g.OW]);
            Tensor src = x.ContiguousData();
            if (x.DType == DType.Float32) Im2ColTyped<float>(src, y, c, g);
            else Im2ColTyped<double>(src, y, c, g);
            if (Autograd.ShouldRecord(x)) y.SetGradFn(new Ops.Im2ColBackward(x, g));
            return y;
        }

        /// <summary>col2im of <c>[N, C*kH*kW, OH*OW]</c> into <c>[N, C, H, W]</c>, recorded (its gradient is <see cref="Im2ColOp"/>).</summary>
        internal static Tensor Col2ImOp(Tensor cols, Window2d g, int channels)
        {
            if (cols.DType.IsHalf()) return Ops.HalfCompute.Run(cols, x => Col2ImOp(x, g, channels)); // See Note [Half compute]
            int n = cols.Dims[0];
            var y = Tensor.Empty(cols.DType, [n, channels, g.H, g.W], zeroed: true);
            Tensor src = cols.ContiguousData();
            if (cols.DType == DType.Float32) Col2ImTyped<float>(src, y, channels, g);
            else Col2ImTyped<double>(src, y, channels, g);
            if (Autograd.ShouldRecord(cols)) y.SetGradFn(new Ops.Col2ImBackward(cols, g));
            return y;
        }

        private static void Im2ColTyped<T>(Tensor src, Tensor y, int c, Window2d g) where T : INumber<T>
        {
            T[] s = src.Data<T>(), d = y.Data<T>();
            int so = src.Offset, inLen = c * g.H * g.W, outLen = c * g.KH * g.KW * g.OH * g.OW;
            Batches.For(y.Dims[0], outLen, i => Im2Col.Unfold<T>(s.AsSpan(so + i * inLen, inLen), c, g, d.AsSpan(i * outLen, outLen)));
        }

        private static void Col2ImTyped<T>(Tensor src, Tensor y, int c, Window2d g) where T : INumber<T>
        {
            T[] s = src.Data<T>(), d = y.Data<T>();
            int so = src.Offset, outLen = c * g.H * g.W, inLen = c * g.KH * g.KW * g.OH * g.OW;
            Batches.For(y.Dims[0], inLen, i => Im2Col.Fold<T>(s.AsSpan(so + i * inLen, inLen), c, g, d.AsSpan(i * outLen, outLen)));
        }
    }
}

namespace Nabla.Ops
{
    // y = W·unfold(x) + b per image: dx = fold(Wᵀ·dy), dW = Σ_n dy·unfold(x)ᵀ, db = Σ dy over batch and positions.
    // Without a graph to build the rule runs the fused kernels (Note [Convolution kernels]); with createGraph it
    // is written in recorded ops (unfold/fold, matmul, sum), so second derivatives come from those.
    // With a ReLU fused in (Note [Fused convolution + ReLU]) the node also keeps its own output y and first
    // applies ReLU's rule, g·[y > 0], exactly as ReluBackward would.
    internal class ConvolutionBackward : Node
    {
        private readonly ConvShape _s;
        private readonly int[] _weightDims;
        private readonly bool _relu;

        public ConvolutionBackward(Tensor x, Tensor w, Tensor? bias, ConvShape s) : this(x, w, bias, s, null) { }

        protected ConvolutionBackward(Tensor x, Tensor w, Tensor? bias, ConvShape s, Tensor? reluOutput) : base(x, w, bias)
        {
            Save(NeedsGrad(1) ? x : null);
            Save(NeedsGrad(0) ? w : null);
            Save(reluOutput);
            (_s, _weightDims, _relu) = (s, (int[])w.Dims.Clone(), reluOutput is not null);
        }

        public override Tensor?[] Backward(Tensor grad)
        {
            if (_relu) grad = Tensor.PassWherePositive(grad, Autograd.ShouldRecord(grad) ? Saved(2).Detach() : Saved(2));
            return Autograd.IsGradEnabled ? Recorded(grad) : Fused(grad);
        }

        private Tensor?[] Fused(Tensor grad)
        {
            ConvShape s = _s;
            Tensor gy = grad.ContiguousData();
            Tensor? xc = NeedsGrad(1) ? Saved(0).ContiguousData() : null, wc = NeedsGrad(0) ? Saved(1).ContiguousData() : null;
            Tensor? dx = NeedsGrad(0) ? Tensor.Empty(gy.DType, [s.N, s.Cin, s.G.H, s.G.W]) : null;
            Tensor? dw = NeedsGrad(1) ? Tensor.Empty(gy.DType, _weightDims) : null;
            Tensor? db = NeedsGrad(2) ? Tensor.Empty(gy.DType, [s.Cout]) : null;
            if (gy.DType == DType.Float32)
                Conv2dKernels.Backward(xc?.Data<float>(), xc?.Offset ?? 0, wc?.Data<float>(), wc?.Offset ?? 0, gy.Data<float>(), gy.Offset,
                    dx?.Data<float>(), dw?.Data<float>(), db?.Data<float>(), s);
            else
                Conv2dKernels.Backward(xc?.Data<double>(), xc?.Offset ?? 0, wc?.Data<double>(), wc?.Offset ?? 0, gy.Data<double>(), gy.Offset,
                    dx?.Data<double>(), dw?.Data<double>(), db?.Data<double>(), s);
            return [dx, dw, db];
        }

        private Tensor?[] Recorded(Tensor grad)
        {
            ConvShape s = _s;
            Tensor g = grad.Reshape(s.N, s.Groups, s.CoutG, s.L);
            Tensor? dx = null, dw = null, db = null;
            if (NeedsGrad(0))
            {
                Tensor dcols = Saved(1).Reshape(s.Groups, s.CoutG, s.K).MT.MatMul(g);
                dx = Functional.Col2ImOp(dcols.Reshape(s.N, s.Groups * s.K, s.L), s.G, s.Cin);
            }
            if (NeedsGrad(1))
            {
                Tensor cols = Functional.Im2ColOp(Saved(0), s.G).Reshape(s.N, s.Groups, s.K, s.L);
                dw = g.MatMul(cols.MT).Sum(0).Reshape(_weightDims);
            }
            if (NeedsGrad(2)) db = grad.Sum([0, 2, 3]);
            return [dx, dw, db];
        }
    }

    internal sealed class ConvolutionReluBackward(Tensor x, Tensor w, Tensor? bias, ConvShape s, Tensor reluOutput)
        : ConvolutionBackward(x, w, bias, s, reluOutput);

    // im2col is linear with adjoint col2im: d unfold(x)/dx^T g = fold(g)
    internal sealed class Im2ColBackward(Tensor x, Window2d g) : Node(x)
    {
        private readonly int _channels = x.Dims[1];

        public override Tensor?[] Backward(Tensor grad) => [Functional.Col2ImOp(grad, g, _channels)];
    }

    // col2im is linear with adjoint im2col: d fold(c)/dc^T g = unfold(g)
    internal sealed class Col2ImBackward(Tensor cols, Window2d g) : Node(cols)
    {
        public override Tensor?[] Backward(Tensor grad) => [Functional.Im2ColOp(grad, g)];
    }
}
