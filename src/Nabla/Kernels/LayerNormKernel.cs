using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

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
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
        {
            float[] xf = (float[])(object)x, yf = (float[])(object)y, mf = (float[])(object)mean, sf = (float[])(object)rstd;
            float[]? wf = (float[]?)(object?)w, bf = (float[]?)(object?)b;
            float epsf = (float)(object)eps;
            ForRows(rows, n, (r0, r1) => ForwardRows(xf, r0, r1, n, wf, bf, epsf, yf, mf, sf));
            return;
        }
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
        if (typeof(T) == typeof(float) && Vector256.IsHardwareAccelerated)
        {
            float[] xf = (float[])(object)x, gf = (float[])(object)g, mf = (float[])(object)mean, sf = (float[])(object)rstd;
            float[]? wf = (float[]?)(object?)w, dxf = (float[]?)(object?)dx;
            if (dxf is not null) ForRows(rows, n, (r0, r1) => BackwardRows(xf, gf, r0, r1, n, wf, mf, sf, dxf));
            if (dw is not null || db is not null) ParameterGradients(xf, gf, rows, n, mf, sf, (float[]?)(object?)dw, (float[]?)(object?)db);
            return;
        }
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

    // Note [Layer norm rows in registers]
    // For float32 each row is a few vector passes in one method, its sums kept in registers: the forward reads x twice
    // (Σx, then x - mean and Σ(x - mean)²) and writes y once; dx reads x and g once into x̂ and g·w and writes once; dw and
    // db take each row in one pass. The operations per element are those of the span form (y = (x - mean)/std·w + b,
    // dx = ((g·w - x̂·c) - a)·rstd, dw += g·x̂ fused, db += g), so dw and db are bit-identical to it and the rest differs
    // only in the order of the row sums. A row of n = 128 costs 6 to 10 span calls otherwise, whose fixed cost is most of
    // the work at that width.

    private static void ForwardRows(float[] x, int r0, int r1, int n, float[]? w, float[]? b, float eps, float[] y, float[] mean, float[] rstd)
    {
        float count = n;
        for (int r = r0; r < r1; r++)
        {
            ReadOnlySpan<float> xr = x.AsSpan(r * n, n);
            Span<float> yr = y.AsSpan(r * n, n);
            int j = 0;
            Vector256<float> acc = Vector256<float>.Zero;
            for (; j <= n - 8; j += 8) acc += Vector256.Create(xr.Slice(j, 8));
            float sum = Vector256.Sum(acc);
            for (; j < n; j++) sum += xr[j];
            float m = sum / count;
            Vector256<float> mv = Vector256.Create(m);
            acc = Vector256<float>.Zero;
            for (j = 0; j <= n - 8; j += 8)
            {
                Vector256<float> c = Vector256.Create(xr.Slice(j, 8)) - mv;
                c.CopyTo(yr.Slice(j, 8));
                acc = Vector256.FusedMultiplyAdd(c, c, acc);
            }
            float ss = Vector256.Sum(acc);
            for (; j < n; j++)
            {
                float c = xr[j] - m;
                yr[j] = c;
                ss = MathF.FusedMultiplyAdd(c, c, ss);
            }
            float std = MathF.Sqrt(ss / count + eps);
            Vector256<float> sv = Vector256.Create(std);
            for (j = 0; j <= n - 8; j += 8)
            {
                Vector256<float> v = Vector256.Create(yr.Slice(j, 8)) / sv;
                if (w is not null) v *= Vector256.Create(w.AsSpan(j, 8));
                if (b is not null) v += Vector256.Create(b.AsSpan(j, 8));
                v.CopyTo(yr.Slice(j, 8));
            }
            for (; j < n; j++)
            {
                float v = yr[j] / std;
                if (w is not null) v *= w[j];
                if (b is not null) v += b[j];
                yr[j] = v;
            }
            mean[r] = m;
            rstd[r] = 1f / std;
        }
    }

    private static void BackwardRows(float[] x, float[] g, int r0, int r1, int n, float[]? w, float[] mean, float[] rstd, float[] dx)
    {
        float count = n;
        float[] scratch = new float[2 * n];
        Span<float> xh = scratch.AsSpan(0, n), gw = scratch.AsSpan(n, n);
        for (int r = r0; r < r1; r++)
        {
            ReadOnlySpan<float> xr = x.AsSpan(r * n, n), gr = g.AsSpan(r * n, n);
            float m = mean[r], rs = rstd[r];
            Vector256<float> mv = Vector256.Create(m), rv = Vector256.Create(rs), sa = Vector256<float>.Zero, sc = Vector256<float>.Zero;
            int j = 0;
            for (; j <= n - 8; j += 8)
            {
                Vector256<float> h = (Vector256.Create(xr.Slice(j, 8)) - mv) * rv;
                Vector256<float> q = Vector256.Create(gr.Slice(j, 8));
                if (w is not null) q *= Vector256.Create(w.AsSpan(j, 8));
                h.CopyTo(xh.Slice(j, 8));
                q.CopyTo(gw.Slice(j, 8));
                sa += q;
                sc = Vector256.FusedMultiplyAdd(q, h, sc);
            }
            float suma = Vector256.Sum(sa), sumc = Vector256.Sum(sc);
            for (; j < n; j++)
            {
                float h = (xr[j] - m) * rs, q = w is null ? gr[j] : gr[j] * w[j];
                xh[j] = h;
                gw[j] = q;
                suma += q;
                sumc = MathF.FusedMultiplyAdd(q, h, sumc);
            }
            float a = suma / count, c = sumc / count;
            Vector256<float> av = Vector256.Create(a), cv = Vector256.Create(c);
            Span<float> dr = dx.AsSpan(r * n, n);
            for (j = 0; j <= n - 8; j += 8)
                (((Vector256.Create(gw.Slice(j, 8)) - Vector256.Create(xh.Slice(j, 8)) * cv) - av) * rv).CopyTo(dr.Slice(j, 8));
            for (; j < n; j++) dr[j] = ((gw[j] - xh[j] * c) - a) * rs;
        }
    }

    // dw and db summed row after row on one thread (no result depends on the thread count: Note [Fused layer norm]).
    private static void ParameterGradients(float[] x, float[] g, int rows, int n, float[] mean, float[] rstd, float[]? dw, float[]? db)
    {
        if (dw is not null) Array.Clear(dw);
        if (db is not null) Array.Clear(db);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> xr = x.AsSpan(r * n, n), gr = g.AsSpan(r * n, n);
            float m = mean[r], rs = rstd[r];
            Vector256<float> mv = Vector256.Create(m), rv = Vector256.Create(rs);
            int j = 0;
            for (; j <= n - 8; j += 8)
            {
                Vector256<float> q = Vector256.Create(gr.Slice(j, 8));
                if (dw is not null)
                    Vector256.FusedMultiplyAdd(q, (Vector256.Create(xr.Slice(j, 8)) - mv) * rv, Vector256.Create(dw.AsSpan(j, 8))).CopyTo(dw.AsSpan(j, 8));
                if (db is not null) (Vector256.Create(db.AsSpan(j, 8)) + q).CopyTo(db.AsSpan(j, 8));
            }
            for (; j < n; j++)
            {
                if (dw is not null) dw[j] = MathF.FusedMultiplyAdd(gr[j], (xr[j] - m) * rs, dw[j]);
                if (db is not null) db[j] += gr[j];
            }
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
