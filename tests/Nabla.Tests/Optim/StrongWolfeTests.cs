using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>The cubic interpolation of the strong-Wolfe line search, and the search on a one-dimensional function.</summary>
public class StrongWolfeTests
{
    [Fact]
    public void Cubic_CubicThroughTwoPoints_ReturnsItsMinimiser()
    {
        // f(x) = x^3 - 3x: f' = 3x^2 - 3, local minimum at x = 1.
        static double F(double x) => x * x * x - 3 * x;
        static double G(double x) => 3 * x * x - 3;
        Assert.Equal(1.0, StrongWolfe.Cubic(0, F(0), G(0), 2, F(2), G(2), 0, 2), 14);
        Assert.Equal(1.0, StrongWolfe.Cubic(2, F(2), G(2), 0.5, F(0.5), G(0.5), 0, 2), 14);
    }

    [Fact]
    public void Cubic_MinimiserOutsideTheBounds_IsClamped()
    {
        // f(x) = (x - 5)^2 seen from [0, 1]: the minimiser 5 is clamped to the upper bound.
        Assert.Equal(1.0, StrongWolfe.Cubic(0, 25, -10, 1, 16, -8, 0, 1), 14);
    }

    [Fact]
    public void Cubic_NoRealMinimiser_ReturnsTheMiddleOfTheBounds()
    {
        // d1 = g1 + g2 - 3 (f1 - f2) / (x1 - x2) = 0 and g1 g2 > 0, so d1^2 - g1 g2 < 0.
        Assert.Equal(0.75, StrongWolfe.Cubic(0, 0, 10, 1, 20.0 / 3, 10, 0.5, 1.0));
    }

    [Fact]
    public void Search_Parabola_ReturnsAStepSatisfyingTheStrongWolfeConditions()
    {
        // phi(a) = (a - 3)^2 along d = 1 from x = 0: f = 9, g = -6, gtd = -6.
        int calls = 0;
        (double, double[]) Phi(double a) { calls++; return ((a - 3) * (a - 3), [2 * (a - 3)]); }
        var (loss, grad, step, evals) = StrongWolfe.Search(Phi, 1.0, [1.0], 9.0, [-6.0], -6.0);
        Assert.Equal(calls, evals);
        Assert.True(loss <= 9.0 + 1e-4 * step * -6.0, "sufficient decrease");
        Assert.True(Math.Abs(grad[0]) <= 0.9 * 6.0, "curvature");
        Assert.Equal((step - 3) * (step - 3), loss, 15);
    }
}
