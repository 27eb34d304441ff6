using System.Runtime.CompilerServices;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Elementwise sum with broadcasting.</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Add(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor y = BinaryKernel<AddOp<float>, AddOp<double>, AddOp<long>>(this, other, "add");
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.AddBackward(this, other));
            return y;
        }

        /// <summary>Elementwise difference with broadcasting.</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Sub(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor y = BinaryKernel<SubOp<float>, SubOp<double>, SubOp<long>>(this, other, "sub");
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.SubBackward(this, other));
            return y;
        }

        /// <summary>Elementwise product with broadcasting.</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Mul(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor y = BinaryKernel<MulOp<float>, MulOp<double>, MulOp<long>>(this, other, "mul");
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.MulBackward(this, other));
            return y;
        }

        /// <summary>Elementwise true division with broadcasting (floating-point only).</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Div(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor y = BinaryKernel<DivOp<float>, DivOp<double>, DivOp<long>>(this, other, "div", allowInt: false);
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.DivBackward(this, other));
            return y;
        }

        /// <summary>Elementwise power with a tensor exponent: <c>this ** exponent</c>.</summary>
        public Tensor Pow(Tensor exponent)
        {
            ArgumentNullException.ThrowIfNull(exponent);
            Tensor y = BinaryKernel<PowOp<float>, PowOp<double>, AddOp<long>>(this, exponent, "pow", allowInt: false);
            if (Autograd.ShouldRecord(this, exponent)) y.SetGradFn(new Ops.PowBackward(this, exponent, y));
            return y;
        }

        /// <summary>Elementwise power with a scalar exponent.</summary>
        public Tensor Pow(double exponent)
        {
            CheckFloat(this, "pow");
            Tensor y = BinaryKernel<PowOp<float>, PowOp<double>, AddOp<long>>(this, ScalarLike(exponent), "pow", allowInt: false);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.PowScalarBackward(this, exponent));
            return y;
        }

        /// <summary>Elementwise maximum; on ties the gradient is split evenly.</summary>
        public Tensor Maximum(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor y = BinaryKernel<MaximumOp<float>, MaximumOp<double>, MaximumOp<long>>(this, other, "maximum");
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.MinMaxBackward("MaximumBackward", this, other, max: true));
            return y;
        }

        /// <summary>Elementwise minimum; on ties the gradient is split evenly.</summary>
        public Tensor Minimum(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor y = BinaryKernel<MinimumOp<float>, MinimumOp<double>, MinimumOp<long>>(this, other, "minimum");
            if (Autograd.ShouldRecord(this, other)) y.SetGradFn(new Ops.MinMaxBackward("MinimumBackward", this, other, max: false));
            return y;
        }

        /// <summary>Adds a scalar.</summary>
        public Tensor Add(double other) => Add(ScalarLike(other));

        /// <summary>Subtracts a scalar.</summary>
        public Tensor Sub(double other) => Sub(ScalarLike(other));

        /// <summary>Multiplies by a scalar.</summary>
        public Tensor Mul(double other) => Mul(ScalarLike(other));

        /// <summary>Divides by a scalar.</summary>
        public Tensor Div(double other) => Div(ScalarLike(other));

        /// <summary>Elementwise <c>condition ? input : other</c>, all three broadcast together.</summary>
        public static Tensor Where(Tensor condition, Tensor input, Tensor other)
        {
            ArgumentNullException.ThrowIfNull(condition);
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(other);
            if (condition.DType != DType.Bool)
                throw new ArgumentException($"where: condition must have dtype bool, got {condition.DType.Name()}");
            CheckSameDType(input, other, "where");
            int[] dims = BroadcastShapes(BroadcastShapes(condition.Dims, input.Dims, "where"), other.Dims, "where");
            bool[] c = condition.ExpandTo(dims).ContiguousData().ToArrayRaw<bool>();
            Tensor a = input.ExpandTo(dims).ContiguousData(), b = other.ExpandTo(dims).ContiguousData();
            var y = Empty(input.DType, dims);
            switch (input.DType)
            {
                case DType.Float32: Select(c, a.Span<float>(), b.Span<float>(), y.Span<float>()); break;
                case DType.Float64: Select(c, a.Span<double>(), b.Span<double>(), y.Span<double>()); break;
                case DType.Int64: Select(c, a.Span<long>(), b.Span<long>(), y.Span<long>()); break;
                default: Select(c, a.Span<bool>(), b.Span<bool>(), y.Span<bool>()); break;
            }
            if (Autograd.ShouldRecord(input, other)) y.SetGradFn(new Ops.WhereBackward(condition, input, other));
            return y;

            static void Select<T>(bool[] c, Span<T> a, Span<T> b, Span<T> y)
            {
                for (int i = 0; i < y.Length; i++) y[i] = c[i] ? a[i] : b[i];
            }
        }

        /// <summary>Elementwise equality (bool result).</summary>
        public Tensor Eq(Tensor other) => DType == DType.Bool
            ? BoolKernel<BoolEqOp>(this, other, "eq")
            : CompareKernel<EqOp<float>, EqOp<double>, EqOp<long>>(this, other, "eq");

        /// <summary>Elementwise inequality (bool result).</summary>
        public Tensor Ne(Tensor other) => CompareKernel<NeOp<float>, NeOp<double>, NeOp<long>>(this, other, "ne");

        /// <summary>Elementwise <c>this &gt; other</c> (bool result).</summary>
        public Tensor Gt(Tensor other) => CompareKernel<GtOp<float>, GtOp<double>, GtOp<long>>(this, other, "gt");

        /// <summary>Elementwise <c>this &gt;= other</c> (bool result).</summary>
        public Tensor Ge(Tensor other) => CompareKernel<GeOp<float>, GeOp<double>, GeOp<long>>(this, other, "ge");

        /// <summary>Elementwise <c>this &lt; other</c> (bool result).</summary>
        public Tensor Lt(Tensor other) => CompareKernel<LtOp<float>, LtOp<double>, LtOp<long>>(this, other, "lt");

        /// <summary>Elementwise <c>this &lt;= other</c> (bool result).</summary>
        public Tensor Le(Tensor other) => CompareKernel<LeOp<float>, LeOp<double>, LeOp<long>>(this, other, "le");

        /// <summary>Elementwise equality with a scalar.</summary>
        public Tensor Eq(double other) => Eq(ScalarLike(other));

        /// <summary>Elementwise <c>this &gt; other</c> with a scalar.</summary>
        public Tensor Gt(double other) => Gt(ScalarLike(other));

        /// <summary>Elementwise <c>this &gt;= other</c> with a scalar.</summary>
        public Tensor Ge(double other) => Ge(ScalarLike(other));

        /// <summary>Elementwise <c>this &lt; other</c> with a scalar.</summary>
        public Tensor Lt(double other) => Lt(ScalarLike(other));

        /// <summary>Elementwise <c>this &lt;= other</c> with a scalar.</summary>
        public Tensor Le(double other) => Le(ScalarLike(other));

        /// <summary>Elementwise logical and of two bool tensors.</summary>
        public Tensor LogicalAnd(Tensor other) => BoolKernel<AndOp>(this, other, "logical_and");

        /// <summary>Elementwise logical or of two bool tensors.</summary>
        public Tensor LogicalOr(Tensor other) => BoolKernel<OrOp>(this, other, "logical_or");

        private static Tensor BoolKernel<TOp>(Tensor a, Tensor b, string op) where TOp : IBinaryOp<TOp, bool, bool>
        {
            ArgumentNullException.ThrowIfNull(b);
            if (a.DType != DType.Bool || b.DType != DType.Bool)
                throw new ArgumentException($"{op}: expected two bool tensors, got {a.DType.Name()} and {b.DType.Name()}");
            var y = Empty(DType.Bool, BroadcastShapes(a.Dims, b.Dims, op));
            Run<bool, bool, TOp>(a, b, y);
            return y;
        }

        internal T[] ToArrayRaw<T>() => Span<T>().ToArray();

#pragma warning disable CS1591 // operators mirror the named methods documented above
        public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
        public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
        public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
        public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
        public static Tensor operator +(Tensor a, double b) => a.Add(b);
        public static Tensor operator -(Tensor a, double b) => a.Sub(b);
        public static Tensor operator *(Tensor a, double b) => a.Mul(b);
        public static Tensor operator /(Tensor a, double b) => a.Div(b);
        public static Tensor operator +(double a, Tensor b) => b.ScalarLike(a).Add(b);
        public static Tensor operator -(double a, Tensor b) => b.ScalarLike(a).Sub(b);
        public static Tensor operator *(double a, Tensor b) => b.ScalarLike(a).Mul(b);
        public static Tensor operator /(double a, Tensor b) => b.ScalarLike(a).Div(b);
        public static Tensor operator -(Tensor a) => a.Neg();
#pragma warning restore CS1591
    }
}

namespace Nabla.Ops
{
    // d(a+b)/da = 1, d(a+b)/db = 1
    internal sealed class AddBackward(Tensor a, Tensor b) : Node("AddBackward", a, b)
    {
        public override Tensor?[] Backward(Tensor g) => BackwardInto(g, new Tensor?[2]);

        [MethodImpl(CodeGen.Hot)]
        internal override Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch)
        {
            scratch[0] = g;
            scratch[1] = g;
            return scratch;
        }
    }

    // d(a-b)/da = 1, d(a-b)/db = -1
    internal sealed class SubBackward(Tensor a, Tensor b) : Node("SubBackward", a, b)
    {
        public override Tensor?[] Backward(Tensor g) => BackwardInto(g, new Tensor?[2]);

        [MethodImpl(CodeGen.Hot)]
        internal override Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch)
        {
            scratch[0] = g;
            scratch[1] = NeedsGrad(1) ? -g : null;
            return scratch;
        }
    }

    // d(a*b)/da = b, d(a*b)/db = a. The operands live only in the base's saved slots (a node per 0-d op stays small):
    // a is saved first when input 1 needs a gradient, then b when input 0 does.
    internal sealed class MulBackward : Node
    {
        public MulBackward(Tensor a, Tensor b) : base("MulBackward", a, b)
        {
            if (NeedsGrad(1)) Save(a);
            if (NeedsGrad(0)) Save(b);
            CanAccumulateGrad = true;
        }

        public override Tensor?[] Backward(Tensor g) => BackwardInto(g, new Tensor?[2]);

        [MethodImpl(CodeGen.Hot)]
        internal override Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch)
        {
            bool da = NeedsGrad(0), db = NeedsGrad(1);
            scratch[0] = da && (FusedInputs & 1) == 0 ? g * Other(0)! : null;
            scratch[1] = db && (FusedInputs & 2) == 0 ? g * Other(1)! : null;
            return scratch;
        }

        /// <summary>The operand input <paramref name="input"/>'s gradient is multiplied by (the other one).</summary>
        private Tensor? Other(int input) => input == 0 ? Saved(NeedsGrad(1) ? 1 : 0) : Saved(0);

        // into += g·other, element by element as g * other (one rounding) then into + product (another): what
        // computing the product as a tensor and adding it into the buffer in place does. Tiny same-shape operands only.
        [MethodImpl(CodeGen.Hot)]
        internal override bool TryAccumulateGrad(int input, Tensor grad, Tensor into)
        {
            Tensor? other = Other(input);
            if (other is null || into.Numel > Tensor.FusedGradLimit || !Tensor.SameTinyLayout(grad, other, into)) return false;
            if (into.SharesStorage(grad) || into.SharesStorage(other)) return false;
            int n = (int)into.Numel, go = grad.Offset, oo = other.Offset, io = into.Offset;
            if (into.DType == DType.Float64)
            {
                double[] gd = grad.Data<double>(), od = other.Data<double>(), id = into.Data<double>();
                for (int i = 0; i < n; i++) id[io + i] += gd[go + i] * od[oo + i];
            }
            else
            {
                float[] gd = grad.Data<float>(), od = other.Data<float>(), id = into.Data<float>();
                for (int i = 0; i < n; i++) id[io + i] += gd[go + i] * od[oo + i];
            }
            into.Storage.Version++;
            return true;
        }
    }

    // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
    internal sealed class DivBackward : Node
    {
        private Tensor? _a, _b;

        public DivBackward(Tensor a, Tensor b) : base("DivBackward", a, b)
        {
            _b = Save(b);
            if (NeedsGrad(1)) _a = Save(a);
        }

        public override Tensor?[] Backward(Tensor g) =>
            [NeedsGrad(0) ? g / _b! : null, NeedsGrad(1) ? -g * _a! / (_b! * _b!) : null];

        protected override void ReleaseSaved() => (_a, _b) = (null, null);
    }

    // d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
    internal sealed class PowBackward : Node
    {
        private Tensor? _a, _b, _y;

        public PowBackward(Tensor a, Tensor b, Tensor y) : base("PowBackward", a, b)
        {
            _a = Save(a);
            _b = Save(b);
            if (NeedsGrad(1)) _y = Save(y);
        }

        public override Tensor?[] Backward(Tensor g) =>
            [NeedsGrad(0) ? g * _b! * _a!.Pow(_b! - 1) : null, NeedsGrad(1) ? g * _y! * _a!.Log() : null];

        protected override void ReleaseSaved() => (_a, _b, _y) = (null, null, null);
    }

    // d(x^e)/dx = e x^(e-1); exactly 0 for e = 0 (so x = 0 gives 0, not 0 * inf)
    internal sealed class PowScalarBackward : Node
    {
        private Tensor? _x;
        private readonly double _e;

        public PowScalarBackward(Tensor x, double e) : base("PowBackward", x)
        {
            _x = Save(x);
            _e = e;
        }

        public override Tensor?[] Backward(Tensor g) => _e switch
        {
            0 => [Tensor.ZerosLike(g)],
            1 => [g],
            2 => [g * _x! * 2.0],
            _ => [g * _x!.Pow(_e - 1) * _e],
        };

        protected override void ReleaseSaved() => _x = null;
    }

    // max(a,b): g goes to the larger input; on ties g/2 to each
    internal sealed class MinMaxBackward : Node
    {
        private Tensor? _a, _b;
        private readonly bool _max;

        public MinMaxBackward(string name, Tensor a, Tensor b, bool max) : base(name, a, b)
        {
            (_a, _b, _max) = (Save(a), Save(b), max);
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor a = _a!.Detach(), b = _b!.Detach();
            Tensor wins = (_max ? a.Gt(b) : a.Lt(b)).To(g.DType);
            Tensor ties = a.Eq(b).To(g.DType) * 0.5;
            Tensor wa = wins + ties;
            Tensor wb = (_max ? a.Lt(b) : a.Gt(b)).To(g.DType) + ties;
            return [NeedsGrad(0) ? g * wa : null, NeedsGrad(1) ? g * wb : null];
        }

        protected override void ReleaseSaved() => (_a, _b) = (null, null);
    }

    // where(c, a, b): g flows to a where c, to b elsewhere; the condition gets none
    internal sealed class WhereBackward(Tensor condition, Tensor a, Tensor b) : Node("WhereBackward", a, b)
    {
        private Tensor? _c = condition;

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor zero = Tensor.ZerosLike(g);
            return [NeedsGrad(0) ? Tensor.Where(_c!, g, zero) : null, NeedsGrad(1) ? Tensor.Where(_c!, zero, g) : null];
        }

        protected override void ReleaseSaved() => _c = null;
    }

    // identity: d x/dx = 1 (clone, contiguous)
    internal sealed class IdentityBackward(string name, Tensor x) : Node(name, x)
    {
        public override Tensor?[] Backward(Tensor g) => [g];
    }

    // dtype conversion: the gradient converts back
    internal sealed class ToBackward(Tensor x) : Node("ToCopyBackward", x)
    {
        private readonly DType _dtype = x.DType;

        public override Tensor?[] Backward(Tensor g) => [g.To(_dtype)];
    }
}
