namespace Nabla.Tests;

/// <summary>
/// Float64 central finite-difference checks of first derivatives (vector-Jacobian products) and of
/// Hessian-vector products, for the Functional ops' tests.
/// </summary>
internal static class FunctionalGradCheck
{
    private const double Step = 1e-6;
    private const double RelativeTolerance = 1e-6;
    private const double AbsoluteTolerance = 1e-7;

    /// <summary>A float64 tensor of standard normal values from a fixed seed.</summary>
    public static Tensor Randn(ulong seed, params int[] shape) => Tensor.Randn(shape, DType.Float64, new Generator(seed));

    /// <summary>A float64 leaf that requires a gradient, holding standard normal values from a fixed seed.</summary>
    public static Tensor Param(ulong seed, params int[] shape) => Tensor.Randn(shape, DType.Float64, new Generator(seed), requiresGrad: true);

    /// <summary>
    /// Asserts that the gradient autograd gives for <c>sum(f(inputs) * v)</c> (v a fixed random upstream gradient)
    /// matches a central difference, for every input that requires a gradient. Other inputs are constants.
    /// </summary>
    public static void AssertGradients(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        Tensor y = f(inputs);
        Assert.Equal(DType.Float64, y.DType);
        Tensor v = Randn(977, y.Shape.ToArray());
        int[] diff = Enumerable.Range(0, inputs.Length).Where(k => inputs[k].RequiresGrad).ToArray();
        Assert.NotEmpty(diff);
        Tensor?[] analytic = Autograd.Grad([y], diff.Select(k => inputs[k]).ToArray(), [v], allowUnused: true);
        for (int j = 0; j < diff.Length; j++)
        {
            int k = diff[j];
            double[] data = inputs[k].ToDoubleArray();
            double[] actual = analytic[j]?.ToDoubleArray() ?? new double[data.Length];
            Assert.Equal(data.Length, actual.Length);
            for (int i = 0; i < data.Length; i++)
            {
                double saved = data[i];
                data[i] = saved + Step;
                double plus = Objective(f, inputs, k, data, v);
                data[i] = saved - Step;
                double minus = Objective(f, inputs, k, data, v);
                data[i] = saved;
                double numeric = (plus - minus) / (2 * Step);
                AssertClose(numeric, actual[i], $"input {k}, element {i}");
            }
        }
    }

    /// <summary>
    /// Asserts that double backward (<c>grad(sum(grad(f) * v))</c>) matches the central difference of the gradient
    /// along v, for a scalar <paramref name="f"/> of every input that requires a gradient.
    /// </summary>
    public static void AssertHessianVectorProduct(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        Tensor[] xs = inputs.Where(t => t.RequiresGrad).ToArray();
        Tensor[] vs = xs.Select((x, i) => Randn(500 + (ulong)i, x.Shape.ToArray())).ToArray();
        Tensor[] g = Autograd.Grad([f(inputs)], xs, createGraph: true).Select(t => t!).ToArray();
        Tensor s = (g[0] * vs[0]).Sum();
        for (int i = 1; i < xs.Length; i++) s += (g[i] * vs[i]).Sum();
        Tensor?[] hvp = Autograd.Grad([s], xs, allowUnused: true);

        double[][] plus = GradientAt(f, inputs, vs, Step), minus = GradientAt(f, inputs, vs, -Step);
        for (int i = 0; i < xs.Length; i++)
        {
            double[] actual = hvp[i]?.ToDoubleArray() ?? new double[plus[i].Length];
            for (int e = 0; e < actual.Length; e++)
                AssertClose((plus[i][e] - minus[i][e]) / (2 * Step), actual[e], $"hvp block {i}, element {e}");
        }
    }

    /// <summary>Asserts every element of <paramref name="t"/> is finite.</summary>
    public static void AssertFinite(Tensor t)
    {
        foreach (double x in t.ToDoubleArray()) Assert.True(double.IsFinite(x), $"non-finite value {x} in {t}");
    }

    /// <summary>Asserts two arrays agree elementwise within <c>atol + rtol*|expected|</c>.</summary>
    public static void AssertAll(double[] expected, Tensor actual, double rtol = 1e-12, double atol = 1e-12)
    {
        double[] a = actual.ToDoubleArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(a[i] - expected[i]) <= atol + rtol * Math.Abs(expected[i]), $"element {i}: expected {expected[i]:R}, got {a[i]:R}");
    }

    private static double[][] GradientAt(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor[] vs, double step)
    {
        var moved = new Tensor[inputs.Length];
        var xs = new List<Tensor>();
        for (int k = 0, j = 0; k < inputs.Length; k++)
        {
            if (!inputs[k].RequiresGrad) { moved[k] = inputs[k]; continue; }
            Tensor m;
            using (Autograd.NoGrad()) m = (inputs[k] + vs[j++] * step).Detach();
            m.RequiresGrad = true;
            moved[k] = m;
            xs.Add(m);
        }
        return Autograd.Grad([f(moved)], xs).Select(t => t!.ToDoubleArray()).ToArray();
    }

    private static double Objective(Func<Tensor[], Tensor> f, Tensor[] inputs, int k, double[] data, Tensor v)
    {
        var replaced = (Tensor[])inputs.Clone();
        replaced[k] = Tensor.From(data, inputs[k].Shape.ToArray(), dtype: DType.Float64);
        using (Autograd.NoGrad()) return (f(replaced) * v).Sum().Item();
    }

    private static void AssertClose(double expected, double actual, string where)
    {
        Assert.True(double.IsFinite(actual), $"{where}: non-finite gradient {actual}");
        Assert.True(Math.Abs(actual - expected) <= AbsoluteTolerance + RelativeTolerance * Math.Abs(expected),
            $"{where}: autograd {actual:R}, finite difference {expected:R}");
    }
}
