using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

public class GemmTests
{
    private static readonly int[] Sizes = [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 200, 513];

    /// <summary>(m, n, k) triples: every listed size on each axis with the others held at awkward sizes, plus cubes.</summary>
    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        var seen = new HashSet<(int, int, int)>();
        void Add(int m, int n, int k)
        {
            if (seen.Add((m, n, k))) data.Add(m, n, k);
        }
        foreach (int s in Sizes)
        {
            if (s <= 200) Add(s, s, s);
            Add(s, 17, 33);
            Add(15, s, 64);
            Add(65, 31, s);
        }
        Add(513, 65, 200);
        Add(33, 513, 127);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Multiply_AllTranspositionsBetasAndPaths_MatchesNaiveProduct(int m, int n, int k)
    {
        foreach (GemmPath path in new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    Check<float>(m, n, k, ta, tb, alpha: 1, beta: 0, pad: 0, maxThreads: 1, path, seed: m * 7919 + n * 31 + k);
                    Check<double>(m, n, k, ta, tb, alpha: 1, beta: 1, pad: 0, maxThreads: 1, path, seed: m + n + k);
                }
    }

    [Theory]
    [InlineData(17, 33, 65)]
    [InlineData(64, 64, 64)]
    [InlineData(127, 200, 31)]
    [InlineData(300, 3, 40)] // narrow C: computed as Cᵀ = op(B)ᵀ·op(A)ᵀ
    [InlineData(2, 100, 70)]
    [InlineData(1, 100, 70)] // matrix-vector products
    [InlineData(90, 1, 50)]
    [InlineData(1, 1, 9)]
    public void Multiply_StridedLeadingDimensionsAndScaling_MatchesNaiveProduct(int m, int n, int k)
    {
        foreach (GemmPath path in new[] { GemmPath.Auto, GemmPath.Vector256, GemmPath.Scalar })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                {
                    Check<float>(m, n, k, ta, tb, alpha: 1, beta: 1, pad: 5, maxThreads: 1, path, seed: 1);
                    Check<float>(m, n, k, ta, tb, alpha: -1.5, beta: 0.25, pad: 3, maxThreads: 1, path, seed: 2);
                    Check<double>(m, n, k, ta, tb, alpha: 0.5, beta: 0, pad: 7, maxThreads: 1, path, seed: 3);
                    Check<double>(m, n, k, ta, tb, alpha: 2, beta: -1, pad: 1, maxThreads: 1, path, seed: 4);
                }
    }

    [Theory]
    [InlineData(200, 200, 200)]
    [InlineData(513, 65, 127)]
    [InlineData(33, 513, 200)]
    [InlineData(1, 1024, 1024)]
    [InlineData(600, 1, 2000)]
    [InlineData(800, 40, 64)]
    [InlineData(30, 1000, 50)]
    public void Multiply_Multithreaded_MatchesNaiveProduct(int m, int n, int k)
    {
        Assert.True((long)m * n * k >= Gemm.ParallelThreshold, "shape should be large enough to split");
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                Check<float>(m, n, k, ta, tb, alpha: 1, beta: 0, pad: 2, maxThreads: 0, GemmPath.Auto, seed: 5);
                Check<double>(m, n, k, ta, tb, alpha: 1, beta: 1, pad: 0, maxThreads: 2, GemmPath.Auto, seed: 6);
            }
    }

    [Fact]
    public void Multiply_ConcurrentCallers_AllMatchNaiveProduct()
    {
        // Only one product at a time gets the helper threads; the others fall back to the thread pool.
        Parallel.For(0, 6, i => Check<float>(150 + i, 140, 120, i % 2 == 0, i % 3 == 0, alpha: 1, beta: 0, pad: 1, maxThreads: 0, GemmPath.Auto, seed: i));
    }

    [Fact]
    public void GemmThreads_BandThrows_RethrowsOnCallerAndRecovers()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => GemmThreads.For(2, i =>
        {
            if (i == 1) throw new InvalidOperationException("band 1 failed");
        }));
        Assert.Equal("band 1 failed", ex.Message);
        int[] seen = new int[5];
        GemmThreads.For(5, i => Interlocked.Increment(ref seen[i]));
        Assert.All(seen, v => Assert.Equal(1, v));
    }

    [Fact]
    public void Multiply_KZero_ScalesCByBeta()
    {
        float[] c = [1, 2, 3, 4];
        Gemm.Multiply<float>(false, false, 2, 2, 0, 1, [], 0, [], 2, 3, c, 2);
        Assert.Equal([3f, 6f, 9f, 12f], c);
        float[] d = [float.NaN, 1, 2, float.NaN];
        Gemm.Multiply<float>(false, false, 2, 2, 0, 1, [], 0, [], 2, 0, d, 2);
        Assert.Equal([0f, 0f, 0f, 0f], d);
    }

    [Fact]
    public void Multiply_BetaZero_IgnoresNaNInC()
    {
        foreach (GemmPath path in new[] { GemmPath.Vector512, GemmPath.Vector256, GemmPath.Scalar })
        {
            float[] c = Enumerable.Repeat(float.NaN, 40 * 40).ToArray();
            float[] a = Enumerable.Repeat(1f, 40 * 3).ToArray(), b = Enumerable.Repeat(2f, 3 * 40).ToArray();
            Gemm.Multiply<float>(false, false, 40, 40, 3, 1, a, 3, b, 40, 0, c, 40, path: path);
            Assert.All(c, v => Assert.Equal(6f, v));
        }
    }

    [Fact]
    public void Multiply_ZeroLeadingDimension_ReadsOneRowForAll()
    {
        float[] a = [1, 2], b = [3, 4, 5, 6], c = new float[6];
        Gemm.Multiply<float>(false, false, 3, 2, 2, 1, a, 0, b, 2, 0, c, 2);
        Assert.Equal([13f, 16f, 13f, 16f, 13f, 16f], c);
    }

    [Fact]
    public void Multiply_BufferTooSmall_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply<float>(false, false, 2, 2, 2, 1, new float[3], 2, new float[4], 2, 0, new float[4], 2));
        Assert.Contains("operand A", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply<float>(false, false, 2, 3, 2, 1, new float[4], 2, new float[6], 3, 0, new float[6], 2));
    }

    [Theory]
    [InlineData(4, 15, 17, 33, 1)]
    [InlineData(6, 64, 40, 72, 0)]
    [InlineData(3, 200, 190, 210, 0)]
    public void MultiplyBatched_SharedAndDistinctOperands_MatchesEachItem(int batches, int m, int n, int k, int maxThreads)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (bool shareA in new[] { false, true })
                {
                    var rng = new Random(batches * 100 + m);
                    int aSize = m * k, bSize = k * n, cSize = m * n;
                    float[] a = Random<float>(rng, aSize * batches), b = Random<float>(rng, bSize * batches + 3);
                    float[] c = Random<float>(rng, cSize * batches), c0 = (float[])c.Clone();
                    int[] offA = Enumerable.Range(0, batches).Select(i => shareA ? 0 : i * aSize).ToArray();
                    int[] offB = Enumerable.Range(0, batches).Select(i => shareA ? 3 + i * bSize : 0).ToArray();
                    int[] offC = Enumerable.Range(0, batches).Select(i => (batches - 1 - i) * cSize).ToArray();
                    int lda = ta ? m : k, ldb = tb ? k : n;
                    Gemm.MultiplyBatched<float>(ta, tb, m, n, k, 1, a, offA, lda, b, offB, ldb, 1, c, offC, n, maxThreads);
                    for (int i = 0; i < batches; i++)
                    {
                        double[] expected = Naive(ta, tb, m, n, k, 1, a, offA[i], lda, b, offB[i], ldb, 1, c0, offC[i], n, out double[] scale);
                        AssertClose(expected, scale, c, offC[i], n, m, n, k, 6e-8, $"batch {i} ta={ta} tb={tb} shareA={shareA}");
                    }
                }
    }

    private static void Check<T>(int m, int n, int k, bool ta, bool tb, double alpha, double beta, int pad, int maxThreads, GemmPath path, int seed)
        where T : unmanaged, INumber<T>
    {
        var rng = new Random(seed);
        int rowsA = ta ? k : m, colsA = ta ? m : k, rowsB = tb ? n : k, colsB = tb ? k : n;
        int lda = colsA + pad, ldb = colsB + pad, ldc = n + pad;
        int offA = pad, offB = 2 * pad, offC = pad;
        T[] a = Random<T>(rng, offA + rowsA * lda), b = Random<T>(rng, offB + rowsB * ldb);
        T[] c = Random<T>(rng, offC + m * ldc + pad);
        if (beta == 0) Array.Fill(c, T.CreateTruncating(double.NaN), offC, m * ldc);
        T[] c0 = (T[])c.Clone();
        Gemm.Multiply(ta, tb, m, n, k, T.CreateTruncating(alpha), a.AsSpan(offA), lda, b.AsSpan(offB), ldb, T.CreateTruncating(beta),
            c.AsSpan(offC), ldc, maxThreads, path);
        double[] expected = Naive(ta, tb, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c0, offC, ldc, out double[] scale);
        double eps = typeof(T) == typeof(float) ? 6e-8 : 1.2e-16;
        string what = $"{typeof(T).Name} m={m} n={n} k={k} ta={ta} tb={tb} alpha={alpha} beta={beta} pad={pad} path={path}";
        AssertClose(expected, scale, c, offC, ldc, m, n, k, eps, what);
        // Elements outside the m x n block (the padding between rows and around C) are untouched.
        for (int i = 0; i < c.Length; i++)
        {
            int r = (i - offC) / Math.Max(ldc, 1), col = (i - offC) - r * ldc;
            bool inside = i >= offC && r < m && col < n;
            if (!inside && !(T.IsNaN(c[i]) && T.IsNaN(c0[i])))
                Assert.True(c[i] == c0[i], $"{what}: element {i} outside C changed");
        }
    }

    /// <summary>Naive triple loop in double; <paramref name="scale"/> is Σ|alpha·a·b| + |beta·c| per element, the error scale.</summary>
    private static double[] Naive<T>(bool ta, bool tb, int m, int n, int k, double alpha, T[] a, int offA, int lda, T[] b, int offB, int ldb,
        double beta, T[] c, int offC, int ldc, out double[] scale)
        where T : unmanaged, INumber<T>
    {
        var result = new double[m * n];
        scale = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = double.CreateTruncating(ta ? a[offA + p * lda + i] : a[offA + i * lda + p]);
                    double y = double.CreateTruncating(tb ? b[offB + j * ldb + p] : b[offB + p * ldb + j]);
                    sum += x * y;
                    abs += Math.Abs(x * y);
                }
                double old = beta == 0 ? 0 : double.CreateTruncating(c[offC + i * ldc + j]);
                result[i * n + j] = alpha * sum + beta * old;
                scale[i * n + j] = Math.Abs(alpha) * abs + Math.Abs(beta * old);
            }
        return result;
    }

    private static void AssertClose<T>(double[] expected, double[] scale, T[] c, int offC, int ldc, int m, int n, int k, double eps, string what)
        where T : unmanaged, INumber<T>
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double got = double.CreateTruncating(c[offC + i * ldc + j]);
                double want = expected[i * n + j];
                double tol = 2 * (k + 2) * eps * scale[i * n + j] + 1e-30;
                if (!(Math.Abs(got - want) <= tol))
                    Assert.Fail($"{what}: C[{i},{j}] = {got}, expected {want} (tolerance {tol})");
            }
    }

    private static T[] Random<T>(Random rng, int count) where T : INumber<T>
    {
        var x = new T[count];
        for (int i = 0; i < count; i++) x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return x;
    }
}
