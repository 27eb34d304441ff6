using System.Numerics.Tensors;

namespace Nabla.Optim;

/// <summary>
/// The strong-Wolfe line search of <see cref="Lbfgs"/> (PyTorch 1.13's <c>_strong_wolfe</c>, after minFunc): brackets a step
/// that satisfies the sufficient-decrease and curvature conditions, then zooms in by cubic interpolation.
/// </summary>
internal static class StrongWolfe
{
    private const double C1 = 1e-4;
    private const double C2 = 0.9;
    private const int MaxIterations = 25;

    // NOTE: the search has its own tolerance on the bracket width (PyTorch's default 1e-9); the optimizer's
    // toleranceChange is not passed to it, as in PyTorch.
    private const double ToleranceChange = 1e-9;

    /// <summary>A trial step with its loss, flat gradient and directional derivative.</summary>
    private record struct Point(double T, double F, double[] G, double Gtd);

    /// <summary>
    /// Searches along <paramref name="d"/> from the current point (loss <paramref name="f"/>, gradient <paramref name="g"/>,
    /// directional derivative <paramref name="gtd"/> &lt; 0), starting with step <paramref name="t"/>.
    /// </summary>
    /// <param name="phi">Evaluates the loss and flat gradient at <c>x + step * d</c>, leaving x unchanged.</param>
    /// <param name="t">The first trial step.</param>
    /// <param name="d">The search direction.</param>
    /// <param name="f">The loss at x.</param>
    /// <param name="g">The flat gradient at x.</param>
    /// <param name="gtd">The directional derivative g.d at x (negative).</param>
    /// <returns>The chosen step with its loss and gradient, and the number of evaluations of <paramref name="phi"/>.</returns>
    public static (double Loss, double[] Grad, double Step, int Evals) Search(
        Func<double, (double Loss, double[] Grad)> phi, double t, double[] d, double f, double[] g, double gtd)
    {
        double dNorm = MaxAbs(d);
        var (fNew, gNew) = phi(t);
        int evals = 1;
        double gtdNew = TensorPrimitives.Dot<double>(gNew, d);

        var prev = new Point(0, f, g, gtd);
        bool done = false;
        int i = 0;
        Point[] bracket = [];
        while (i < MaxIterations)
        {
            if (fNew > f + C1 * t * gtd || (i > 1 && fNew >= prev.F))
            {
                bracket = [prev, new Point(t, fNew, gNew, gtdNew)];
                break;
            }
            if (Math.Abs(gtdNew) <= -C2 * gtd)
            {
                bracket = [new Point(t, fNew, gNew, gtdNew)];
                done = true;
                break;
            }
            if (gtdNew >= 0)
            {
                bracket = [prev, new Point(t, fNew, gNew, gtdNew)];
                break;
            }
            // Extrapolate: the cubic's minimiser, kept between a little beyond t and ten times t.
            double lo = t + 0.01 * (t - prev.T), hi = t * 10;
            double next = Cubic(prev.T, prev.F, prev.Gtd, t, fNew, gtdNew, lo, hi);
            prev = new Point(t, fNew, gNew, gtdNew);
            t = next;
            (fNew, gNew) = phi(t);
            evals++;
            gtdNew = TensorPrimitives.Dot<double>(gNew, d);
            i++;
        }
        if (i == MaxIterations) bracket = [new Point(0, f, g, gtd), new Point(t, fNew, gNew, gtdNew)];

        // Zoom: shrink the bracket around a point that satisfies both conditions.
        bool insufficientProgress = false;
        var (low, high) = bracket[0].F <= bracket[^1].F ? (0, 1) : (1, 0);
        while (!done && i < MaxIterations)
        {
            if (Math.Abs(bracket[1].T - bracket[0].T) * dNorm < ToleranceChange) break;
            double min = Math.Min(bracket[0].T, bracket[1].T), max = Math.Max(bracket[0].T, bracket[1].T);
            t = Cubic(bracket[0].T, bracket[0].F, bracket[0].Gtd, bracket[1].T, bracket[1].F, bracket[1].Gtd, min, max);
            // Too close to an end of the bracket twice in a row (or on it): move to a tenth of its width inside.
            double eps = 0.1 * (max - min);
            if (Math.Min(max - t, t - min) < eps)
            {
                if (insufficientProgress || t >= max || t <= min)
                {
                    t = Math.Abs(t - max) < Math.Abs(t - min) ? max - eps : min + eps;
                    insufficientProgress = false;
                }
                else
                {
                    insufficientProgress = true;
                }
            }
            else
            {
                insufficientProgress = false;
            }

            (fNew, gNew) = phi(t);
            evals++;
            gtdNew = TensorPrimitives.Dot<double>(gNew, d);
            i++;
            var point = new Point(t, fNew, gNew, gtdNew);
            if (fNew > f + C1 * t * gtd || fNew >= bracket[low].F)
            {
                bracket[high] = point;
                (low, high) = bracket[0].F <= bracket[1].F ? (0, 1) : (1, 0);
            }
            else
            {
                if (Math.Abs(gtdNew) <= -C2 * gtd) done = true;
                else if (gtdNew * (bracket[high].T - bracket[low].T) >= 0) bracket[high] = bracket[low];
                bracket[low] = point;
            }
        }
        Point best = bracket[low];
        return (best.F, best.G, best.T, evals);
    }

    /// <summary>
    /// The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to [lo, hi]; the middle
    /// of [lo, hi] when the cubic has no minimiser.
    /// </summary>
    internal static double Cubic(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi)
    {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2Square = d1 * d1 - g1 * g2;
        if (!(d2Square >= 0)) return (lo + hi) / 2;
        double d2 = Math.Sqrt(d2Square);
        double m = x1 <= x2
            ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
            : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
        return Math.Min(Math.Max(m, lo), hi);
    }

    /// <summary>The largest absolute element (0 for an empty vector).</summary>
    internal static double MaxAbs(ReadOnlySpan<double> x) => x.IsEmpty ? 0 : Math.Abs(TensorPrimitives.MaxMagnitude(x));
}
