using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>
/// The sampling ops (Ops/Sampling.cs): frequencies and moments against their distributions, reproducibility by seed,
/// and errors. Every statistical bound is 5 standard deviations of the statistic (a fresh seed would exceed one with
/// probability below 6e-7); the seeds are fixed, so the tests are deterministic.
/// </summary>
public class SamplingTests
{
    private const double Sigmas = 5;

    /// <summary>Asserts that <paramref name="count"/> successes of <paramref name="n"/> trials fit probability <paramref name="p"/>.</summary>
    private static void AssertBinomial(double p, int n, long count, string what)
    {
        double sd = Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(count - n * p) <= Sigmas * sd, $"{what}: {count} of {n}, expected {n * p:F1} ± {Sigmas * sd:F1}");
    }

    private static long[] Counts(long[] draws, int categories)
    {
        var counts = new long[categories];
        foreach (long d in draws) counts[d]++;
        return counts;
    }

    [Fact]
    public void Multinomial_WithReplacement_FrequenciesFollowUnnormalisedWeights()
    {
        const int n = 40_000;
        double[] w = [1, 0, 2, 3, 0, 4];
        long[] draws = Tensor.From(w, dtype: DType.Float64).Multinomial(n, replacement: true, new Generator(1)).ToArray<long>();
        long[] counts = Counts(draws, w.Length);
        for (int i = 0; i < w.Length; i++) AssertBinomial(w[i] / 10, n, counts[i], $"category {i}");
        Assert.Equal(0, counts[1] + counts[4]);
    }

    [Fact]
    public void Multinomial_WithoutReplacement_DrawsDistinctCategoriesInSequentialOrder()
    {
        // Rows of one distribution: the first draw follows p; the second follows Σ_{i≠j} p_i·p_j/(1 - p_i).
        const int rows = 20_000;
        double[] p = [0.1, 0.2, 0.3, 0.4];
        Tensor weights = Tensor.From(p, [1, 4], dtype: DType.Float32).Expand(rows, 4);
        Tensor y = weights.Multinomial(2, generator: new Generator(2));
        Assert.Equal([rows, 2], y.Shape.ToArray());
        long[] d = y.ToArray<long>();
        var first = new long[4];
        var second = new long[4];
        for (int r = 0; r < rows; r++)
        {
            Assert.NotEqual(d[2 * r], d[2 * r + 1]);
            first[d[2 * r]]++;
            second[d[2 * r + 1]]++;
        }
        for (int j = 0; j < 4; j++)
        {
            AssertBinomial(p[j], rows, first[j], $"first draw {j}");
            double q = 0;
            for (int i = 0; i < 4; i++) if (i != j) q += p[i] * p[j] / (1 - p[i]);
            AssertBinomial(q, rows, second[j], $"second draw {j}");
        }
    }

    [Fact]
    public void Multinomial_AllCategoriesWithoutReplacement_IsAPermutation()
    {
        long[] d = Tensor.From([0.5, 1, 2, 3, 4], dtype: DType.Float64).Multinomial(5, generator: new Generator(3)).ToArray<long>();
        Assert.Equal([0L, 1, 2, 3, 4], d.Order());
    }

    [Fact]
    public void Multinomial_SameSeed_SameDraws()
    {
        Tensor w = Tensor.From([1.0, 2, 3, 4, 5, 6], [2, 3], dtype: DType.Float64);
        Assert.Equal(w.Multinomial(3, true, new Generator(4)).ToArray<long>(), w.Multinomial(3, true, new Generator(4)).ToArray<long>());
        Assert.Equal(w.Multinomial(2, false, new Generator(5)).ToArray<long>(), w.Multinomial(2, false, new Generator(5)).ToArray<long>());
    }

    [Fact]
    public void Multinomial_MoreSamplesThanNonZeroWeightsWithoutReplacement_ErrorSaysHowMany()
    {
        Tensor w = Tensor.From([1.0, 0, 2, 3, 0, 0], [2, 3], dtype: DType.Float64);
        var ex = Assert.Throws<ArgumentException>(() => w.Multinomial(2));
        AssertMessage(ex, "multinomial", "2 samples", "row 1", "only 1 categories of non-zero weight", "replacement: true");
        Assert.Equal([2, 2], w.Multinomial(2, replacement: true).Shape.ToArray());
    }

    [Theory]
    [InlineData(new[] { 1.0, -0.5 }, "non-negative")]
    [InlineData(new[] { 1.0, double.NaN }, "non-negative")]
    [InlineData(new[] { 1.0, double.PositiveInfinity }, "finite")]
    [InlineData(new[] { 0.0, 0.0 }, "sum to 0")]
    public void Multinomial_InvalidWeights_Throw(double[] w, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.From(w, dtype: DType.Float64).Multinomial(1));
        AssertMessage(ex, "multinomial", expected);
    }

    [Fact]
    public void Multinomial_BadShapeCountOrDType_Throws()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 2, 2], DType.Float64).Multinomial(1)), "multinomial", "[2, 2, 2]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Ones([3], DType.Float64).Multinomial(0)), "multinomial", "num_samples", "0");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Ones([3], DType.Int64).Multinomial(1)), "multinomial", "int64");
    }

    [Fact]
    public void Bernoulli_Frequencies_FollowEachProbability()
    {
        const int n = 20_000;
        double[] p = [0, 0.05, 0.5, 0.9, 1];
        Tensor probs = Tensor.From(p, [1, 5], dtype: DType.Float64).Expand(n, 5);
        Tensor y = probs.Bernoulli(new Generator(6));
        Assert.Equal(DType.Float64, y.DType);
        double[] v = y.ToDoubleArray();
        Assert.All(v, x => Assert.True(x is 0 or 1));
        for (int j = 0; j < p.Length; j++)
        {
            long count = 0;
            for (int i = 0; i < n; i++) count += (long)v[i * p.Length + j];
            AssertBinomial(p[j], n, count, $"p = {p[j]}");
        }
    }

    [Fact]
    public void Bernoulli_ScalarProbability_KeepsShapeAndDType()
    {
        Tensor y = Tensor.Zeros([50_000], DType.Float32).Bernoulli(0.25, new Generator(7));
        Assert.Equal(DType.Float32, y.DType);
        AssertBinomial(0.25, 50_000, (long)y.Sum().Item(), "p = 0.25");
        Assert.False(y.RequiresGrad);
    }

    [Fact]
    public void Bernoulli_ProbabilityOutsideUnitInterval_Throws()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.From([0.5, 1.5], dtype: DType.Float64).Bernoulli()), "bernoulli", "[0, 1]", "1.5");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2], DType.Float64).Bernoulli(-0.1)), "bernoulli", "-0.1");
    }

    [Fact]
    public void RandPerm_IsAPermutationFixedBySeed()
    {
        long[] a = Tensor.RandPerm(100, new Generator(8)).ToArray<long>();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), a.Order());
        Assert.Equal(a, Tensor.RandPerm(100, new Generator(8)).ToArray<long>());
        Assert.NotEqual(a, Tensor.RandPerm(100, new Generator(9)).ToArray<long>());
        Assert.Equal([0], Tensor.RandPerm(0).Shape.ToArray());
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.RandPerm(-1)), "randperm", "-1");
    }

    [Fact]
    public void Normal_TensorMeansAndStds_HaveTheirMoments()
    {
        // Sample mean: sd σ/√n. Sample variance: sd ≈ σ²·√(2/(n-1)).
        const int n = 40_000;
        double[] mean = [-1, 0, 5], std = [0.5, 1, 2];
        Tensor y = Tensor.Normal(Tensor.From(mean, dtype: DType.Float64).Expand(n, 3), Tensor.From(std, dtype: DType.Float64), new Generator(10));
        Assert.Equal([n, 3], y.Shape.ToArray());
        double[] v = y.ToDoubleArray();
        for (int j = 0; j < 3; j++)
        {
            double m = 0, s2 = 0;
            for (int i = 0; i < n; i++) m += v[i * 3 + j];
            m /= n;
            for (int i = 0; i < n; i++) s2 += (v[i * 3 + j] - m) * (v[i * 3 + j] - m);
            s2 /= n - 1;
            Assert.True(Math.Abs(m - mean[j]) <= Sigmas * std[j] / Math.Sqrt(n), $"mean {j}: {m}");
            double var = std[j] * std[j];
            Assert.True(Math.Abs(s2 - var) <= Sigmas * var * Math.Sqrt(2.0 / (n - 1)), $"variance {j}: {s2}");
        }
    }

    [Fact]
    public void Normal_ScalarForms_ShapeDTypeAndZeroStd()
    {
        Tensor a = Tensor.Normal(2.0, 3.0, [4, 5], DType.Float64, new Generator(11));
        Assert.Equal([4, 5], a.Shape.ToArray());
        Assert.Equal(DType.Float64, a.DType);
        Tensor mean = Tensor.From([1.0, -2], dtype: DType.Float32);
        mean.RequiresGrad = true;
        Tensor b = Tensor.Normal(mean, 0.0);
        Assert.Equal([1f, -2f], b.ToArray<float>());
        Assert.False(b.RequiresGrad);
        Tensor c = Tensor.Normal(3.0, Tensor.Zeros([2], DType.Float64));
        Assert.Equal([3.0, 3.0], c.ToArray<double>());
        Assert.Equal(a.ToArray<double>(), Tensor.Normal(2.0, 3.0, [4, 5], DType.Float64, new Generator(11)).ToArray<double>());
    }

    [Fact]
    public void Normal_BadArguments_Throw()
    {
        Tensor m = Tensor.Zeros([2], DType.Float64);
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Normal(m, Tensor.From([1.0, -1], dtype: DType.Float64))), "normal", "std", "-1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Normal(m, Tensor.Ones([2], DType.Float32))), "normal", "float32", "float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Normal(m, Tensor.Ones([3], DType.Float64))), "normal", "[2]", "[3]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Normal(0, 1, [2], DType.Int64)), "normal", "int64");
    }
}
