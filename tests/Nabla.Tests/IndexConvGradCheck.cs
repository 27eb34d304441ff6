namespace Nabla.Tests;

/// <summary>
/// Float64 central finite differences for the indexing, convolution and pooling tests: first derivatives
/// (vector-Jacobian products) and Hessian-vector products through double backward; and their value comparison.
/// </summary>
internal static class IndexConvGradCheck
{
    private const double Step = 1e-6;
    private const double Tolerance = 1e-6;

    /// <summary>Float64 standard-normal leaf that requires a gradient.</summary>
    public static Tensor Leaf(Generator gen, params int[] shape) => Tensor.Randn(shape, DType.Float64, gen, requiresGrad: true);

    /// <summary>
    /// Checks d/dx sum(f(x) * r) for a random upstream r against central differences, for every input that
    /// requires a gradient (inputs must be contiguous float64 leaves).
    /// </summary>
    public static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        Tensor y = f(inputs);
        Tensor r = Tensor.Randn(y.Shape.ToArray(), DType.Float64, new Generator(1234));
        Tensor[] wrt = inputs.Where(t => t.RequiresGrad).ToArray();
        Tensor?[] grads = Autograd.Grad([(y * r).Sum()], wrt, allowUnused: true);
        double Loss()
        {
            using (Autograd.NoGrad()) return (f(inputs) * r).Sum().Item();
        }
        for (int k = 0; k < wrt.Length; k++)
        {
            double[] analytic = grads[k]?.ToDoubleArray() ?? new double[wrt[k].Numel];
            Assert.Equal(wrt[k].Shape, grads[k]?.Shape ?? wrt[k].Shape);
            double[] data = wrt[k].Data<double>();
            for (int i = 0; i < analytic.Length; i++)
            {
                int at = wrt[k].Offset + i;
                double saved = data[at];
                data[at] = saved + Step;
                double plus = Loss();
                data[at] = saved - Step;
                double minus = Loss();
                data[at] = saved;
                double numeric = (plus - minus) / (2 * Step);
                Assert.True(Math.Abs(analytic[i] - numeric) <= Tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"input {k} element {i}: analytic {analytic[i]} vs numeric {numeric}");
            }
        }
    }

    /// <summary>
    /// Checks the Hessian-vector product of L = sum(f(x) * r), computed by double backward
    /// (<c>Autograd.Grad(..., createGraph: true)</c>), against central differences of the gradient along v.
    /// </summary>
    public static void CheckSecondOrder(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var gen = new Generator(99);
        Tensor r = Tensor.Randn(f(inputs).Shape.ToArray(), DType.Float64, gen);
        Tensor[] v = inputs.Select(x => Tensor.Randn(x.Shape.ToArray(), DType.Float64, gen)).ToArray();

        Tensor?[] g = Autograd.Grad([(f(inputs) * r).Sum()], inputs, createGraph: true);
        Tensor s = Tensor.Scalar(0.0, dtype: DType.Float64);
        for (int k = 0; k < inputs.Length; k++) s = s + (g[k]! * v[k]).Sum();
        Tensor?[] hvp = Autograd.Grad([s], inputs, allowUnused: true);

        double[][] Gradient(double sign)
        {
            for (int k = 0; k < inputs.Length; k++) Shift(inputs[k], v[k], sign * Step);
            Tensor?[] gs = Autograd.Grad([(f(inputs) * r).Sum()], inputs, allowUnused: true);
            for (int k = 0; k < inputs.Length; k++) Shift(inputs[k], v[k], -sign * Step);
            return gs.Select((t, k) => t?.ToDoubleArray() ?? new double[inputs[k].Numel]).ToArray();
        }
        double[][] plus = Gradient(1), minus = Gradient(-1);
        bool nonZero = false;
        for (int k = 0; k < inputs.Length; k++)
        {
            double[] analytic = hvp[k]?.ToDoubleArray() ?? new double[inputs[k].Numel];
            for (int i = 0; i < analytic.Length; i++)
            {
                double numeric = (plus[k][i] - minus[k][i]) / (2 * Step);
                nonZero |= Math.Abs(numeric) > 1e-3;
                Assert.True(Math.Abs(analytic[i] - numeric) <= Tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"hvp block {k} element {i}: analytic {analytic[i]} vs numeric {numeric}");
            }
        }
        Assert.True(nonZero, "the Hessian-vector product is identically zero; the check would be vacuous");
    }

    /// <summary>Asserts that every element of <paramref name="actual"/> is within 1e-12 (relative above 1) of <paramref name="expected"/>.</summary>
    public static void AssertClose(double[] expected, Tensor actual)
    {
        double[] a = actual.ToDoubleArray();
        Assert.Equal(expected.Length, a.Length);
        for (int i = 0; i < a.Length; i++)
            Assert.True(Math.Abs(expected[i] - a[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])), $"element {i}: expected {expected[i]}, got {a[i]}");
    }

    private static void Shift(Tensor x, Tensor direction, double by)
    {
        double[] data = x.Data<double>();
        double[] d = direction.ToDoubleArray();
        for (int i = 0; i < d.Length; i++) data[x.Offset + i] += by * d[i];
    }
}
