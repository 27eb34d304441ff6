using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>Helpers of the optimizer and scheduler tests: float64 parameters with gradients, value and schedule checks.</summary>
internal static class StepAssert
{
    /// <summary>A float64 leaf that requires a gradient.</summary>
    public static Tensor Param(params double[] values) => Tensor.From(values, [values.Length], requiresGrad: true, dtype: DType.Float64);

    /// <summary>Sets the gradient of <paramref name="p"/> (float64, its shape) and returns it.</summary>
    public static Tensor WithGrad(Tensor p, params double[] grad)
    {
        p.Grad = Tensor.From(grad, p.Shape.ToArray(), dtype: DType.Float64);
        return p;
    }

    /// <summary>Asserts every element within a relative tolerance (absolute below 1).</summary>
    public static void AssertValues(double[] expected, Tensor actual, double tol = 1e-15)
    {
        double[] got = actual.ToDoubleArray();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - got[i]) <= tol * Math.Max(1, Math.Abs(expected[i])), $"[{i}]: expected {expected[i]:R}, got {got[i]:R}");
    }

    /// <summary>An SGD optimizer over one float64 parameter.</summary>
    public static Sgd Sgd(double lr, double momentum = 0) => new([Param(0.0)], lr: lr, momentum: momentum);

    /// <summary>The learning rates used by optimizer steps 1..steps (index t = the value before step t+1).</summary>
    public static double[] Run(Optimizer optimizer, Action step, int steps, Func<ParamGroup, double>? read = null)
    {
        read ??= g => g.Lr;
        var values = new double[steps];
        for (int t = 0; t < steps; t++)
        {
            values[t] = read(optimizer.ParamGroups[0]);
            optimizer.Step();
            step();
        }
        return values;
    }

    /// <summary>The learning rates of <paramref name="scheduler"/> over <paramref name="steps"/> steps.</summary>
    public static double[] Run(LrScheduler scheduler, int steps, Func<ParamGroup, double>? read = null)
        => Run(scheduler.Optimizer, scheduler.Step, steps, read);

    /// <summary>Asserts <paramref name="actual"/>[t] equals <paramref name="expected"/>(t) for every t.</summary>
    public static void AssertSchedule(Func<int, double> expected, double[] actual, double rtol = 1e-12)
    {
        for (int t = 0; t < actual.Length; t++)
            Assert.True(Math.Abs(actual[t] - expected(t)) <= 1e-15 + rtol * Math.Abs(expected(t)), $"t = {t}: expected {expected(t):R}, got {actual[t]:R}");
    }
}
