using System.Runtime.CompilerServices;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Elementwise sum with broadcasting; mixed dtypes promote (Note [Type promotion]).</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Add(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor a = this, b = other;
            if (a.DType != b.DType)
            {
                if (MixedAdd(a, b) is { } mixed) return mixed;
                Promote(ref a, ref b, "add");
            }
            Tensor y = BinaryKernel<AddOp<float>, AddOp<double>, AddOp<long>>(a, b, "add");
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.AddBackward(a, b));
            return y;
        }

        /// <summary>
        /// float32 + bfloat16/float16 of one shape, both contiguous (autocast's residual stream plus a block's output), in
        /// one pass with the 16-bit side widened block by block; null for other operands, which promote first.
        /// </summary>
        /// <remarks>The sum is the promoted one's (widening is exact, addition commutes) and the 16-bit side's gradient
        /// comes back rounded to its dtype, as through the promoting cast (Note [Fused half elementwise]).</remarks>
        private static Tensor? MixedAdd(Tensor a, Tensor b)
        {
            (Tensor wide, Tensor half) = a.DType == DType.Float32 ? (a, b) : (b, a);
            if (wide.DType != DType.Float32 || !half.DType.IsHalf() || !SameDims(a.Dims, b.Dims) || !a.IsContiguous || !b.IsContiguous)
                return null;
            var y = Empty(DType.Float32, a.Dims);
            int n = (int)y.Numel;
            if (half.DType == DType.BFloat16)
                ElementwiseHalf.AddWidened(wide.Data<float>(), wide.Offset, half.Data<BFloat16>(), half.Offset, y.Data<float>(), n);
            else
                ElementwiseHalf.AddWidened(wide.Data<float>(), wide.Offset, half.Data<Half>(), half.Offset, y.Data<float>(), n);
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.MixedAddBackward(a, b));
            return y;
        }

        /// <summary>Elementwise difference with broadcasting; mixed dtypes promote, a bool operand is refused (as in PyTorch).</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Sub(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor a = this, b = other;
            if (a.DType != b.DType)
            {
                if (a.DType == DType.Bool || b.DType == DType.Bool)
                    throw new ArgumentException(
                        $"sub: subtraction with a bool tensor is not supported (got {a.DType.Name()} - {b.DType.Name()}); convert the mask with .To(DType.Int64) or .To(DType.Float32) first");
                Promote(ref a, ref b, "sub");
            }
            Tensor y = BinaryKernel<SubOp<float>, SubOp<double>, SubOp<long>>(a, b, "sub");
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.SubBackward(a, b));
            return y;
        }

        /// <summary>Elementwise product with broadcasting; mixed dtypes promote (Note [Type promotion]).</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Mul(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor a = this, b = other;
            if (a.DType != b.DType) Promote(ref a, ref b, "mul");
            Tensor y = BinaryKernel<MulOp<float>, MulOp<double>, MulOp<long>>(a, b, "mul");
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.MulBackward(a, b));
            return y;
        }

        /// <summary>Elementwise true division with broadcasting: integer and bool operands are divided as float32, as in PyTorch.</summary>
        [MethodImpl(CodeGen.Hot)]
        public Tensor Div(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor a = this, b = other;
            if (a.DType != b.DType || !a.DType.IsFloatingPoint()) PromoteForDivision(ref a, ref b, "div");
            Tensor y = BinaryKernel<DivOp<float>, DivOp<double>, DivOp<long>>(a, b, "div", allowInt: false);
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.DivBackward(a, b));
            return y;
        }

        /// <summary>Elementwise power with a tensor exponent: <c>this ** exponent</c>.</summary>
        /// <remarks>
        /// Mixed dtypes promote (Note [Type promotion]); two int64 tensors give int64 (wrapping on overflow, as PyTorch), and a
        /// negative integer exponent of an integer base is refused. Gradients follow PyTorch at the boundary: d/dbase is 0
        /// where the exponent is 0, d/dexponent is 0 where the base is 0 and the exponent is non-negative (docs/gradients.md).
        /// </remarks>
        public Tensor Pow(Tensor exponent)
        {
            ArgumentNullException.ThrowIfNull(exponent);
            Tensor a = this, b = exponent;
            if (a.DType != b.DType) Promote(ref a, ref b, "pow");
            if (a.DType == DType.Int64) CheckNonNegativeExponent(b);
            Tensor y = BinaryKernel<PowOp<float>, PowOp<double>, IntPowOp>(a, b, "pow");
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.PowBackward(a, b, y));
            return y;
        }

        /// <summary>Elementwise power with a scalar exponent; an integer or bool tensor is raised as float32.</summary>
        public Tensor Pow(double exponent)
        {
            if (!DType.IsFloatingPoint()) return To(DType.Float32).Pow(exponent);
            Tensor y = BinaryKernel<PowOp<float>, PowOp<double>, IntPowOp>(this, ScalarLike(exponent), "pow");
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.PowBackward(this, exponent));
            return y;
        }

        /// <summary>Elementwise power with an integer exponent: an int64 (or bool) tensor stays int64, a floating one keeps its dtype.</summary>
        public Tensor Pow(long exponent)
        {
            if (DType.IsFloatingPoint()) return Pow((double)exponent);
            Tensor a = DType == DType.Bool ? To(DType.Int64) : this;
            return a.Pow(a.ScalarOperand(exponent));
        }

        private static void CheckNonNegativeExponent(Tensor exponent)
        {
            foreach (long e in exponent.ContiguousData().Span<long>())
                if (e < 0)
                    throw new ArgumentException(
                        $"pow: integers to negative integer powers are not allowed (exponent {e}); convert the base with .To(DType.Float32) first");
        }

        /// <summary>Elementwise maximum; mixed dtypes promote. On ties each input gets half the gradient (PyTorch's rule).</summary>
        public Tensor Maximum(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor a = this, b = other;
            if (a.DType != b.DType) Promote(ref a, ref b, "maximum");
            Tensor y = BinaryKernel<MaximumOp<float>, MaximumOp<double>, MaximumOp<long>>(a, b, "maximum");
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.MaximumBackward(a, b));
            return y;
        }

        /// <summary>Elementwise minimum; mixed dtypes promote. On ties each input gets half the gradient (PyTorch's rule).</summary>
        public Tensor Minimum(Tensor other)
        {
            ArgumentNullException.ThrowIfNull(other);
            Tensor a = this, b = other;
            if (a.DType != b.DType) Promote(ref a, ref b, "minimum");
            Tensor y = BinaryKernel<MinimumOp<float>, MinimumOp<double>, MinimumOp<long>>(a, b, "minimum");
            if (Autograd.ShouldRecord(a, b)) y.SetGradFn(new Ops.MinimumBackward(a, b));
            return y;
        }

        /// <summary>Adds a scalar; an integer or bool tensor with a double scalar gives float32 (Note [Type promotion]).</summary>
        public Tensor Add(double other) => Add(ScalarOperand(other));

        /// <summary>Subtracts a scalar; an integer or bool tensor with a double scalar gives float32.</summary>
        public Tensor Sub(double other) => Sub(ScalarOperand(other));

        /// <summary>Multiplies by a scalar; an integer or bool tensor with a double scalar gives float32.</summary>
        public Tensor Mul(double other) => Mul(ScalarOperand(other));

        /// <summary>Divides by a scalar (true division: an integer or bool tensor gives float32).</summary>
        public Tensor Div(double other) => Div(ScalarOperand(other));

        /// <summary>Adds an integer scalar; an int64 tensor stays int64, a bool tensor becomes int64.</summary>
        public Tensor Add(long other) => Add(ScalarOperand(other));

        /// <summary>Subtracts an integer scalar; an int64 tensor stays int64.</summary>
        public Tensor Sub(long other) => Sub(ScalarOperand(other));

        /// <summary>Multiplies by an integer scalar; an int64 tensor stays int64, a bool tensor becomes int64.</summary>
        public Tensor Mul(long other) => Mul(ScalarOperand(other));

        /// <summary>Divides by an integer scalar (true division: an integer or bool tensor gives float32).</summary>
        public Tensor Div(long other) => Div(ScalarOperand(other));

        /// <summary>Elementwise <c>condition ? input : other</c>, all three broadcast together.</summary>
        public static Tensor Where(Tensor condition, Tensor input, Tensor other)
        {
            ArgumentNullException.ThrowIfNull(condition);
            ArgumentNullException.ThrowIfNull(input);
            ArgumentNullException.ThrowIfNull(other);
            if (condition.DType != DType.Bool)
                throw new ArgumentException($"where: condition must have dtype bool, got {condition.DType.Name()}");
            if (input.DType != other.DType) Promote(ref input, ref other, "where");
            int[] dims = BroadcastShapes(BroadcastShapes(condition.Dims, input.Dims, "where"), other.Dims, "where");
            bool[] c = condition.ExpandTo(dims).ContiguousData().ToArrayRaw<bool>();
            Tensor a = input.ExpandTo(dims).ContiguousData(), b = other.ExpandTo(dims).ContiguousData();
            var y = Empty(input.DType, dims);
            switch (input.DType)
            {
                case DType.Float32: Select(c, a.Span<float>(), b.Span<float>(), y.Span<float>()); break;
                case DType.Float64: Select(c, a.Span<double>(), b.Span<double>(), y.Span<double>()); break;
                case DType.Int64: Select(c, a.Span<long>(), b.Span<long>(), y.Span<long>()); break;
                case DType.Bool: Select(c, a.Span<bool>(), b.Span<bool>(), y.Span<bool>()); break;
                case DType.BFloat16: Select(c, a.Span<BFloat16>(), b.Span<BFloat16>(), y.Span<BFloat16>()); break;
                case DType.Float16: Select(c, a.Span<Half>(), b.Span<Half>(), y.Span<Half>()); break;
                default: throw DTypeExtensions.Unknown(input.DType);
            }
            if (Autograd.ShouldRecord(input, other)) y.SetGradFn(new Ops.WhereBackward(condition, input, other));
            return y;

            static void Select<T>(bool[] c, Span<T> a, Span<T> b, Span<T> y)
            {
                for (int i = 0; i < y.Length; i++) y[i] = c[i] ? a[i] : b[i];
            }
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
        public static Tensor operator +(double a, Tensor b) => b.ScalarOperand(a).Add(b);
        public static Tensor operator -(double a, Tensor b) => b.ScalarOperand(a).Sub(b);
        public static Tensor operator *(double a, Tensor b) => b.ScalarOperand(a).Mul(b);
        public static Tensor operator /(double a, Tensor b) => b.ScalarOperand(a).Div(b);
        public static Tensor operator +(Tensor a, long b) => a.Add(b);
        public static Tensor operator -(Tensor a, long b) => a.Sub(b);
        public static Tensor operator *(Tensor a, long b) => a.Mul(b);
        public static Tensor operator /(Tensor a, long b) => a.Div(b);
        public static Tensor operator +(long a, Tensor b) => b.ScalarOperand(a).Add(b);
        public static Tensor operator -(long a, Tensor b) => b.ScalarOperand(a).Sub(b);
        public static Tensor operator *(long a, Tensor b) => b.ScalarOperand(a).Mul(b);
        public static Tensor operator /(long a, Tensor b) => b.ScalarOperand(a).Div(b);
        public static Tensor operator -(Tensor a) => a.Neg();
#pragma warning restore CS1591
    }
}

namespace Nabla.Ops
{
    // d(a+b)/da = 1, d(a+b)/db = 1
    internal sealed class AddBackward(Tensor a, Tensor b) : Node(a, b), IFastBackward
    {
        public override Tensor?[] Backward(Tensor g) => [g, g];

        [MethodImpl(CodeGen.Hot)]
        public Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch, int accumulated)
        {
            scratch[0] = scratch[1] = g;
            return scratch;
        }
    }

    // d(a+b)/da = d(a+b)/db = 1, each gradient in its input's dtype (float32 + 16-bit, Tensor.MixedAdd)
    internal sealed class MixedAddBackward(Tensor a, Tensor b) : Node("AddBackward", a, b)
    {
        private readonly DType _a = a.DType, _b = b.DType;

        public override Tensor?[] Backward(Tensor g) =>
            [NeedsGrad(0) ? (g.DType == _a ? g : g.To(_a)) : null, NeedsGrad(1) ? (g.DType == _b ? g : g.To(_b)) : null];
    }

    // d(a-b)/da = 1, d(a-b)/db = -1
    internal sealed class SubBackward(Tensor a, Tensor b) : Node(a, b), IFastBackward
    {
        public override Tensor?[] Backward(Tensor g) => [g, NeedsGrad(1) ? -g : null];

        [MethodImpl(CodeGen.Hot)]
        public Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch, int accumulated)
        {
            scratch[0] = g;
            scratch[1] = NeedsGrad(1) ? -g : null;
            return scratch;
        }
    }

    // d(a*b)/da = b, d(a*b)/db = a
    internal sealed class MulBackward : Node, IFastBackward
    {
        public MulBackward(Tensor a, Tensor b) : base(a, b)
        {
            Save(NeedsGrad(1) ? a : null);
            Save(NeedsGrad(0) ? b : null);
        }

        public override Tensor?[] Backward(Tensor g) => [NeedsGrad(0) ? g * Saved(1) : null, NeedsGrad(1) ? g * Saved(0) : null];

        [MethodImpl(CodeGen.Hot)]
        public Tensor?[] BackwardInto(Tensor g, Tensor?[] scratch, int accumulated)
        {
            scratch[0] = NeedsGrad(0) && (accumulated & 1) == 0 ? g * Saved(1) : null;
            scratch[1] = NeedsGrad(1) && (accumulated & 2) == 0 ? g * Saved(0) : null;
            return scratch;
        }

        // into += g·other, element by element as g * other (one rounding) then into + product (another): exactly what
        // computing the product as a tensor and adding it into the sum in place does. Tiny same-shape operands only.
        [MethodImpl(CodeGen.Hot)]
        public bool TryAccumulateGrad(int input, Tensor grad, Tensor into)
        {
            Tensor other = Saved(1 - input);
            if (into.Numel > Tensor.FusedGradLimit || !Tensor.SameTinyLayout(grad, other, into)) return false;
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

    // d(a/b)/da = 1/b, d(a/b)/db = -(a/b)/b
    // NOTE: (a/b)/b rather than a/b^2, as PyTorch: b^2 underflows to 0 for |b| < ~1e-23 in float32 (an infinite gradient
    // where the true one is finite) and overflows for |b| > ~1e19.
    internal sealed class DivBackward : Node
    {
        public DivBackward(Tensor a, Tensor b) : base(a, b)
        {
            Save(NeedsGrad(1) ? a : null);
            Save(b);
        }

        public override Tensor?[] Backward(Tensor g) =>
            [NeedsGrad(0) ? g / Saved(1) : null, NeedsGrad(1) ? -g * (Saved(0) / Saved(1) / Saved(1)) : null];
    }

    // d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a; PyTorch's masks at the boundary: d/da = 0 where b = 0 (not 0 * 0^-1),
    // d/db = 0 where a = 0 and b >= 0 (not 0 * ln 0 or 1 * ln 0), see docs/gradients.md.
    // A scalar exponent e (no input of its own): d(x^e)/dx = e x^(e-1), exactly 0 for e = 0.
    internal sealed class PowBackward : Node
    {
        private readonly double _e;

        public PowBackward(Tensor a, Tensor b, Tensor y) : base(a, b)
        {
            Save(a);
            Save(b);
            Save(NeedsGrad(1) ? y : null);
        }

        public PowBackward(Tensor x, double e) : base(x)
        {
            Save(x);
            _e = e;
        }

        public override Tensor?[] Backward(Tensor g) => Edges.Length == 1 ? [ScalarExponent(g)] : TensorExponent(g);

        private Tensor ScalarExponent(Tensor g) => _e switch
        {
            0 => Tensor.ZerosLike(g),
            1 => g,
            2 => g * Saved(0) * 2.0,
            _ => g * Saved(0).Pow(_e - 1) * _e,
        };

        private Tensor?[] TensorExponent(Tensor g)
        {
            Tensor a = Saved(0), b = Saved(1), zero = Tensor.Scalar(0.0, g.DType);
            Tensor? da = NeedsGrad(0) ? Tensor.Where(b.Detach().Eq(0L), zero, g * b * a.Pow(b - 1)) : null;
            Tensor? db = NeedsGrad(1)
                ? Tensor.Where(a.Detach().Eq(0L).LogicalAnd(b.Detach().Ge(0L)), zero, g * Saved(2) * a.Log())
                : null;
            return [da, db];
        }
    }

    // max(a,b): g goes to the larger input, g/2 to each on ties, and all of g to both where they are unordered (a NaN),
    // as PyTorch's maximum/minimum: each input loses the gradient only where it is strictly beaten
    internal abstract class ExtremumBackward : Node
    {
        private readonly bool _max;

        protected ExtremumBackward(Tensor a, Tensor b, bool max) : base(a, b)
        {
            Save(a);
            Save(b);
            _max = max;
        }

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor a = Saved(0).Detach(), b = Saved(1).Detach();
            Tensor half = a.Eq(b).To(g.DType) * 0.5;
            Tensor wa = 1.0 - (_max ? a.Lt(b) : a.Gt(b)).To(g.DType) - half;
            Tensor wb = 1.0 - (_max ? a.Gt(b) : a.Lt(b)).To(g.DType) - half;
            return [NeedsGrad(0) ? g * wa : null, NeedsGrad(1) ? g * wb : null];
        }
    }

    internal sealed class MaximumBackward(Tensor a, Tensor b) : ExtremumBackward(a, b, max: true);

    internal sealed class MinimumBackward(Tensor a, Tensor b) : ExtremumBackward(a, b, max: false);

    // where(c, a, b): g flows to a where c, to b elsewhere; the condition gets none
    internal sealed class WhereBackward : Node
    {
        public WhereBackward(Tensor condition, Tensor a, Tensor b) : base(a, b) => Save(condition);

        public override Tensor?[] Backward(Tensor g)
        {
            Tensor zero = Tensor.ZerosLike(g);
            return [NeedsGrad(0) ? Tensor.Where(Saved(0), g, zero) : null, NeedsGrad(1) ? Tensor.Where(Saved(0), zero, g) : null];
        }
    }

    // d x/dx = 1 (a contiguous copy)
    internal sealed class CloneBackward(Tensor x) : Node(x)
    {
        public override Tensor?[] Backward(Tensor g) => [g];
    }

    // dtype conversion: the gradient converts back
    internal sealed class ToCopyBackward(Tensor x) : Node(x)
    {
        private readonly DType _dtype = x.DType;

        public override Tensor?[] Backward(Tensor g) => [g.To(_dtype)];
    }
}
