using System.Runtime.CompilerServices;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Elementwise negation.</summary>
        public Tensor Neg()
        {
            if (DType == DType.Int64)
            {
                var r = Empty(DType.Int64, (int[])Dims.Clone());
                NegOp<long>.Invoke(ContiguousData().Span<long>(), r.Span<long>());
                return r;
            }
            Tensor y = UnaryKernel<NegOp<float>, NegOp<double>>(this, "neg");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.NegBackward(this));
            return y;
        }

        /// <summary>Elementwise e^x.</summary>
        public Tensor Exp()
        {
            Tensor y = UnaryKernel<ExpOp<float>, ExpOp<double>>(this, "exp");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.ExpBackward(this, y));
            return y;
        }

        /// <summary>Elementwise natural logarithm.</summary>
        public Tensor Log()
        {
            Tensor y = UnaryKernel<LogOp<float>, LogOp<double>>(this, "log");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.LogBackward(this));
            return y;
        }

        /// <summary>Elementwise ln(1 + x), accurate for small x.</summary>
        public Tensor Log1p()
        {
            Tensor y = UnaryKernel<Log1pOp<float>, Log1pOp<double>>(this, "log1p");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.Log1pBackward(this));
            return y;
        }

        /// <summary>Elementwise square root.</summary>
        public Tensor Sqrt()
        {
            Tensor y = UnaryKernel<SqrtOp<float>, SqrtOp<double>>(this, "sqrt");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.SqrtBackward(this, y));
            return y;
        }

        /// <summary>Elementwise absolute value; the derivative at 0 is 0.</summary>
        public Tensor Abs()
        {
            Tensor y = UnaryKernel<AbsOp<float>, AbsOp<double>>(this, "abs");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.AbsBackward(this));
            return y;
        }

        /// <summary>Elementwise sign (-1, 0 or 1); its gradient is zero everywhere, as in PyTorch.</summary>
        public Tensor Sign()
        {
            Tensor y = UnaryKernel<SignOp<float>, SignOp<double>>(this, "sign");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.SignBackward(this));
            return y;
        }

        /// <summary>Elementwise hyperbolic tangent.</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Tanh()
        {
            Tensor y = UnaryKernel<TanhOp<float>, TanhOp<double>>(this, "tanh");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.TanhBackward(this, y));
            return y;
        }

        /// <summary>Elementwise logistic sigmoid 1/(1+e^-x), stable for large |x|.</summary>
        public Tensor Sigmoid()
        {
            Tensor y = UnaryKernel<SigmoidOp<float>, SigmoidOp<double>>(this, "sigmoid");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.SigmoidBackward(this, y));
            return y;
        }

        /// <summary>Elementwise max(x, 0); the derivative at 0 is 0.</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Relu()
        {
            Tensor y = UnaryKernel<ReluOp<float>, ReluOp<double>>(this, "relu");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.ReluBackward(this, y));
            return y;
        }

        /// <summary>Elementwise sine.</summary>
        public Tensor Sin()
        {
            Tensor y = UnaryKernel<SinOp<float>, SinOp<double>>(this, "sin");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.SinBackward(this));
            return y;
        }

        /// <summary>Elementwise cosine.</summary>
        public Tensor Cos()
        {
            Tensor y = UnaryKernel<CosOp<float>, CosOp<double>>(this, "cos");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.CosBackward(this));
            return y;
        }

        /// <summary>Elementwise error function, accurate to double precision.</summary>
        public Tensor Erf()
        {
            Tensor y = UnaryKernel<ErfOp<float>, ErfOp<double>>(this, "erf");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.ErfBackward(this));
            return y;
        }

        /// <summary>Elementwise clamp into [min, max]; a null bound is open. The gradient passes where min &lt;= x &lt;= max.</summary>
        public Tensor Clamp(double? min = null, double? max = null)
        {
            CheckFloat(this, "clamp");
            Tensor y = this;
            if (min is { } lo) y = BinaryKernel<MaximumOp<float>, MaximumOp<double>, MaximumOp<long>>(y, ScalarLike(lo), "clamp");
            if (max is { } hi) y = BinaryKernel<MinimumOp<float>, MinimumOp<double>, MinimumOp<long>>(y, ScalarLike(hi), "clamp");
            if (ReferenceEquals(y, this)) y = CloneRaw();
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.ClampBackward(this, min, max));
            return y;
        }

        /// <summary><c>g</c> where <paramref name="mask"/> &gt; 0, else 0 (ReLU's backward, fused); differentiable in <paramref name="g"/>.</summary>
        [MethodImpl(CodeGen.Hot)]
        internal static Tensor PassWherePositive(Tensor g, Tensor mask)
        {
            CheckSameDType(g, mask, "threshold_backward");
            Tensor y = g.Dims.AsSpan().SequenceEqual(mask.Dims)
                ? BinaryKernel<PassWherePositiveOp<float>, PassWherePositiveOp<double>, PassWherePositiveOp<long>>(g, mask, "threshold_backward")
                : throw new ArgumentException($"threshold_backward: gradient {g.Shape} and mask {mask.Shape} differ");
            if (Autograd.ShouldRecord(g)) y.SetGradFn(new Ops.ThresholdBackward(g, mask));
            return y;
        }

        internal Tensor CloneRaw()
        {
            var y = Empty(DType, (int[])Dims.Clone());
            CopyInto(y);
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // d(-x)/dx = -1
    internal sealed class NegBackward(Tensor x) : Node(x), IFastBackward
    {
        public override Tensor?[] Backward(Tensor g) => [-g];

        [MethodImpl(CodeGen.Hot)]
        public Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch, int accumulated)
        {
            scratch[0] = -g;
            return scratch;
        }
    }

    // d e^x/dx = e^x: reuse the saved output
    internal sealed class ExpBackward : Node
    {
        public ExpBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [g * Saved(0)];
    }

    // d ln x/dx = 1/x
    internal sealed class LogBackward : Node
    {
        public LogBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g / Saved(0)];
    }

    // d ln(1+x)/dx = 1/(1+x)
    internal sealed class Log1pBackward : Node
    {
        public Log1pBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g / (Saved(0) + 1.0)];
    }

    // d sqrt(x)/dx = 1/(2 sqrt(x))
    internal sealed class SqrtBackward : Node
    {
        public SqrtBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [g / (Saved(0) * 2.0)];
    }

    // d|x|/dx = sign(x), 0 at 0
    internal sealed class AbsBackward : Node
    {
        public AbsBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * Saved(0).Detach().Sign()];
    }

    // d sign(x)/dx = 0 (also at 0, where PyTorch takes 0 too)
    internal sealed class SignBackward(Tensor x) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [Tensor.ZerosLike(g)];
    }

    // d tanh(x)/dx = 1 - tanh(x)^2
    internal sealed class TanhBackward : Node, IFastBackward
    {
        public TanhBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [g * (1.0 - Saved(0) * Saved(0))];

        [MethodImpl(CodeGen.Hot)]
        public Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch, int accumulated)
        {
            scratch[0] = g * (1.0 - Saved(0) * Saved(0));
            return scratch;
        }
    }

    // d sigmoid(x)/dx = s (1 - s)
    internal sealed class SigmoidBackward : Node
    {
        public SigmoidBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [g * Saved(0) * (1.0 - Saved(0))];
    }

    // d relu(x)/dx = [x > 0]
    // NOTE: the mask is detached only when the pass is recorded (createGraph), so that the second-order graph holds no
    // first-order node; otherwise it is read and dropped at once.
    internal sealed class ReluBackward : Node, IFastBackward
    {
        public ReluBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [Tensor.PassWherePositive(g, Autograd.ShouldRecord(g) ? Saved(0).Detach() : Saved(0))];

        [MethodImpl(CodeGen.Hot)]
        public Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch, int accumulated)
        {
            scratch[0] = Tensor.PassWherePositive(g, Saved(0));
            return scratch;
        }
    }

    // g ↦ g·[y > 0] is linear in g, so its gradient is the same mask applied to the upstream gradient
    internal sealed class ThresholdBackward : Node
    {
        public ThresholdBackward(Tensor g, Tensor mask) : base(g) => Save(mask);

        public override Tensor?[] Backward(Tensor gg) => [Tensor.PassWherePositive(gg, Saved(0))];
    }

    // d sin x/dx = cos x
    internal sealed class SinBackward : Node
    {
        public SinBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * Saved(0).Cos()];
    }

    // d cos x/dx = -sin x
    internal sealed class CosBackward : Node
    {
        public CosBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [-g * Saved(0).Sin()];
    }

    // d erf(x)/dx = 2/sqrt(pi) e^{-x^2}
    internal sealed class ErfBackward : Node
    {
        public ErfBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * (-Saved(0) * Saved(0)).Exp() * (2.0 / Math.Sqrt(Math.PI))];
    }

    // d clamp(x)/dx = [min <= x <= max] (bounds inclusive, as PyTorch)
    internal sealed class ClampBackward : Node
    {
        private readonly double? _min, _max;

        public ClampBackward(Tensor x, double? min, double? max) : base(x)
        {
            Save(x);
            (_min, _max) = (min, max);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor x = Saved(0).Detach();
            Tensor? mask = null;
            if (_min is { } lo) mask = x.Ge(lo);
            if (_max is { } hi) mask = mask is null ? x.Le(hi) : mask.LogicalAnd(x.Le(hi));
            return [mask is null ? g : g * mask.To(g.DType)];
        }
    }
}
