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
    internal static Tensor BinaryKernel<TF, TD, TL>(Tensor a, Tensor b, string op, bool allowInt = true)
        where TF : IBinaryOp<TF, float, float>
        where TD : IBinaryOp<TD, double, double>
        where TL : IBinaryOp<TL, long, long>
    {
        CheckSameDType(a, b, op);
        if (a.DType == DType.Bool || (!allowInt && a.DType == DType.Int64))
            throw new ArgumentException($"{op}: not defined for dtype {a.DType.Name()}; expected float32 or float64{(allowInt ? " or int64" : "")}");
        int[] dims = a.Dims.AsSpan().SequenceEqual(b.Dims) ? (int[])a.Dims.Clone() : BroadcastShapes(a.Dims, b.Dims, op);
        var y = Empty(a.DType, dims);
        switch (a.DType)
        {
            case DType.Float32: Run<float, TF>(a, b, y); break;
            case DType.Float64: Run<double, TD>(a, b, y); break;
            default: Run<long, TL>(a, b, y); break;
        }
        return y;
    }

    internal static Tensor CompareKernel<TF, TD, TL>(Tensor a, Tensor b, string op)
        where TF : IBinaryOp<TF, float, bool>
        where TD : IBinaryOp<TD, double, bool>
        where TL : IBinaryOp<TL, long, bool>
    {
        CheckSameDType(a, b, op);
        int[] dims = BroadcastShapes(a.Dims, b.Dims, op);
        var y = Empty(DType.Bool, dims);
        switch (a.DType)
        {
            case DType.Float32: Run<float, bool, TF>(a, b, y); break;
            case DType.Float64: Run<double, bool, TD>(a, b, y); break;
            case DType.Int64: Run<long, bool, TL>(a, b, y); break;
            default: throw new ArgumentException($"{op}: not defined for dtype bool; use LogicalAnd/LogicalOr/Eq on bool tensors");
        }
        return y;
    }

    internal static void Run<T, TOp>(Tensor a, Tensor b, Tensor y) where TOp : IBinaryOp<TOp, T, T>
        => Run<T, T, TOp>(a, b, y);

    internal static void Run<T, TR, TOp>(Tensor a, Tensor b, Tensor y) where TOp : IBinaryOp<TOp, T, TR>
    {
        if (a.IsContiguous && b.IsContiguous && a.Dims.AsSpan().SequenceEqual(b.Dims))
        {
            Elementwise.Contiguous<T, TR, TOp>(a.Data<T>(), a.Offset, b.Data<T>(), b.Offset, y.Data<TR>(), y.Offset, (int)y.Numel);
            return;
        }
        if (a.IsContiguous && b.Numel == 1 && a.Dims.AsSpan().SequenceEqual(y.Dims))
        {
            Elementwise.ContiguousScalar<T, TR, TOp>(a.Data<T>(), a.Offset, b.Data<T>()[b.Offset], y.Data<TR>(), y.Offset, (int)y.Numel);
            return;
        }
        Elementwise.Binary<T, TR, TOp>(a.Data<T>(), a.Offset, Strided.BroadcastStrides(a.Dims, a.StrideArray, y.Dims),
            b.Data<T>(), b.Offset, Strided.BroadcastStrides(b.Dims, b.StrideArray, y.Dims), y.Dims, y.Data<TR>(), y.Offset);
    }

    /// <summary>Runs a unary float kernel (float32 or float64) on a contiguous copy of the input.</summary>
    internal static Tensor UnaryKernel<TF, TD>(Tensor x, string op)
        where TF : IUnaryOp<TF, float>
        where TD : IUnaryOp<TD, double>
    {
        CheckFloat(x, op);
        Tensor src = x.ContiguousData();
        var y = Empty(x.DType, (int[])x.Dims.Clone());
        if (x.DType == DType.Float32) Elementwise.Unary<float, TF>(src.Data<float>(), src.Offset, y.Data<float>(), y.Offset, (int)y.Numel);
        else Elementwise.Unary<double, TD>(src.Data<double>(), src.Offset, y.Data<double>(), y.Offset, (int)y.Numel);
        return y;
    }

    /// <summary>A 0-d constant of this tensor's dtype (for scalar operands).</summary>
    internal Tensor ScalarLike(double value) => Full([], value, DType);
}
