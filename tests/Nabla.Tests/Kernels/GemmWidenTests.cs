using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The GEMM reading 16-bit operands (Note [Widening GEMM]) equals the float32 GEMM on the widened operands bit for bit:
/// the packing holds the same float32 values, so the microkernels do the same arithmetic.
/// </summary>
public class GemmWidenTests
{
    public static TheoryData<bool, bool, int, int, int, int> Shapes()
    {
        var data = new TheoryData<bool, bool, int, int, int, int>();
        // Both vector families where this machine runs them: their panels differ in width (6/16 and 12/32), so the
        // widening packing meets different row groups and edges (Note [Widening in registers]).
        GemmPath[] paths = Gemm.BestPath == GemmPath.Vector512 ? [GemmPath.Vector256, GemmPath.Vector512] : [Gemm.BestPath];
        foreach (GemmPath path in paths)
            foreach (bool ta in (bool[])[false, true])
                foreach (bool tb in (bool[])[false, true])
                    foreach (var (m, n, k) in ((int, int, int)[])[(1, 1, 1), (1, 37, 20), (13, 1, 9), (17, 33, 65), (64, 48, 600), (130, 70, 31), (12, 32, 16), (7, 9, 8)])
                        if (!(m == 1 && tb)) data.Add(ta, tb, m, n, k, (int)path); // one row over transposed weights: the GEMV, tested below
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyBatched_BFloat16Operands_EqualFloat32GemmOfWidenedOperands(bool transA, bool transB, int m, int n, int k, int pathCode)
    {
        var path = (GemmPath)pathCode;
        var rng = new Random(m * 1000 + n * 10 + k);
        BFloat16[] a = Values<BFloat16>(2 * m * k + 3, rng, v => (BFloat16)v), b = Values<BFloat16>(2 * k * n + 5, rng, v => (BFloat16)v);
        float[] a32 = [.. a.Select(v => (float)v)], b32 = [.. b.Select(v => (float)v)];
        int lda = transA ? m : k, ldb = transB ? k : n;
        int[] offA = [3, 3 + m * k], offB = [0, 5 + k * n], offC = [0, m * n];
        var c = new float[2 * m * n];
        GemmWiden.MultiplyBatched<BFloat16, BFloat16>(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, c, offC, n, path: path);
        var expected = new float[2 * m * n];
        Gemm.MultiplyBatched(transA, transB, m, n, k, 1f, a32, offA, lda, b32, offB, ldb, 0f, expected, offC, n, path: path);
        Assert.Equal(expected, c);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyBatched_RoundedResult_EqualsTheFloat32ResultRoundedOnce(bool transA, bool transB, int m, int n, int k, int pathCode)
    {
        // Note [Rounding epilogue]: tile by tile (blocked path, both families, swapped products with C written
        // transposed) or once at the end (the one-row path), every element is its final float32 value rounded once.
        var path = (GemmPath)pathCode;
        var rng = new Random(m * 7 + n * 3 + k);
        BFloat16[] a = Values<BFloat16>(2 * m * k + 3, rng, v => (BFloat16)(4 * v)), b = Values<BFloat16>(2 * k * n + 5, rng, v => (BFloat16)(4 * v));
        int lda = transA ? m : k, ldb = transB ? k : n;
        int[] offA = [3, 3 + m * k], offB = [0, 5 + k * n], offC = [0, m * n];
        var c = new float[2 * m * n];
        var bf = new BFloat16[2 * m * n];
        var h = new Half[2 * m * n];
        GemmWiden.MultiplyBatched<BFloat16, BFloat16, BFloat16>(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, c, offC, n, bf, path: path);
        Assert.Equal(c.Select(v => (BFloat16)v), bf);
        GemmWiden.MultiplyBatched<BFloat16, BFloat16, Half>(transA, transB, m, n, k, a, offA, lda, b, offB, ldb, c, offC, n, h, path: path);
        Assert.Equal(c.Select(v => (Half)v), h);
    }

    [Fact]
    public void MultiplyBatched_RoundedResultOfEmptyDepthOrOneRow_IsRoundedToo()
    {
        var c = new float[6];
        var bf = new BFloat16[6];
        bf.AsSpan().Fill((BFloat16)5f);
        GemmWiden.MultiplyBatched<BFloat16, BFloat16, BFloat16>(false, false, 2, 3, 0, new BFloat16[1], [0], 0, new BFloat16[3], [0], 3, c, [0], 3, bf);
        Assert.All(bf, v => Assert.Equal(0f, (float)v));
        BFloat16[] w = [.. Enumerable.Range(0, 12).Select(i => (BFloat16)(i / 3f))];
        GemmWiden.MultiplyBatched<float, BFloat16, BFloat16>(false, true, 1, 3, 4, [1f, 2f, 3f, 1f / 3], [0], 4, w, [0], 4, c, [0], 3, bf);
        Assert.Equal(c.Take(3).Select(v => (BFloat16)v), bf.Take(3));
        Assert.Throws<ArgumentException>(() =>
            GemmWiden.MultiplyBatched<BFloat16, BFloat16, float>(false, false, 1, 1, 1, new BFloat16[1], [0], 1, new BFloat16[1], [0], 1, c, [0], 1, new float[1]));
    }

    [Fact]
    public void MultiplyBatched_Float16TimesFloat32_EqualsFloat32Gemm()
    {
        var rng = new Random(5);
        int m = 40, n = 50, k = 70;
        Half[] a = Values<Half>(m * k, rng, v => (Half)v);
        float[] b = Values<float>(k * n, rng, v => v);
        var c = new float[m * n];
        GemmWiden.MultiplyBatched<Half, float>(false, true, m, n, k, a, [0], k, b, [0], k, c, [0], n);
        var expected = new float[m * n];
        Gemm.MultiplyBatched(false, true, m, n, k, 1f, [.. a.Select(v => (float)v)], [0], k, b, [0], k, 0f, expected, [0], n, path: Gemm.BestPath);
        Assert.Equal(expected, c);
    }

    [Theory]
    [InlineData(1), InlineData(15), InlineData(16), InlineData(17), InlineData(300), InlineData(4097)]
    public void MultiplyBatched_OneRowTimesTransposedBFloat16Weights_MatchesFloat32WithinSummationOrder(int k)
    {
        var rng = new Random(k);
        int n = 70;
        float[] x = Values<float>(k, rng, v => v);
        BFloat16[] w = Values<BFloat16>(n * k, rng, v => (BFloat16)v);
        Half[] wh = [.. w.Select(v => (Half)(float)v)];
        var c = new float[n];
        var ch = new float[n];
        GemmWiden.MultiplyBatched<float, BFloat16>(false, true, 1, n, k, x, [0], k, w, [0], k, c, [0], n);
        GemmWiden.MultiplyBatched<float, Half>(false, true, 1, n, k, x, [0], k, wh, [0], k, ch, [0], n);
        for (int j = 0; j < n; j++)
        {
            double exact = 0, scale = 0;
            for (int p = 0; p < k; p++)
            {
                exact += (double)x[p] * (float)w[j * k + p];
                scale += Math.Abs((double)x[p] * (float)w[j * k + p]);
            }
            Assert.InRange(c[j] - exact, -1e-6 * scale - 1e-7, 1e-6 * scale + 1e-7);
            Assert.InRange(ch[j] - exact, -2e-3 * scale - 1e-7, 2e-3 * scale + 1e-7); // float16 rounds the weights again
        }
    }

    [Fact]
    public void MultiplyBatched_OperandTooShort_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            GemmWiden.MultiplyBatched<BFloat16, BFloat16>(false, false, 4, 4, 4, new BFloat16[15], [0], 4, new BFloat16[16], [0], 4, new float[16], [0], 4));
        Assert.Contains("A", ex.Message);
        Assert.Throws<ArgumentException>(() => GemmWiden.SourceOf<double>());
    }

    [Fact]
    public void MatMul_BFloat16Tensors_UseTheWideningGemmAndRoundOnce()
    {
        Tensor x = Tensor.Randn([3, 20, 33], DType.BFloat16, new Generator(3));
        Tensor w = Tensor.Randn([33, 17], DType.BFloat16, new Generator(4));
        Tensor y = x.MatMul(w);
        Assert.Equal(DType.BFloat16, y.DType);
        float[] expected = x.To(DType.Float32).MatMul(w.To(DType.Float32)).ToArray<float>();
        double[] got = y.ToDoubleArray();
        // One rounding of a float32 result: within half a bfloat16 ulp (2^-9 relative) plus float32's summation-order noise.
        for (int i = 0; i < got.Length; i++) Assert.InRange(Math.Abs(got[i] - expected[i]), 0, Math.Abs(expected[i]) / 256 + 1e-5);
    }

    private static T[] Values<T>(int n, Random rng, Func<float, T> make)
    {
        var v = new T[n];
        for (int i = 0; i < n; i++) v[i] = make((float)(rng.NextDouble() * 2 - 1));
        return v;
    }
}
