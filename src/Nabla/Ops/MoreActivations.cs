using Nabla.Runtime;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    // The derivatives at kinks follow PyTorch 1.13 (reference README 2.9, docs/ops-elementwise.md): relu6'(0) = relu6'(6) = 0,
    // hardswish'(-3) = -0.5 and hardswish'(3) = 1.5, hardsigmoid'(+-3) = 0, elu'(0) = alpha, selu'(0) = scale*alpha,
    // prelu'(0) = the slope.

    public static partial class Functional
    {
        private const double SeluAlpha = 1.6732632423543772848170429916717;
        private const double SeluScale = 1.0507009873554804934193349852946;

        /// <summary>Mish: <c>x*tanh(softplus(x))</c>, with a softplus that is stable for any finite x.</summary>
        /// <remarks>Derivative <c>tanh(sp) + x*sigmoid(x)*(1 - tanh(sp)^2)</c> with <c>sp = ln(1 + e^x)</c>; elementwise.</remarks>
        public static Tensor Mish(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "mish");
            return x.FloatUnary<MishOp<float>, MishOp<double>>("mish", static (x, _) => new Ops.MishBackward(x));
        }

        /// <summary>Hard swish: <c>x*min(max(x + 3, 0), 6)/6</c>.</summary>
        /// <remarks>Derivative 0 for <c>x &lt; -3</c>, <c>x/3 + 0.5</c> for <c>-3 &lt;= x &lt;= 3</c> (both ends inclusive, as PyTorch), 1 above.</remarks>
        public static Tensor Hardswish(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "hardswish");
            return x.FloatUnary<HardswishOp<float>, HardswishOp<double>>("hardswish", static (x, _) => new Ops.HardswishBackward(x));
        }

        /// <summary>Hard sigmoid: <c>min(max(x + 3, 0), 6)/6</c>.</summary>
        /// <remarks>Derivative 1/6 for <c>-3 &lt; x &lt; 3</c> (strict, as PyTorch), 0 elsewhere including <c>x = +-3</c>.</remarks>
        public static Tensor Hardsigmoid(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "hardsigmoid");
            return x.FloatUnary<HardsigmoidOp<float>, HardsigmoidOp<double>>("hardsigmoid", static (x, _) => new Ops.HardsigmoidBackward(x));
        }

        /// <summary>Hard tanh: <c>min(max(x, minVal), maxVal)</c>; int64 stays int64 (clamped to the bounds truncated toward zero, as PyTorch).</summary>
        /// <remarks>Derivative 1 strictly inside <c>(minVal, maxVal)</c>, 0 elsewhere including both bounds (unlike <see cref="Tensor.Clamp"/>).</remarks>
        public static Tensor Hardtanh(Tensor x, double minVal = -1, double maxVal = 1) => HardtanhCore(x, minVal, maxVal, "hardtanh");

        /// <summary>ReLU6: <c>min(max(x, 0), 6)</c>, which is <see cref="Hardtanh"/> with bounds 0 and 6 (its node is PyTorch's <c>HardtanhBackward</c>).</summary>
        /// <remarks>Derivative 1 for <c>0 &lt; x &lt; 6</c> and 0 elsewhere, also at <c>x = 0</c> and <c>x = 6</c>.</remarks>
        public static Tensor Relu6(Tensor x) => HardtanhCore(x, 0, 6, "relu6");

        private static Tensor HardtanhCore(Tensor x, double minVal, double maxVal, string op)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (!(minVal <= maxVal))
                throw new ArgumentException($"{op}: min_val {minVal} must not exceed max_val {maxVal}");
            if (x.DType == DType.Bool)
                throw new ArgumentException($"{op}: not defined for bool tensors (shape {x.Shape}); convert with .To(DType.Float32) first");
            if (x.DType == DType.Int64)
            {
                // NOTE: PyTorch clamps to the real bounds and truncates the result; for integers that is clamping to the
                // truncated bounds (hardtanh(-3, -0.5, 1.2) = 0).
                return x.Maximum(Tensor.Scalar(Math.Truncate(minVal), DType.Int64)).Minimum(Tensor.Scalar(Math.Truncate(maxVal), DType.Int64));
            }
            Tensor y;
            using (Autograd.NoGrad()) y = x.Clamp(minVal, maxVal);
            if (Autograd.ShouldRecord(x)) y.SetGradFn(new Ops.HardtanhBackward(x, minVal, maxVal));
            return y;
        }

        /// <summary>SELU: <c>scale*(x if x &gt; 0 else alpha*(e^x - 1))</c> with PyTorch's fixed alpha ≈ 1.6733 and scale ≈ 1.0507.</summary>
        /// <remarks>Derivative <c>scale</c> for x &gt; 0 and <c>scale*alpha*e^x</c> for x &lt;= 0 (so <c>scale*alpha</c> at 0). Its node is <c>EluBackward</c>, as in PyTorch.</remarks>
        public static Tensor Selu(Tensor x) => EluCore(x, SeluAlpha, SeluScale, "selu");

        /// <summary>ELU (and SELU): <c>scale*x</c> for x &gt; 0, else <c>scale*alpha*expm1(x)</c>, one op with one node.</summary>
        internal static Tensor EluCore(Tensor x, double alpha, double scale, string op)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, op);
            if (x.DType.IsHalf()) return Ops.HalfCompute.Run(x, x => EluCore(x, alpha, scale, op)); // See Note [Half compute]
            Tensor src = x.ContiguousData();
            Tensor y = Tensor.Empty(x.DType, (int[])x.Dims.Clone());
            int n = (int)y.Numel;
            int parts = Chunked.Parts(n, Chunked.TranscendentalThreshold, ThreadBudget.KernelThreads);
            if (x.DType == DType.Float32)
                Chunked.For(n, 64, parts, (s, len) => EluKernel.Apply<float>(src.Span<float>().Slice(s, len), y.Span<float>().Slice(s, len), alpha, scale));
            else
                Chunked.For(n, 64, parts, (s, len) => EluKernel.Apply<double>(src.Span<double>().Slice(s, len), y.Span<double>().Slice(s, len), alpha, scale));
            if (Autograd.ShouldRecord(x)) y.SetGradFn(new Ops.EluBackward(x, alpha, scale));
            return y;
        }

        /// <summary>Log-sigmoid: <c>ln(sigmoid(x)) = min(x, 0) - ln(1 + e^-|x|)</c>, finite for any finite x.</summary>
        /// <remarks>Derivative <c>sigmoid(-x)</c>.</remarks>
        public static Tensor LogSigmoid(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            Tensor.CheckFloat(x, "logsigmoid");
            return x.FloatUnary<LogSigmoidOp<float>, LogSigmoidOp<double>>("logsigmoid", static (x, _) => new Ops.LogSigmoidBackward(x));
        }

        /// <summary>Softsign: <c>x/(1 + |x|)</c>, composed as PyTorch composes it (its node is <c>DivBackward</c>).</summary>
        /// <remarks>Derivative <c>1/(1 + |x|)^2</c>, 1 at 0. Int64 computes in float32 (true division); bool is refused.</remarks>
        public static Tensor Softsign(Tensor x)
        {
            ArgumentNullException.ThrowIfNull(x);
            if (x.DType == DType.Bool) throw new ArgumentException($"softsign: not defined for bool tensors (shape {x.Shape})");
            Tensor v = x.DType == DType.Int64 ? x.To(DType.Float32) : x;
            return v / (v.Abs() + 1);
        }

        /// <summary>Gated linear unit: splits <paramref name="input"/> in two halves <c>a</c>, <c>b</c> along <paramref name="dim"/> and returns <c>a*sigmoid(b)</c>.</summary>
        /// <remarks>The size along <paramref name="dim"/> must be even; the result has half of it.</remarks>
        public static Tensor Glu(Tensor input, int dim = -1)
        {
            ArgumentNullException.ThrowIfNull(input);
            Tensor.CheckFloat(input, "glu");
            if (input.Rank == 0) throw new ArgumentException("glu: cannot halve a 0-d tensor; expected at least one dimension");
            int d = Tensor.NormalizeDim(dim, input.Rank, "glu");
            int size = input.Dims[d];
            if (size % 2 != 0)
                throw new ArgumentException($"glu: the halved dimension must have an even size, but dimension {d} of shape {input.Shape} has size {size}");
            int half = size / 2;
            return Ops.Composite.Run("GluBackward", input, x => x.Narrow(d, 0, half) * x.Narrow(d, half, half).Sigmoid());
        }

        /// <summary>Parametric ReLU: <c>x</c> for x &gt; 0, else <c>weight[c]*x</c> with <c>c</c> the index along dim 1.</summary>
        /// <remarks>
        /// <paramref name="weight"/> is <c>[1]</c> (one shared slope, any input rank) or <c>[C]</c> with <c>C = input.Size(1)</c>. At
        /// <c>x = 0</c> the slope is the weight: the input gradient is <c>weight*g</c> and the weight gradient <c>x*g = 0</c>.
        /// </remarks>
        public static Tensor Prelu(Tensor input, Tensor weight)
        {
            const string op = "prelu";
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(weight);
            Tensor.CheckFloat(input, op);
            Tensor.CheckSameDType(input, weight, op);
            int channels = input.Rank >= 2 ? input.Dims[1] : 1;
            if (weight.Rank > 1 || (weight.Numel != 1 && (input.Rank < 2 || weight.Numel != channels)))
                throw new ArgumentException(input.Rank >= 2
                    ? $"{op}: weight of shape {weight.Shape} does not fit input of shape {input.Shape}; expected [1] or [{channels}] (the size of dim 1)"
                    : $"{op}: weight of shape {weight.Shape} does not fit input of shape {input.Shape}; expected [1], since an input of rank {input.Rank} has no channel dim");
            int[] slopeShape = new int[Math.Max(input.Rank, 1)];
            Array.Fill(slopeShape, 1);
            if (weight.Numel != 1) slopeShape[1] = channels;
            return Ops.Composite.Run("PreluBackward", input, weight,
                (x, w) => Tensor.Where(x.Gt(0), x, w!.Reshape(input.Rank == 0 ? [] : slopeShape) * x));
        }
    }
}

namespace Nabla.Ops
{
    // d mish/dx = tanh(sp) + x*sigmoid(x)*(1 - tanh(sp)^2), sp = softplus(x)
    internal sealed class MishBackward : Node
    {
        public MishBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0);
            Tensor t = Functional.StableSoftplus(x).Tanh();
            return [g * (t + x * x.Sigmoid() * (1.0 - t * t))];
        }
    }

    // d hardswish/dx = 0 for x < -3, x/3 + 1/2 for -3 <= x <= 3, 1 for x > 3
    internal sealed class HardswishBackward : Node
    {
        public HardswishBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0);
            Tensor middle = x / 3.0 + 0.5, outside = x.Detach().Gt(3).To(x.DType);
            return [g * Tensor.Where(x.Detach().Lt(-3).LogicalOr(x.Detach().Gt(3)), outside, middle)];
        }
    }

    // d hardsigmoid/dx = 1/6 for -3 < x < 3, else 0
    internal sealed class HardsigmoidBackward : Node
    {
        public HardsigmoidBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0).Detach();
            return [g * (x.Gt(-3).LogicalAnd(x.Lt(3)).To(g.DType) * (1.0 / 6))];
        }
    }

    // d hardtanh/dx = 1 for min < x < max (strict), else 0
    internal sealed class HardtanhBackward : Node
    {
        private readonly double _min, _max;

        public HardtanhBackward(Tensor x, double min, double max) : base(x)
        {
            Save(x);
            (_min, _max) = (min, max);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0).Detach();
            return [g * x.Gt(_min).LogicalAnd(x.Lt(_max)).To(g.DType)];
        }
    }

    // d elu/dx = scale for x > 0, scale*alpha*e^x for x <= 0
    internal sealed class EluBackward : Node
    {
        private readonly double _alpha, _scale;

        public EluBackward(Tensor x, double alpha, double scale) : base(x)
        {
            Save(x);
            (_alpha, _scale) = (alpha, scale);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0);
            // NOTE: the exp() of the unselected branch reads a clamped x, so a large positive x gives no inf * 0 = NaN.
            Tensor negative = x.Clamp(max: 0).Exp() * (_alpha * _scale);
            return [g * Tensor.Where(x.Detach().Gt(0), Tensor.Scalar(_scale, x.DType), negative)];
        }
    }

    // d ln sigmoid(x)/dx = sigmoid(-x)
    internal sealed class LogSigmoidBackward : Node
    {
        public LogSigmoidBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * (-Saved(0)).Sigmoid()];
    }
}
