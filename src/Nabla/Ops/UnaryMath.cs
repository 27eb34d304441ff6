using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    // Note [Float ops of integers]
    // The math functions of this file (rsqrt, reciprocal, tan, atan, asin, acos, sinh, cosh, log2, log10, expm1, atan2)
    // compute int64 and bool inputs in float32, PyTorch's default dtype, as torch.tan(torch.arange(3)) does: the
    // result of a transcendental function is not an integer, so there is nothing to keep. Square keeps integers (int64,
    // and bool becomes int64, as torch.square does). Integer tensors never require a gradient, so the conversion is
    // never recorded.

    public sealed partial class Tensor
    {
        /// <summary>Elementwise <c>1/sqrt(x)</c>; derivative <c>-1/(2 x^(3/2))</c>. Integers compute in float32.</summary>
        public Tensor Rsqrt() => FloatUnary<RsqrtOp<float>, RsqrtOp<double>>("rsqrt", static (x, y) => new Ops.RsqrtBackward(x, y));

        /// <summary>Elementwise <c>1/x</c>; derivative <c>-1/x^2</c>. Integers compute in float32.</summary>
        public Tensor Reciprocal() => FloatUnary<ReciprocalOp<float>, ReciprocalOp<double>>("reciprocal", static (x, y) => new Ops.ReciprocalBackward(x, y));

        /// <summary>Elementwise tangent; derivative <c>1 + tan(x)^2</c>. Integers compute in float32.</summary>
        public Tensor Tan() => FloatUnary<TanOp<float>, TanOp<double>>("tan", static (x, y) => new Ops.TanBackward(x, y));

        /// <summary>Elementwise arctangent in (-pi/2, pi/2); derivative <c>1/(1 + x^2)</c>. Integers compute in float32.</summary>
        public Tensor Atan() => FloatUnary<AtanOp<float>, AtanOp<double>>("atan", static (x, _) => new Ops.AtanBackward(x));

        /// <summary>Elementwise arcsine (NaN outside [-1, 1]); derivative <c>1/sqrt(1 - x^2)</c>. Integers compute in float32.</summary>
        public Tensor Asin() => FloatUnary<AsinOp<float>, AsinOp<double>>("asin", static (x, _) => new Ops.AsinBackward(x));

        /// <summary>Elementwise arccosine (NaN outside [-1, 1]); derivative <c>-1/sqrt(1 - x^2)</c>. Integers compute in float32.</summary>
        public Tensor Acos() => FloatUnary<AcosOp<float>, AcosOp<double>>("acos", static (x, _) => new Ops.AcosBackward(x));

        /// <summary>Elementwise hyperbolic sine; derivative <c>cosh(x)</c>. Integers compute in float32.</summary>
        public Tensor Sinh() => FloatUnary<SinhOp<float>, SinhOp<double>>("sinh", static (x, _) => new Ops.SinhBackward(x));

        /// <summary>Elementwise hyperbolic cosine; derivative <c>sinh(x)</c>. Integers compute in float32.</summary>
        public Tensor Cosh() => FloatUnary<CoshOp<float>, CoshOp<double>>("cosh", static (x, _) => new Ops.CoshBackward(x));

        /// <summary>Elementwise base-2 logarithm; derivative <c>1/(x ln 2)</c>. Integers compute in float32.</summary>
        public Tensor Log2() => FloatUnary<Log2Op<float>, Log2Op<double>>("log2", static (x, _) => new Ops.Log2Backward(x));

        /// <summary>Elementwise base-10 logarithm; derivative <c>1/(x ln 10)</c>. Integers compute in float32.</summary>
        public Tensor Log10() => FloatUnary<Log10Op<float>, Log10Op<double>>("log10", static (x, _) => new Ops.Log10Backward(x));

        /// <summary>Elementwise <c>e^x - 1</c>, accurate for tiny x (<c>Expm1(1e-300) = 1e-300</c>); derivative <c>e^x</c>. Integers compute in float32.</summary>
        public Tensor Expm1() => FloatUnary<Expm1Op<float>, Expm1Op<double>>("expm1", static (x, y) => new Ops.Expm1Backward(x, y));

        /// <summary>Elementwise <c>x*x</c>; derivative <c>2x</c>. Int64 stays int64 and bool becomes int64, as in PyTorch.</summary>
        public Tensor Square()
        {
            if (DType == DType.Bool) return To(DType.Int64).Square();
            if (DType == DType.Int64)
            {
                var r = Empty(DType.Int64, (int[])Dims.Clone());
                SquareOp<long>.Invoke(ContiguousData().Span<long>(), r.Span<long>());
                return r;
            }
            return FloatUnary<SquareOp<float>, SquareOp<double>>("square", static (x, _) => new Ops.SquareBackward(x));
        }

        /// <summary>Elementwise <c>atan2(this, other)</c>: the angle of the point (other, this) in (-pi, pi], with broadcasting.</summary>
        /// <remarks>
        /// <c>d/dthis = other/(this^2 + other^2)</c>, <c>d/dother = -this/(this^2 + other^2)</c>. Integer and bool operands
        /// compute in float32; two floating dtypes must match (Note [Type promotion]).
        /// </remarks>
        public Tensor Atan2(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor a = this, b = other;
            if (a.DType != b.DType || !a.DType.IsFloatingPoint()) PromoteForDivision(ref a, ref b, "atan2");
            Tensor y = BinaryKernel<Atan2Op<float>, Atan2Op<double>, SubOp<long>>(a, b, "atan2", allowInt: false);
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.Atan2Backward(a, b));
            return y;
        }

        /// <summary>
        /// A unary op of <see cref="UnaryKernel"/> on this tensor, or on its float32 copy when it holds integers (see
        /// Note [Float ops of integers]), with <paramref name="node"/> (of the input and the result) attached when recording.
        /// </summary>
        internal Tensor FloatUnary<TF, TD>(string op, Func<Tensor, Tensor, Node> node)
            where TF : IUnaryOp<TF, float>
            where TD : IUnaryOp<TD, double>
        {
            Tensor x = DType.IsFloatingPoint() ? this : To(DType.Float32);
            Tensor y = UnaryKernel<TF, TD>(x, op);
            if (Autograd.ShouldRecord(x)) y.SetGradFn(node(x, y));
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // d x^(-1/2)/dx = -x^(-3/2)/2 = -y^3/2
    internal sealed class RsqrtBackward : Node
    {
        public RsqrtBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [g * (Saved(0) * Saved(0) * Saved(0) * -0.5)];
    }

    // d(1/x)/dx = -1/x^2 = -y^2
    internal sealed class ReciprocalBackward : Node
    {
        public ReciprocalBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [-g * (Saved(0) * Saved(0))];
    }

    // d tan x/dx = 1 + tan^2 x
    internal sealed class TanBackward : Node
    {
        public TanBackward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [g * (Saved(0) * Saved(0) + 1.0)];
    }

    // d atan x/dx = 1/(1 + x^2)
    internal sealed class AtanBackward : Node
    {
        public AtanBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g / (Saved(0) * Saved(0) + 1.0)];
    }

    // d asin x/dx = 1/sqrt(1 - x^2)
    internal sealed class AsinBackward : Node
    {
        public AsinBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * (1.0 - Saved(0) * Saved(0)).Rsqrt()];
    }

    // d acos x/dx = -1/sqrt(1 - x^2)
    internal sealed class AcosBackward : Node
    {
        public AcosBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [-g * (1.0 - Saved(0) * Saved(0)).Rsqrt()];
    }

    // d sinh x/dx = cosh x
    internal sealed class SinhBackward : Node
    {
        public SinhBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * Saved(0).Cosh()];
    }

    // d cosh x/dx = sinh x
    internal sealed class CoshBackward : Node
    {
        public CoshBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * Saved(0).Sinh()];
    }

    // d log2 x/dx = 1/(x ln 2)
    internal sealed class Log2Backward : Node
    {
        public Log2Backward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g / (Saved(0) * Math.Log(2))];
    }

    // d log10 x/dx = 1/(x ln 10)
    internal sealed class Log10Backward : Node
    {
        public Log10Backward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g / (Saved(0) * Math.Log(10))];
    }

    // d(e^x - 1)/dx = e^x = y + 1
    internal sealed class Expm1Backward : Node
    {
        public Expm1Backward(Tensor x, Tensor y) : base(x) => Save(y);

        public override Tensor?[] Backward(Tensor g) => [g * (Saved(0) + 1.0)];
    }

    // d x^2/dx = 2x
    internal sealed class SquareBackward : Node
    {
        public SquareBackward(Tensor x) : base(x) => Save(x);

        public override Tensor?[] Backward(Tensor g) => [g * (Saved(0) * 2.0)];
    }

    // d atan2(a, b)/da = b/(a^2 + b^2), d atan2(a, b)/db = -a/(a^2 + b^2)
    internal sealed class Atan2Backward : Node
    {
        public Atan2Backward(Tensor a, Tensor b) : base(a, b)
        {
            Save(a);
            Save(b);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor a = Saved(0), b = Saved(1);
            Tensor scaled = g / (a * a + b * b);
            return [NeedsGrad(0) ? scaled * b : null, NeedsGrad(1) ? -scaled * a : null];
        }
    }
}
