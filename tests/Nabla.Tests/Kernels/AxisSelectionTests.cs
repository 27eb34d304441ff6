using Nabla.Kernels;

namespace Nabla.Tests.Kernels;

/// <summary>Sorting, top-k selection and arg-extremes along [outer, size, inner] blocks against LINQ's stable sort (Note [Sort order]).</summary>
public class AxisSelectionTests
{
    public static TheoryData<int, int, int, int> Blocks() => AxisReductionsTests.Blocks();

    /// <summary>Small integers as doubles (many ties), with a few NaNs and negative zeros (equal to zero).</summary>
    private static double[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.Next(12) switch { 0 => double.NaN, 1 => -0.0, _ => rng.Next(-4, 5) }).ToArray();
    }

    /// <summary>NaN above every number, as PyTorch's sort.</summary>
    private static double Key(double v) => double.IsNaN(v) ? double.PositiveInfinity : v;

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Sort_AnyK_IsThePrefixOfAStableSort(int outer, int size, int inner, int threads)
    {
        double[] src = Values(1 + outer * size * inner, outer * 5 + size + inner);
        CheckSort(src, outer, size, inner, threads);
        CheckSort(src.Select(v => (float)v).ToArray(), outer, size, inner, threads);
        CheckSort(src.Select(v => double.IsNaN(v) ? 7L : (long)v).ToArray(), outer, size, inner, threads);
    }

    private static void CheckSort<T>(T[] src, int outer, int size, int inner, int threads) where T : System.Numerics.INumber<T>
    {
        foreach (bool descending in new[] { false, true })
            foreach (int k in new[] { size, size / 2, Math.Min(size, 1), Math.Min(size, 2) }.Distinct())
            {
                var values = new T[outer * k * inner];
                var indices = new long[outer * k * inner];
                AxisSelection.Sort(src, 1, outer, size, inner, k, descending, values, indices, threads, threshold: 1);
                for (int o = 0; o < outer; o++)
                    for (int j = 0; j < inner; j++)
                    {
                        // LINQ's OrderBy is stable; NaN ties with +inf here, which never occurs in these values.
                        var line = Enumerable.Range(0, size).Select(i => (V: double.CreateChecked(src[1 + (o * size + i) * inner + j]), I: i));
                        var expected = (descending ? line.OrderByDescending(e => Key(e.V)) : line.OrderBy(e => Key(e.V))).Take(k).ToArray();
                        for (int i = 0; i < k; i++)
                        {
                            int at = (o * k + i) * inner + j;
                            Assert.Equal(expected[i].I, indices[at]);
                            Assert.Equal(expected[i].V, double.CreateChecked(values[at]));
                        }
                    }
            }
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void Extreme_FirstExtremeAndNaNWin_OnBothPaths(int outer, int size, int inner, int threads)
    {
        if (size == 0) return; // refused by the callers
        double[] src = Values(outer * size * inner, size * 11 + inner);
        foreach (bool max in new[] { true, false })
        {
            var values = new double[outer * inner];
            var indices = new long[outer * inner];
            AxisSelection.Extreme(src, 0, outer, size, inner, max, values, indices, threads, threshold: 1);
            for (int o = 0; o < outer; o++)
                for (int j = 0; j < inner; j++)
                {
                    double[] line = Enumerable.Range(0, size).Select(i => src[(o * size + i) * inner + j]).ToArray();
                    int nan = Array.FindIndex(line, double.IsNaN);
                    int want = nan >= 0 ? nan : Array.IndexOf(line, max ? line.Max() : line.Min());
                    Assert.Equal(want, indices[o * inner + j]);
                    Assert.Equal(line[want], values[o * inner + j]);
                }
        }
    }
}
