using System.Runtime.CompilerServices;
using Nabla.Kernels;

namespace Nabla;

public sealed partial class Tensor
{
    internal static int[] BroadcastShapes(int[] a, int[] b, string op)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            int db = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException(
                    $"{op}: shapes {Shape.Format(a)} and {Shape.Format(b)} cannot be broadcast: dimension {i - rank} is {da} in one and {db} in the other (sizes must match or be 1)");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Runs a same-dtype binary kernel with broadcasting; the dtype is dispatched once here.</summary>
    [MethodImpl(CodeGen.Hot)]
    internal static Tensor BinaryKernel<TF, TD, TL>(Tensor a, Tensor b, string op, bool allowInt = true)
        where TF : IBinaryOp<TF, float, float>
        where TD : IBinaryOp<TD, double, double>
        where TL : IBinaryOp<TL, long, long>
    {
        CheckSameDType(a, b, op);
        if (a.DType == DType.Bool)
            throw new ArgumentException($"{op}: not defined for two bool tensors; use LogicalAnd/LogicalOr, or convert with .To(DType.Int64) or .To(DType.Float32) first");
        if (!allowInt && a.DType == DType.Int64)
            throw new ArgumentException($"{op}: not defined for dtype int64; expected float32 or float64");
        // See Note [Half compute]: 16-bit operands run the float32 kernel and the result is rounded once.
        if (a.DType.IsHalf())
            return HalfBinary<TF>(a, b, op) ?? BinaryKernel<TF, TD, TL>(a.ConvertData(DType.Float32), b.ConvertData(DType.Float32), op).ConvertData(a.DType);
        // Shape arrays are never written after construction, so the result shares its input's (see Note [Tiny tensors]).
        int[] dims = SameDims(a.Dims, b.Dims) ? a.Dims : BroadcastShapes(a.Dims, b.Dims, op);
        var y = Empty(a.DType, dims);
        switch (a.DType)
        {
            case DType.Float32: Run<float, TF>(a, b, y); break;
            case DType.Float64: Run<double, TD>(a, b, y); break;
            case DType.Int64: Run<long, TL>(a, b, y); break;
            default: throw DTypeExtensions.Unknown(a.DType);
        }
        return y;
    }

    /// <summary>
    /// A 16-bit binary op whose operands each cover the result or are one element, fused (Note [Fused half elementwise]);
    /// null for other layouts, which widen whole operands.
    /// </summary>
    private static Tensor? HalfBinary<TF>(Tensor a, Tensor b, string op) where TF : IBinaryOp<TF, float, float>
    {
        int[] dims = SameDims(a.Dims, b.Dims) ? a.Dims : BroadcastShapes(a.Dims, b.Dims, op);
        bool aFull = a.IsContiguous && SameDims(a.Dims, dims), bFull = b.IsContiguous && SameDims(b.Dims, dims);
        if (!(aFull || a.Numel == 1) || !(bFull || b.Numel == 1)) return null;
        var y = Empty(a.DType, dims);
        int n = (int)y.Numel, sa = aFull ? 1 : 0, sb = bFull ? 1 : 0;
        if (a.DType == DType.BFloat16)
            ElementwiseHalf.Binary<BFloat16, TF>(a.Data<BFloat16>(), a.Offset, sa, b.Data<BFloat16>(), b.Offset, sb, y.Data<BFloat16>(), y.Offset, n);
        else
            ElementwiseHalf.Binary<Half, TF>(a.Data<Half>(), a.Offset, sa, b.Data<Half>(), b.Offset, sb, y.Data<Half>(), y.Offset, n);
        return y;
    }

    /// <summary>Runs a comparison with broadcasting and promotion (Note [Type promotion]); two bool tensors compare as 0 and 1.</summary>
    internal static Tensor CompareKernel<TF, TD, TL>(Tensor a, Tensor b, string op)
        where TF : IBinaryOp<TF, float, bool>
        where TD : IBinaryOp<TD, double, bool>
        where TL : IBinaryOp<TL, long, bool>
    {
        ArgumentNullException.ThrowIfNull(b);
        if (a.DType != b.DType) Promote(ref a, ref b, op);
        int[] dims = BroadcastShapes(a.Dims, b.Dims, op);
        var y = Empty(DType.Bool, dims);
        switch (a.DType)
        {
            case DType.Float32: Run<float, bool, TF>(a, b, y); break;
            case DType.Float64: Run<double, bool, TD>(a, b, y); break;
            case DType.Int64: Run<long, bool, TL>(a, b, y); break;
            case DType.Bool: Run<long, bool, TL>(a.To(DType.Int64), b.To(DType.Int64), y); break;
            // Comparing the float32 values of 16-bit operands is exact (See Note [Half compute]).
            default: Run<float, bool, TF>(a.ConvertData(DType.Float32), b.ConvertData(DType.Float32), y); break;
        }
        return y;
    }

    internal static void Run<T, TOp>(Tensor a, Tensor b, Tensor y) where TOp : IBinaryOp<TOp, T, T>
        => Run<T, T, TOp>(a, b, y);

    // Note [Tiny tensors]
    // For 0-d and tiny tensors (micrograd-style graphs, one node per scalar op) an op's cost is its overhead, not its
    // arithmetic. So a result shares its operand's shape array (shape arrays are never written after construction), and
    // a binary op whose result has at most SmallLoop elements, each operand either covering the result element for
    // element or being a single element, is one inline loop over TOp's scalar form. That skips TensorPrimitives' fixed
    // cost per call (validation, overlap checks, width dispatch) and the JIT time of its large generic methods, and it is
    // exact: for every op struct the scalar and span forms agree (+ - * / are IEEE-exact in TensorPrimitives too), so
    // SmallLoop moves time, never results. It is set by compile time, not run time: from a few dozen elements up the
    // vectorised loop is faster per call, but compiling each of its generic instantiations costs a short program more.
    // Unary ops keep the span form: TensorPrimitives' vectorised tanh, exp, log differ from Math's in the last bits, and
    // a 0-d result must equal the same element of a longer tensor. The methods on this path are CodeGen.Hot
    // (Note [Hot methods]): optimised from the first call, as a short program would otherwise run them at tier 0.

    /// <summary>Up to this many elements a binary op is one inline loop (see Note [Tiny tensors]).</summary>
    internal const int SmallLoop = 2048;

    /// <summary>Up to this many elements MulBackward adds its gradient into an existing sum (TryAccumulateGrad, Note [Fast paths]).</summary>
    internal const int FusedGradLimit = 32;

    [MethodImpl(CodeGen.Hot)]
    internal static void Run<T, TR, TOp>(Tensor a, Tensor b, Tensor y) where TOp : IBinaryOp<TOp, T, TR>
    {
        // An operand either covers the result element for element (contiguous, same shape) or is one element.
        bool aFull = a.IsContiguous && SameDims(a.Dims, y.Dims), bFull = b.IsContiguous && SameDims(b.Dims, y.Dims);
        bool aOne = a.Numel == 1, bOne = b.Numel == 1;
        if (y.Numel <= SmallLoop && (aFull || aOne) && (bFull || bOne))
        {
            T[] ad = a.Data<T>(), bd = b.Data<T>();
            TR[] yd = y.Data<TR>();
            int n = (int)y.Numel, ao = a.Offset, bo = b.Offset, yo = y.Offset;
            int sa = aFull ? 1 : 0, sb = bFull ? 1 : 0;
            for (int i = 0; i < n; i++) yd[yo + i] = TOp.Invoke(ad[ao + i * sa], bd[bo + i * sb]);
            return;
        }
        // Larger results go through Elementwise, which splits them across threads above a size (Note [Elementwise threads]).
        int count = (int)y.Numel;
        if (aFull && bFull)
        {
            Elementwise.Contiguous<T, TR, TOp>(a.Data<T>(), a.Offset, b.Data<T>(), b.Offset, y.Data<TR>(), y.Offset, count);
            return;
        }
        if (aFull && bOne)
        {
            Elementwise.ContiguousScalar<T, TR, TOp>(a.Data<T>(), a.Offset, b.Data<T>()[b.Offset], y.Data<TR>(), y.Offset, count);
            return;
        }
        if (aOne && bFull)
        {
            Elementwise.ScalarContiguous<T, TR, TOp>(a.Data<T>()[a.Offset], b.Data<T>(), b.Offset, y.Data<TR>(), y.Offset, count);
            return;
        }
        Elementwise.Binary<T, TR, TOp>(a.Data<T>(), a.Offset, Strided.BroadcastStrides(a.Dims, a.StrideArray, y.Dims),
            b.Data<T>(), b.Offset, Strided.BroadcastStrides(b.Dims, b.StrideArray, y.Dims), y.Dims, y.Data<TR>(), y.Offset);
    }

    private static bool SameDims(int[] a, int[] b) => Strided.SameDims(a, b);

    /// <summary>Three contiguous floating-point tensors of one dtype and one shape (for in-place gradient sums).</summary>
    internal static bool SameTinyLayout(Tensor a, Tensor b, Tensor c) =>
        a.IsContiguous && b.IsContiguous && c.IsContiguous && a.DType == c.DType && b.DType == c.DType
        && c.DType.ComputesNatively() && SameDims(a.Dims, c.Dims) && SameDims(b.Dims, c.Dims);

    /// <summary>Runs a unary float kernel (float32 or float64) on a contiguous copy of the input.</summary>
    [MethodImpl(CodeGen.Hot)]
    internal static Tensor UnaryKernel<TF, TD>(Tensor x, string op)
        where TF : IUnaryOp<TF, float>
        where TD : IUnaryOp<TD, double>
    {
        CheckFloat(x, op);
        if (x.DType.IsHalf())
        {
            // See Note [Half compute] and Note [Fused half elementwise].
            var h = Empty(x.DType, x.Dims);
            Tensor hs = x.ContiguousData();
            if (x.DType == DType.BFloat16) ElementwiseHalf.Unary<BFloat16, TF>(hs.Data<BFloat16>(), hs.Offset, h.Data<BFloat16>(), h.Offset, (int)h.Numel);
            else ElementwiseHalf.Unary<Half, TF>(hs.Data<Half>(), hs.Offset, h.Data<Half>(), h.Offset, (int)h.Numel);
            return h;
        }
        // NOTE: even one element goes through the span form, which for some ops (tanh, exp, ...) is a vectorised
        // approximation that may differ from the scalar form in the last bit; a 0-d result must match a longer one.
        var y = Empty(x.DType, x.Dims);
        Tensor src = x.ContiguousData();
        if (x.DType == DType.Float32) Elementwise.Unary<float, TF>(src.Data<float>(), src.Offset, y.Data<float>(), y.Offset, (int)y.Numel);
        else Elementwise.Unary<double, TD>(src.Data<double>(), src.Offset, y.Data<double>(), y.Offset, (int)y.Numel);
        return y;
    }

    /// <summary>A 0-d constant of this tensor's dtype (for scalar operands).</summary>
    internal Tensor ScalarLike(double value)
    {
        var t = Empty(DType, []);
        t.FillRaw(value);
        return t;
    }
}
