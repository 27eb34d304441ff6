using System.Numerics.Tensors;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla
{
    public sealed partial class Tensor
    {
        /// <summary>Elementwise largest integer not above x. Its gradient is zero everywhere (PyTorch's); int64 is returned as a copy.</summary>
        public Tensor Floor() => Rounded<FloorOp<float>, FloorOp<double>>("floor");

        /// <summary>Elementwise smallest integer not below x. Its gradient is zero everywhere; int64 is returned as a copy.</summary>
        public Tensor Ceil() => Rounded<CeilOp<float>, CeilOp<double>>("ceil");

        /// <summary>Elementwise nearest integer, halves to even as <c>torch.round</c> (0.5 → 0, 1.5 → 2, -2.5 → -2). Zero gradient; int64 is copied.</summary>
        public Tensor Round() => Rounded<RoundOp<float>, RoundOp<double>>("round");

        /// <summary>Elementwise integer part (rounds toward zero). Its gradient is zero everywhere; int64 is returned as a copy.</summary>
        public Tensor Trunc() => Rounded<TruncOp<float>, TruncOp<double>>("trunc");

        /// <summary>Bool tensor: true where the element is NaN (never for int64 and bool tensors).</summary>
        public Tensor IsNan() => Classify(nan: true);

        /// <summary>Bool tensor: true where the element is +inf or -inf (never for int64 and bool tensors).</summary>
        public Tensor IsInf() => Classify(nan: false);

        /// <summary>Bool tensor: true where the element is zero (false for a bool tensor), as <c>torch.logical_not</c>; any dtype.</summary>
        public Tensor LogicalNot()
        {
            var y = Empty(DType.Bool, (int[])Dims.Clone());
            Span<bool> o = y.Span<bool>();
            Tensor x = ContiguousData();
            switch (DType)
            {
                case DType.Float32: { ReadOnlySpan<float> s = x.Span<float>(); for (int i = 0; i < o.Length; i++) o[i] = s[i] == 0; break; }
                case DType.Float64: { ReadOnlySpan<double> s = x.Span<double>(); for (int i = 0; i < o.Length; i++) o[i] = s[i] == 0; break; }
                case DType.Int64: { ReadOnlySpan<long> s = x.Span<long>(); for (int i = 0; i < o.Length; i++) o[i] = s[i] == 0; break; }
                case DType.Bool: { ReadOnlySpan<bool> s = x.Span<bool>(); for (int i = 0; i < o.Length; i++) o[i] = !s[i]; break; }
                case DType.BFloat16: { ReadOnlySpan<BFloat16> s = x.Span<BFloat16>(); for (int i = 0; i < o.Length; i++) o[i] = (float)s[i] == 0; break; }
                case DType.Float16: { ReadOnlySpan<Half> s = x.Span<Half>(); for (int i = 0; i < o.Length; i++) o[i] = (float)s[i] == 0; break; }
                default: throw DTypeExtensions.Unknown(DType);
            }
            return y;
        }

        private Tensor Rounded<TF, TD>(string op)
            where TF : IUnaryOp<TF, float>
            where TD : IUnaryOp<TD, double>
        {
            if (DType == DType.Int64) return CloneRaw();
            if (DType == DType.Bool)
                throw new ArgumentException($"{op}: not defined for bool tensors (shape {Shape}); convert with .To(DType.Int64) or .To(DType.Float32) first");
            Tensor y = UnaryKernel<TF, TD>(this, op);
            if (Autograd.ShouldRecord(this)) y.SetGradFn(new Ops.RoundingBackward(op, this));
            return y;
        }

        private Tensor Classify(bool nan)
        {
            var y = Empty(DType.Bool, (int[])Dims.Clone());
            if (!DType.IsFloatingPoint())
            {
                y.Span<bool>().Clear();
                return y;
            }
            // Widening keeps NaN and infinity (See Note [Half compute]).
            Tensor x = DType.IsHalf() ? ConvertData(DType.Float32) : ContiguousData();
            if (x.DType == DType.Float32)
            {
                if (nan) TensorPrimitives.IsNaN<float>(x.Span<float>(), y.Span<bool>());
                else TensorPrimitives.IsInfinity<float>(x.Span<float>(), y.Span<bool>());
            }
            else if (nan) TensorPrimitives.IsNaN<double>(x.Span<double>(), y.Span<bool>());
            else TensorPrimitives.IsInfinity<double>(x.Span<double>(), y.Span<bool>());
            return y;
        }
    }
}

namespace Nabla.Ops
{
    // floor, ceil, round, trunc are piecewise constant: their gradient is 0 everywhere (PyTorch's choice at the jumps too)
    internal sealed class RoundingBackward(string op, Tensor x) : Node(NodeName(op), x)
    {
        private static string NodeName(string op) => op switch
        {
            "floor" => "FloorBackward",
            "ceil" => "CeilBackward",
            "round" => "RoundBackward",
            _ => "TruncBackward",
        };

        public override Tensor?[] Backward(Tensor g) => [Tensor.ZerosLike(g)];
    }
}
