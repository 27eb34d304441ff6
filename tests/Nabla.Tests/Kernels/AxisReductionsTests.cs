using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>
/// The [outer, size, inner] reductions (Note [Axis layout]) at 1 and 2 threads with the threshold lowered so that small
/// blocks split too, against plain loops over the axis: the contiguous-row path (inner = 1) and the row-by-row path.
/// </summary>
public class AxisReductionsTests
{
    public static TheoryData<int, int, int, int> Blocks()
    {
        var data = new TheoryData<int, int, int, int>();
        foreach (int threads in new[] { 1, 2 })
            foreach (var (outer, size, inner) in new[] { (1, 1, 1), (3, 7, 1), (2, 63, 1), (5, 65, 1), (1, 0, 4), (2, 0, 1), (3, 5, 17), (1, 9, 64), (4, 2, 65), (0, 3, 5) })
                data.Add(outer, size, inner, threads);
        return data;
    }

    private static double[] Values(int n, int seed, bool withZeros = false)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => withZeros && rng.Next(5) == 0 ? 0 : Math.Round(rng.NextDouble() * 4 - 2, 3)).ToArray();
    }

    /// <summary>Runs <paramref name="op"/> over the block and checks every output against <paramref name="reference"/> over the axis values.</summary>
    private static void Check<TOp>(TOp op, double[] src, int outer, int size, int inner, int threads, Func<double[], double> reference, double tolerance = 1e-12)
        where TOp : struct, IAxisReduction<double>
    {
        var dst = new double[outer * inner];
        AxisReductions.Reduce(op, src, 3, outer, size, inner, dst, threads, threshold: 1);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                double[] axis = Enumerable.Range(0, size).Select(i => src[3 + (o * size + i) * inner + j]).ToArray();
                double want = reference(axis), got = dst[o * inner + j];
                Assert.True(Math.Abs(want - got) <= tolerance * Math.Max(1, Math.Abs(want)), $"[{o}, {j}] of [{outer}, {size}, {inner}]: expected {want:R}, got {got:R}");
            }
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Reduce_ProductsAndNorms_MatchLoopsOverTheAxis(int outer, int size, int inner, int threads)
    {
        double[] src = Values(3 + outer * size * inner, outer + size + inner, withZeros: true);
        Check(new ProdReduction<double>(), src, outer, size, inner, threads, a => a.Aggregate(1.0, (p, v) => p * v));
        Check(new NormReduction<double>(2), src, outer, size, inner, threads, a => Math.Sqrt(a.Sum(v => v * v)));
        Check(new NormReduction<double>(1), src, outer, size, inner, threads, a => a.Sum(Math.Abs));
        Check(new NormReduction<double>(0), src, outer, size, inner, threads, a => a.Count(v => v != 0));
        Check(new NormReduction<double>(3), src, outer, size, inner, threads, a => Math.Pow(a.Sum(v => Math.Pow(Math.Abs(v), 3)), 1.0 / 3));
        Check(new NormReduction<double>(0.5), src, outer, size, inner, threads, a => Math.Pow(a.Sum(v => Math.Sqrt(Math.Abs(v))), 2));
        if (size == 0) return; // the extremes refuse an empty axis (their callers check first)
        Check(new NormReduction<double>(double.PositiveInfinity), src, outer, size, inner, threads, a => a.Max(Math.Abs));
        Check(new NormReduction<double>(double.NegativeInfinity), src, outer, size, inner, threads, a => a.Min(Math.Abs));
        Check(new ExtremeReduction<double>(true), src, outer, size, inner, threads, a => a.Max());
        Check(new ExtremeReduction<double>(false), src, outer, size, inner, threads, a => a.Min());
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Reduce_AnyAndAll_MatchLoopsOverTheAxis(int outer, int size, int inner, int threads)
    {
        var rng = new Random(size * 31 + inner);
        // Mostly true, so that both all() and any() see either answer.
        bool[] src = Enumerable.Range(0, 3 + outer * size * inner).Select(_ => rng.Next(size + 1) != 0).ToArray();
        foreach (bool any in new[] { true, false })
        {
            var dst = new bool[outer * inner];
            AxisReductions.Reduce(new LogicalReduction(any), src, 3, outer, size, inner, dst, threads, threshold: 1);
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    IEnumerable<bool> axis = Enumerable.Range(0, size).Select(i => src[3 + (o * size + i) * inner + j]);
                    Assert.Equal(any ? axis.Any(v => v) : axis.All(v => v), dst[o * inner + j]);
                }
        }
    }

    [Fact]
    public void Reduce_NaN_PropagatesThroughExtremesAndInfinityNorms()
    {
        double[] src = [1, double.NaN, 3, -4, 2, 5];
        foreach (int inner in new[] { 1, 2 })
        {
            int size = 6 / inner;
            var dst = new double[inner];
            AxisReductions.Reduce(new ExtremeReduction<double>(true), src, 0, 1, size, inner, dst);
            Assert.True(double.IsNaN(dst[inner == 1 ? 0 : 1]));
            AxisReductions.Reduce(new NormReduction<double>(double.PositiveInfinity), src, 0, 1, size, inner, dst);
            Assert.True(double.IsNaN(dst[inner == 1 ? 0 : 1]));
        }
    }

    [Fact]
    public void ContainsZero_EveryPositionAndLength_FindsZerosButNotNaN()
    {
        foreach (int n in new[] { 0, 1, 7, 8, 15, 16, 17, 33, 70 })
        {
            float[] ones = Enumerable.Repeat(1.5f, n).ToArray();
            Assert.False(AxisReductions.ContainsZero<float>(ones));
            for (int i = 0; i < n; i++)
            {
                double[] x = Enumerable.Repeat(2.0, n).ToArray();
                x[i] = i % 2 == 0 ? 0.0 : -0.0;
                Assert.True(AxisReductions.ContainsZero<double>(x), $"zero at {i} of {n}");
                x[i] = double.NaN;
                Assert.False(AxisReductions.ContainsZero<double>(x), $"NaN at {i} of {n}");
            }
        }
    }
}
