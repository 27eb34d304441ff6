using System.Numerics;
using System.Numerics.Tensors;

namespace Nabla.Kernels;

// Note [Fused layer norm]
// layer_norm over rows of n contiguous elements in one pass per row: mean = Σx/n, c = x - mean, var = Σc²/n,
// y = c / sqrt(var + eps) (· w + b), the statistics in the composite's order of operations, so the forward differs from
// the composite only where its Mean sums in another order. The node saves x, mean and rstd = 1/sqrt(var + eps) per row
// and recomputes x̂ = (x - mean)·rstd; with gw = g·w (g without a weight):
//   dx = rstd·(gw - mean(gw) - x̂·mean(gw·x̂)),  dw = Σ_rows g·x̂,  db = Σ_rows g.
// dx is row-independent (rows split over threads); dw and db are summed row after row on one thread, so no result
// depends on the thread count.

/// <summary>Layer normalization over contiguous rows (see Note [Fused layer norm]).</summary>
internal static class LayerNormKernel
{
    /// <summary>
    /// <c>y</c> = the rows of <paramref name="x"/> (<paramref name="rows"/> × <paramref name="n"/>) normalized, scaled by
    /// <paramref name="w"/> and shifted by <paramref name="b"/> (each empty when absent); fills each row's
    /// <paramref name="mean"/> and <paramref name="rstd"/>.
    /// </summary>
    public static void Forward<T>(T[] x, int rows, int n, T[]? w, T[]? b, T eps, T[] y, T[] mean, T[] rstd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating(n);
        ForRows(rows, n, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                ReadOnlySpan<T> xr = x.AsSpan(r * n, n);
                Span<T> yr = y.AsSpan(r * n, n);
                T m = TensorPrimitives.Sum(xr) / count;
                TensorPrimitives.Subtract(xr, m, yr);
                T std = T.Sqrt(TensorPrimitives.Dot(yr, yr) / count + eps);
                TensorPrimitives.Divide(yr, std, yr);
                if (w is not null) TensorPrimitives.Multiply(yr, w, yr);
                if (b is not null) TensorPrimitives.Add(yr, b, yr);
                mean[r] = m;
                rstd[r] = T.One / std;
            }
        });
    }

    /// <summary>
    /// The gradients of <see cref="Forward{T}"/> given the upstream <paramref name="g"/>: <paramref name="dx"/> (when
    /// non-null) and the sums <paramref name="dw"/>, <paramref name="db"/> over the rows (each when non-null; overwritten).
    /// </summary>
    public static void Backward<T>(T[] x, T[] g, int rows, int n, T[]? w, T[] mean, T[] rstd, T[]? dx, T[]? dw, T[]? db)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T count = T.CreateTruncating(n);
        if (dx is not null)
            ForRows(rows, n, (r0, r1) =>
            {
                T[] scratch = new T[2 * n];
                Span<T> xhat = scratch.AsSpan(0, n), gw = scratch.AsSpan(n, n);
                for (int r = r0; r < r1; r++)
                {
                    ReadOnlySpan<T> gr = g.AsSpan(r * n, n);
                    Normalized(x.AsSpan(r * n, n), mean[r], rstd[r], xhat);
                    if (w is not null) TensorPrimitives.Multiply(gr, w, gw);
                    else gr.CopyTo(gw);
                    T a = TensorPrimitives.Sum(gw) / count, c = TensorPrimitives.Dot(gw, xhat) / count;
                    Span<T> dr = dx.AsSpan(r * n, n);
                    // dx = rstd·(gw - a - x̂·c)
                    TensorPrimitives.Multiply(xhat, c, dr);
                    TensorPrimitives.Subtract(gw, dr, dr);
                    TensorPrimitives.Subtract(dr, a, dr);
                    TensorPrimitives.Multiply(dr, rstd[r], dr);
                }
            });
        if (dw is not null)
        {
            Array.Clear(dw);
            T[] xhat = new T[n];
            for (int r = 0; r < rows; r++)
            {
                Normalized(x.AsSpan(r * n, n), mean[r], rstd[r], xhat);
                TensorPrimitives.FusedMultiplyAdd(g.AsSpan(r * n, n), xhat, dw, dw);
            }
        }
        if (db is not null)
        {
            Array.Clear(db);
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, g.AsSpan(r * n, n), db);
        }
    }

    private static void Normalized<T>(ReadOnlySpan<T> x, T mean, T rstd, Span<T> xhat) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(x, mean, xhat);
        TensorPrimitives.Multiply(xhat, rstd, xhat);
    }

    private static void ForRows(int rows, int n, Action<int, int> body) =>
        Chunked.For(rows, 1, Chunked.Parts((long)rows * n, Chunked.ElementwiseThreshold, Runtime.ThreadBudget.KernelThreads),
            (start, length) => body(start, start + length));
}
