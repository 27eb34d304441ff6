using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Nabla.Optim;

/// <summary>Gradient clipping applied between <c>loss.Backward()</c> and <c>optimizer.Step()</c> (PyTorch's <c>nn.utils.clip_grad_*_</c>).</summary>
public static class GradClip
{
    /// <summary>
    /// Scales the gradients of <paramref name="parameters"/>, in place, so that their total norm is at most
    /// <paramref name="maxNorm"/>, and returns the total norm before clipping.
    /// </summary>
    /// <remarks>
    /// <para>Over every parameter whose gradient is not null, as PyTorch 1.13's <c>clip_grad_norm_</c>:</para>
    /// <code>
    /// total = (sum_k ||g_k||_q^q)^(1/q)              (q = normType; for PositiveInfinity: max |g| over all elements)
    /// coef  = min(maxNorm / (total + 1e-6), 1)
    /// g_k   = g_k * coef                             (for every k, also when coef = 1)
    /// </code>
    /// <para>The norm is accumulated in double for float32 gradients too. Parameters without a gradient are
    /// ignored; with no gradient at all the result is 0.</para>
    /// </remarks>
    /// <param name="parameters">The parameters whose gradients are clipped together.</param>
    /// <param name="maxNorm">The largest allowed total norm (>= 0).</param>
    /// <param name="normType">The order q of the norm: a positive number or <see cref="double.PositiveInfinity"/>.</param>
    /// <param name="errorIfNonfinite">Throw instead of scaling when the total norm is NaN or infinite.</param>
    /// <returns>The total norm of the gradients before clipping.</returns>
    /// <exception cref="ArgumentException"><paramref name="maxNorm"/> or <paramref name="normType"/> is out of range.</exception>
    /// <exception cref="InvalidOperationException">The norm is not finite and <paramref name="errorIfNonfinite"/> is true.</exception>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, double maxNorm, double normType = 2.0, bool errorIfNonfinite = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ClipGradNorm: invalid maxNorm = {maxNorm} (expected maxNorm >= 0)"), nameof(maxNorm));
        if (!(normType > 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ClipGradNorm: invalid normType = {normType} (expected a positive number or double.PositiveInfinity)"), nameof(normType));
        List<Tensor> grads = Gradients(parameters);
        if (grads.Count == 0) return 0;

        bool infinity = double.IsPositiveInfinity(normType);
        double total = 0;
        foreach (Tensor g in grads)
        {
            Tensor c = g.ContiguousData();
            double norm = c.DType == DType.Float32 ? Norm<float>(c.Span<float>(), normType) : Norm<double>(c.Span<double>(), normType);
            total = infinity ? Math.Max(total, norm) : total + Power(norm, normType);
        }
        if (!infinity) total = Root(total, normType);
        if (errorIfNonfinite && !double.IsFinite(total))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"ClipGradNorm: the total norm of order {normType} of the gradients is non-finite ({total}), so it cannot be clipped; pass errorIfNonfinite: false to scale by it anyway"));

        double coef = Math.Min(maxNorm / (total + 1e-6), 1.0);
        foreach (Tensor g in grads)
        {
            if (g.IsContiguous)
            {
                if (g.DType == DType.Float32) Scale(g.Span<float>(), (float)coef);
                else Scale(g.Span<double>(), coef);
                g.Storage.Version++;
            }
            else
            {
                using (Autograd.NoGrad()) g.MulInPlace(coef);
            }
        }
        return total;
    }

    /// <summary>Clamps every gradient element of <paramref name="parameters"/>, in place, to [-clipValue, clipValue].</summary>
    /// <remarks>As PyTorch's <c>clip_grad_value_</c>: <c>g = clamp(g, -clipValue, clipValue)</c>; NaN stays NaN. Parameters without a gradient are ignored.</remarks>
    /// <param name="parameters">The parameters whose gradients are clipped.</param>
    /// <param name="clipValue">The largest allowed magnitude (>= 0).</param>
    /// <exception cref="ArgumentException"><paramref name="clipValue"/> is negative or NaN.</exception>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, double clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ClipGradValue: invalid clipValue = {clipValue} (expected clipValue >= 0)"), nameof(clipValue));
        foreach (Tensor g in Gradients(parameters))
        {
            if (g.IsContiguous)
            {
                if (g.DType == DType.Float32) Clamp(g.Span<float>(), (float)clipValue);
                else Clamp(g.Span<double>(), clipValue);
                g.Storage.Version++;
            }
            else
            {
                using (Autograd.NoGrad()) g.CopyFrom(g.Clamp(-clipValue, clipValue));
            }
        }
    }

    private static List<Tensor> Gradients(IEnumerable<Tensor> parameters)
    {
        var grads = new List<Tensor>();
        foreach (Tensor p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (p.Grad is { } g)
            {
                if (!g.DType.ComputesNatively())
                    throw new ArgumentException($"GradClip: a gradient has dtype {g.DType.Name()}; expected float32 or float64", nameof(parameters));
                grads.Add(g);
            }
        }
        return grads;
    }

    // The q-norm of one gradient: sqrt(sum g^2) for q = 2, sum |g| for q = 1, max |g| for infinity, else (sum |g|^q)^(1/q).
    private static double Norm<T>(ReadOnlySpan<T> g, double q) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double acc = 0;
        if (double.IsPositiveInfinity(q))
        {
            foreach (T x in g)
            {
                double a = Math.Abs(double.CreateTruncating(x));
                if (a > acc || double.IsNaN(a)) acc = a;
                if (double.IsNaN(acc)) return acc;
            }
            return acc;
        }
        if (q == 2) return Math.Sqrt(SumOfSquares(g));
        foreach (T x in g) acc += Power(Math.Abs(double.CreateTruncating(x)), q);
        return Root(acc, q);
    }

    // Σx² in double: float32 elements widened to double lanes (so no square rounds to float), four lanes at a time.
    private static double SumOfSquares<T>(ReadOnlySpan<T> g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float)) return double.CreateTruncating(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(g));
        ReadOnlySpan<float> f = System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(g);
        Vector256<double> a0 = default, a1 = default;
        int i = 0;
        for (; i + 8 <= f.Length; i += 8)
        {
            var (lo, hi) = Vector256.Widen(Vector256.Create(f.Slice(i, 8)));
            a0 = Vector256.FusedMultiplyAdd(lo, lo, a0);
            a1 = Vector256.FusedMultiplyAdd(hi, hi, a1);
        }
        double acc = Vector256.Sum(a0 + a1);
        for (; i < f.Length; i++) acc += (double)f[i] * f[i];
        return acc;
    }

    private static double Power(double a, double q) => q == 2 ? a * a : q == 1 ? a : Math.Pow(a, q);

    private static double Root(double s, double q) => q == 2 ? Math.Sqrt(s) : q == 1 ? s : Math.Pow(s, 1 / q);

    private static void Scale<T>(Span<T> g, T coef) where T : unmanaged, IFloatingPointIeee754<T>
        => System.Numerics.Tensors.TensorPrimitives.Multiply(g, coef, g);

    private static void Clamp<T>(Span<T> g, T clip) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T low = -clip;
        for (int i = 0; i < g.Length; i++)
        {
            T x = g[i];
            if (x < low) g[i] = low;
            else if (x > clip) g[i] = clip;
        }
    }
}
