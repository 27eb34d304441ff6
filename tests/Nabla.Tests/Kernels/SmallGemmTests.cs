using System.Numerics;
using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The plain-loop path for tiny products (Note [Small GEMM]): bit for bit a naive triple loop in the element type
/// (sums in order of p, no FMA), for every transposition, scaling, padding and odd size; and GEMM's automatic
/// path sends exactly the products that fit to it.
/// </summary>
public class SmallGemmTests
{
    public static TheoryData<int, int, int> TinyShapes() => new()
    {
        { 1, 1, 1 }, { 2, 3, 1 }, { 3, 2, 5 }, { 7, 9, 4 }, { 16, 16, 16 }, { 17, 15, 31 }, { 100, 16, 2 },
        { 100, 16, 16 }, { 16, 16, 100 }, { 5, 33, 7 }, { 3, 256, 2 }, { 31, 31, 31 }, { 2, 2, 0 },
    };

    [Theory]
    [MemberData(nameof(TinyShapes))]
    public void SmallPath_AnyLayoutAndScaling_IsBitIdenticalToNaiveLoop(int m, int n, int k)
    {
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int pad in new[] { 0, 3 })
                {
                    Check<float>(m, n, k, ta, tb, 1, 0, pad, GemmPath.Small, exact: true, seed: m * 31 + n + k);
                    Check<double>(m, n, k, ta, tb, 1, 0, pad, GemmPath.Small, exact: true, seed: m + n * 7 + k);
                    Check<float>(m, n, k, ta, tb, -1.5, 0.25, pad, GemmPath.Small, exact: true, seed: 3);
                    Check<double>(m, n, k, ta, tb, 0.5, 1, pad, GemmPath.Small, exact: true, seed: 4);
                }
    }

    [Theory]
    [InlineData(32, 32, 32)] // exactly MaxWork: small path
    [InlineData(33, 32, 32)] // just over: blocked kernels
    [InlineData(8, 257, 4)] // row wider than MaxN: blocked kernels
    [InlineData(100, 16, 16)]
    public void AutoPath_RoutesBySize_AndMatchesTheChosenKernelExactly(int m, int n, int k)
    {
        bool small = SmallGemm.Fits(m, n, k);
        Assert.Equal((long)m * n * k <= SmallGemm.MaxWork && n <= SmallGemm.MaxN, small);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                var rng = new Random(m + n + k);
                float[] a = Random<float>(rng, m * k), b = Random<float>(rng, k * n);
                float[] auto = new float[m * n], chosen = new float[m * n];
                int lda = ta ? m : k, ldb = tb ? k : n;
                Gemm.Multiply<float>(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, auto, n, maxThreads: 1);
                Gemm.Multiply<float>(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, chosen, n, maxThreads: 1, small ? GemmPath.Small : Gemm.BestPath);
                Assert.Equal(chosen, auto);
                // Whichever kernel ran, the result is within GEMM rounding of the naive product.
                Check<float>(m, n, k, ta, tb, 1, 0, 0, GemmPath.Auto, exact: false, seed: 9);
            }
    }

    [Fact]
    public unsafe void SmallPath_TransposedOutput_WritesCTransposed()
    {
        // GemmArgs.Swapped computes Cᵀ = op(B)ᵀ·op(A)ᵀ with C written transposed; the small path honours TransC.
        int m = 5, n = 7, k = 3;
        var rng = new Random(2);
        double[] a = Random<double>(rng, m * k), b = Random<double>(rng, k * n);
        double[] direct = new double[m * n], swapped = new double[m * n];
        fixed (double* pa = a, pb = b, pc = direct, ps = swapped)
        {
            var g = new GemmArgs<double>(false, false, m, n, k, 1, pa, k, pb, n, 0, pc, n);
            SmallGemm.Run(g);
            SmallGemm.Run(new GemmArgs<double>(false, false, m, n, k, 1, pa, k, pb, n, 0, ps, n).Swapped());
        }
        Assert.Equal(Naive<double>(false, false, m, n, k, 1, a, k, b, n, 0, new double[m * n], n), direct);
        Assert.Equal(direct, swapped);
    }

    [Fact]
    public void SmallPath_TooWideRow_IsRefusedWithTheLimit()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply<float>(false, false, 1 + 1, SmallGemm.MaxN + 1, 1, 1, new float[2], 1, new float[SmallGemm.MaxN + 1],
                SmallGemm.MaxN + 1, 0, new float[2 * (SmallGemm.MaxN + 1)], SmallGemm.MaxN + 1, 1, GemmPath.Small));
        Assert.Contains($"{SmallGemm.MaxN}", ex.Message);
    }

    [Fact]
    public void MatMul_TinyProductsAndGradients_MatchNaiveLoopExactly()
    {
        // Tensor.MatMul of tiny float64 matrices (the batched micrograd demo's shapes) goes through the small path, so
        // the product equals a naive loop in float64 bit for bit, forward and through MatMulBackward.
        var gen = new Generator(3);
        Tensor x = Tensor.Rand([100, 16], DType.Float64, gen) - 0.5;
        Tensor w = (Tensor.Rand([16, 16], DType.Float64, gen) - 0.5).Detach();
        w.RequiresGrad = true;
        Tensor y = x.MatMul(w);
        double[] xs = x.ToArray<double>(), ws = w.ToArray<double>();
        Assert.Equal(Naive<double>(false, false, 100, 16, 16, 1, xs, 16, ws, 16, 0, new double[1600], 16), y.ToArray<double>());
        y.Sum().Backward();
        // dL/dw = xᵀ·1: column sums of x, summed in order of the batch.
        double[] expected = Naive<double>(true, false, 16, 16, 100, 1, xs, 16, Enumerable.Repeat(1.0, 1600).ToArray(), 16, 0,
            new double[256], 16);
        Assert.Equal(expected, w.Grad!.ToArray<double>());
    }

    private static void Check<T>(int m, int n, int k, bool ta, bool tb, double alpha, double beta, int pad, GemmPath path, bool exact, int seed)
        where T : unmanaged, INumber<T>
    {
        var rng = new Random(seed);
        int rowsA = ta ? k : m, colsA = ta ? m : k, rowsB = tb ? n : k, colsB = tb ? k : n;
        int lda = colsA + pad, ldb = colsB + pad, ldc = n + pad;
        T[] a = Random<T>(rng, rowsA * lda + 1), b = Random<T>(rng, rowsB * ldb + 1);
        T[] c = Random<T>(rng, m * ldc + 1);
        if (beta == 0) Array.Fill(c, T.CreateTruncating(double.NaN), 0, m * ldc);
        T[] c0 = (T[])c.Clone();
        T al = T.CreateTruncating(alpha), be = T.CreateTruncating(beta);
        Gemm.Multiply(ta, tb, m, n, k, al, a, lda, b, ldb, be, c, ldc, 1, path);
        T[] expected = Naive(ta, tb, m, n, k, al, a, lda, b, ldb, be, c0, ldc);
        string what = $"{typeof(T).Name} m={m} n={n} k={k} ta={ta} tb={tb} alpha={alpha} beta={beta} pad={pad} path={path}";
        for (int i = 0; i < c.Length; i++)
        {
            bool inside = i / Math.Max(ldc, 1) < m && i % Math.Max(ldc, 1) < n;
            if (!inside)
            {
                Assert.True(c[i] == c0[i] || (T.IsNaN(c[i]) && T.IsNaN(c0[i])), $"{what}: element {i} outside C changed");
                continue;
            }
            double got = double.CreateTruncating(c[i]), want = double.CreateTruncating(expected[i]);
            if (exact) Assert.True(got.Equals(want), $"{what}: element {i} = {got:R}, naive loop {want:R}");
            else
            {
                double eps = typeof(T) == typeof(float) ? 6e-8 : 1.2e-16;
                Assert.True(Math.Abs(got - want) <= 4 * (k + 2) * eps * (Math.Abs(want) + k + 1), $"{what}: element {i} = {got}, expected {want}");
            }
        }
    }

    /// <summary>Naive loop in <typeparamref name="T"/>: each element's products summed in order of p, then alpha·s (+ beta·c).</summary>
    private static T[] Naive<T>(bool ta, bool tb, int m, int n, int k, T alpha, T[] a, int lda, T[] b, int ldb, T beta, T[] c, int ldc)
        where T : unmanaged, INumber<T>
    {
        var r = (T[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T s = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T x = ta ? a[p * lda + i] : a[i * lda + p];
                    T y = tb ? b[j * ldb + p] : b[p * ldb + j];
                    T prod = x * y;
                    s += prod;
                }
                r[i * ldc + j] = beta == T.Zero ? alpha * s : alpha * s + beta * c[i * ldc + j];
            }
        return r;
    }

    private static T[] Random<T>(Random rng, int count) where T : INumber<T>
    {
        var x = new T[count];
        for (int i = 0; i < count; i++) x[i] = T.CreateTruncating(rng.NextDouble() * 2 - 1);
        return x;
    }
}
