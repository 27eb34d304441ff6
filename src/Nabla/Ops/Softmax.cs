using System.Numerics;
using System.Numerics.Tensors;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla.Ops;

// Note [Fused softmax]
// Softmax and log-softmax along the last dim (the classes of a classifier, the keys of attention: nearly every use)
// are one op with one node instead of the composite's nine recorded ops (max, abs, lt, where, sub, exp, sum, log,
// sub), each with its temporary. Forward is the composite's arithmetic with the same TensorPrimitives calls over the
// same spans: per row m = max (0 when not finite), shifted = x - m; exp over the whole buffer at once (a span shorter
// than a vector would take the scalar exp, which can differ in the last bit), in place; a sum per row; log of all
// row sums at once; then e / S, or for log-softmax x - m again minus log S. So outputs are bit for bit the
// composite's, which the tests check. The node saves the output y, as PyTorch does; its rule is dx = g - exp(y)·Σg
// (log-softmax) or dx = y·(g - Σ g·y) (softmax), one pass per row without temporaries, and under createGraph the same
// formulas in differentiable ops, so higher derivatives work. Other dims use the composite.
internal static class FusedSoftmax
{
    /// <summary>True when <paramref name="dim"/> names the last dim of a tensor of rank ≥ 1 (the fused case).</summary>
    public static bool Applies(Tensor x, int dim) => x.Rank >= 1 && (dim == -1 || dim == x.Rank - 1);

    /// <summary>Softmax (or log-softmax) of <paramref name="x"/> along its last dim, recorded as one node.</summary>
    public static Tensor Forward(Tensor x, bool log)
    {
        var y = Tensor.Empty(x.DType, x.Dims);
        if (x.Numel > 0)
        {
            Tensor src = x.ContiguousData();
            int c = x.Dims[^1], rows = (int)(x.Numel / c);
            if (x.DType == DType.Float32) Rows(src.Data<float>(), src.Offset, y.Data<float>(), rows, c, log);
            else Rows(src.Data<double>(), src.Offset, y.Data<double>(), rows, c, log);
        }
        if (Autograd.ShouldRecord(x)) y.SetGradFn(log ? new LogSoftmaxBackward(x, y) : new SoftmaxBackward(x, y));
        return y;
    }

    private static void Rows<T>(T[] x, int offset, T[] y, int rows, int c, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = rows * c;
        var maxes = new T[rows];
        Shift(x, offset, y, maxes, c, findMaxes: true);
        Elementwise.Unary<T, ExpOp<T>>(y, 0, y, 0, n);
        var sums = new T[rows];
        RowReductions.SumRows(y, 0, rows, c, sums);
        if (log)
        {
            // NOTE: x - m again rather than kept in a temporary: the same subtraction gives the same values, and a
            // second buffer the size of the input costs more memory traffic than the pass (docs/benchmarks.md).
            TensorPrimitives.Log(sums, sums);
            Shift(x, offset, y, maxes, c, findMaxes: false);
            for (int r = 0; r < rows; r++) TensorPrimitives.Subtract(y.AsSpan(r * c, c), sums[r], y.AsSpan(r * c, c));
        }
        else
        {
            for (int r = 0; r < rows; r++) TensorPrimitives.Divide(y.AsSpan(r * c, c), sums[r], y.AsSpan(r * c, c));
        }
    }

    /// <summary>y = x - m per row, m the row's max (0 when not finite), found first when <paramref name="findMaxes"/>.</summary>
    private static void Shift<T>(T[] x, int offset, T[] y, T[] maxes, int c, bool findMaxes) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < maxes.Length; r++)
        {
            ReadOnlySpan<T> row = x.AsSpan(offset + r * c, c);
            if (findMaxes)
            {
                T m = TensorPrimitives.Max(row);
                maxes[r] = T.Abs(m) < T.PositiveInfinity ? m : T.Zero;
            }
            TensorPrimitives.Subtract(row, maxes[r], y.AsSpan(r * c, c));
        }
    }

    /// <summary>The rule's raw form for one dtype: dx = g - exp(y)·Σg (log) or y·(g - Σ g·y), per row.</summary>
    public static void Backward<T>(ReadOnlySpan<T> g, ReadOnlySpan<T> y, Span<T> dx, int c, bool log)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (log) TensorPrimitives.Exp(y, dx);
        for (int start = 0; start < g.Length; start += c)
        {
            ReadOnlySpan<T> gr = g.Slice(start, c), yr = y.Slice(start, c);
            Span<T> d = dx.Slice(start, c);
            if (log)
            {
                // d = g - e·Σg
                T s = TensorPrimitives.Sum(gr);
                TensorPrimitives.Multiply(d, s, d);
                TensorPrimitives.Subtract(gr, d, d);
            }
            else
            {
                T s = TensorPrimitives.Dot(gr, yr);
                TensorPrimitives.Subtract(gr, s, d);
                TensorPrimitives.Multiply(d, yr, d);
            }
        }
    }
}

/// <summary>The rule of <see cref="FusedSoftmax"/> (see Note [Fused softmax]), keeping the op's output.</summary>
internal abstract class FusedSoftmaxBackward : Node
{
    private readonly bool _log;

    protected FusedSoftmaxBackward(Tensor x, Tensor y, bool log) : base(x)
    {
        Save(y);
        _log = log;
    }

    // log-softmax: dx = g - exp(y) Σg; softmax: dx = y (g - Σ g y)
    public override Tensor?[] Backward(Tensor g) => [Apply(g, Saved(0), _log)];

    private static Tensor Apply(Tensor g, Tensor y, bool log)
    {
        if (Autograd.IsGradEnabled)
            return log ? g - y.Exp() * g.Sum(-1, keepDim: true) : y * (g - (g * y).Sum(-1, keepDim: true));
        var dx = Tensor.Empty(y.DType, y.Dims);
        if (y.Numel == 0) return dx;
        Tensor gc = g.ContiguousData(), yc = y.ContiguousData();
        int c = y.Dims[^1];
        if (y.DType == DType.Float32) FusedSoftmax.Backward(gc.Span<float>(), yc.Span<float>(), dx.Span<float>(), c, log);
        else FusedSoftmax.Backward(gc.Span<double>(), yc.Span<double>(), dx.Span<double>(), c, log);
        return dx;
    }
}

internal sealed class SoftmaxBackward(Tensor x, Tensor y) : FusedSoftmaxBackward(x, y, log: false);

internal sealed class LogSoftmaxBackward(Tensor x, Tensor y) : FusedSoftmaxBackward(x, y, log: true);
