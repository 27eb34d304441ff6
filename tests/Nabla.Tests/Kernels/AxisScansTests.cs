using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>Running sums and products along the middle axis of [outer, size, inner] blocks, forward and reversed, threaded or not.</summary>
public class AxisScansTests
{
    public static TheoryData<int, int, int, int> Blocks() => AxisReductionsTests.Blocks();

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Scan_SumsAndProducts_MatchLoopsOverTheAxis(int outer, int size, int inner, int threads)
    {
        var rng = new Random(outer * 7 + size * 3 + inner);
        long[] src = Enumerable.Range(0, 2 + outer * size * inner).Select(_ => (long)rng.Next(-3, 4)).ToArray();
        foreach (bool reverse in new[] { false, true })
            foreach (bool prod in new[] { false, true })
            {
                var dst = new long[outer * size * inner];
                if (prod) AxisScans.Scan<long, ProdScan<long>>(src, 2, outer, size, inner, dst, reverse, threads, threshold: 1);
                else AxisScans.Scan<long, SumScan<long>>(src, 2, outer, size, inner, dst, reverse, threads, threshold: 1);
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < inner; j++)
                    {
                        long acc = prod ? 1 : 0;
                        for (int step = 0; step < size; step++)
                        {
                            int i = reverse ? size - 1 - step : step, at = (o * size + i) * inner + j;
                            acc = prod ? acc * src[2 + at] : acc + src[2 + at];
                            Assert.Equal(acc, dst[at]);
                        }
                    }
            }
    }

    [Fact]
    public void Scan_Float32Rows_AccumulateInOrderLikeASequentialLoop()
    {
        float[] src = Enumerable.Range(0, 1000).Select(i => 0.1f * (i % 7) - 0.25f).ToArray();
        var dst = new float[1000];
        AxisScans.Scan<float, SumScan<float>>(src, 0, 1, 1000, 1, dst, reverse: false);
        float acc = 0;
        for (int i = 0; i < 1000; i++) Assert.Equal(acc += src[i], dst[i]);
    }
}
