using Nabla.Data;

namespace Nabla.Tests.Data;

public class SyntheticTests
{
    public static TheoryData<string> Names => new() { "spiral", "moons", "circles", "xor", "blobs" };

    private static TensorDataset Make(string name, int n, ulong seed) => name switch
    {
        "spiral" => Synthetic.Spiral(n, classes: 3, noise: 0.2, seed: seed),
        "moons" => Synthetic.Moons(n, noise: 0.1, seed: seed),
        "circles" => Synthetic.Circles(n, noise: 0.05, factor: 0.5, seed: seed),
        "xor" => Synthetic.Xor(n, noise: 0.1, seed: seed),
        _ => Synthetic.Blobs(n, centers: 4, std: 0.5, seed: seed),
    };

    private static int Classes(string name) => name switch { "spiral" => 3, "blobs" => 4, _ => 2 };

    [Theory]
    [MemberData(nameof(Names))]
    public void Generate_SameSeed_IdenticalAndOtherSeedDiffers(string name)
    {
        var a = Make(name, 301, 7);
        var b = Make(name, 301, 7);
        var c = Make(name, 301, 8);
        Assert.Equal(new Shape(301, 2), a.Features.Shape);
        Assert.Equal(DType.Float32, a.Features.DType);
        Assert.Equal(DType.Int64, a.Labels.DType);
        Assert.Equal(a.Features.ToArray<float>(), b.Features.ToArray<float>());
        Assert.Equal(a.Labels.ToArray<long>(), b.Labels.ToArray<long>());
        Assert.NotEqual(a.Features.ToArray<float>(), c.Features.ToArray<float>());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Generate_ClassesBalancedWithinOneAndShuffled(string name)
    {
        long[] y = Make(name, 301, 3).Labels.ToArray<long>();
        int k = Classes(name);
        int[] counts = Enumerable.Range(0, k).Select(c => y.Count(v => v == c)).ToArray();
        Assert.Equal(301, counts.Sum());
        Assert.True(counts.Max() - counts.Min() <= 1, $"{name}: class counts {string.Join(", ", counts)}");
        Assert.NotEqual(y.Order(), y); // not sorted by class
    }

    [Fact]
    public void Moons_NoNoise_PointsOnTheTwoHalfCircles()
    {
        var ds = Synthetic.Moons(100, noise: 0, seed: 1);
        float[] x = ds.Features.ToArray<float>();
        long[] y = ds.Labels.ToArray<long>();
        for (int i = 0; i < 100; i++)
        {
            double px = x[2 * i], py = x[2 * i + 1];
            double r = y[i] == 0 ? Math.Sqrt(px * px + py * py) : Math.Sqrt((px - 1) * (px - 1) + (py - 0.5) * (py - 0.5));
            Assert.Equal(1.0, r, 1e-5);
            Assert.True(y[i] == 0 ? py >= -1e-6 : py <= 0.5 + 1e-6);
        }
    }

    [Fact]
    public void Circles_NoNoise_RadiiAreOneAndFactor()
    {
        var ds = Synthetic.Circles(50, noise: 0, factor: 0.3, seed: 1);
        float[] x = ds.Features.ToArray<float>();
        long[] y = ds.Labels.ToArray<long>();
        for (int i = 0; i < 50; i++)
            Assert.Equal(y[i] == 0 ? 1.0 : 0.3, Math.Sqrt(x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]), 1e-5);
    }

    [Fact]
    public void Xor_NoNoise_LabelIsSignDisagreement()
    {
        var ds = Synthetic.Xor(200, noise: 0, seed: 4);
        float[] x = ds.Features.ToArray<float>();
        long[] y = ds.Labels.ToArray<long>();
        for (int i = 0; i < 200; i++) Assert.Equal(x[2 * i] * x[2 * i + 1] < 0 ? 1 : 0, y[i]);
    }

    [Fact]
    public void Blobs_ExplicitCenters_PointsClusterAroundTheirCenter()
    {
        var ds = Synthetic.Blobs(400, new double[,] { { -5, 0 }, { 5, 0 } }, std: 0.5, seed: 2);
        float[] x = ds.Features.ToArray<float>();
        long[] y = ds.Labels.ToArray<long>();
        double meanLeft = Enumerable.Range(0, 400).Where(i => y[i] == 0).Average(i => x[2 * i]);
        double meanRight = Enumerable.Range(0, 400).Where(i => y[i] == 1).Average(i => x[2 * i]);
        Assert.Equal(-5, meanLeft, 0.15);
        Assert.Equal(5, meanRight, 0.15);
    }

    [Fact]
    public void Spiral_RadiusGrowsAlongEachArm()
    {
        var ds = Synthetic.Spiral(30, classes: 3, noise: 0, seed: 0);
        float[] x = ds.Features.ToArray<float>();
        double maxRadius = Enumerable.Range(0, 30).Max(i => Math.Sqrt(x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]));
        Assert.Equal(1.0, maxRadius, 1e-6);
    }

    [Fact]
    public void Generate_BadArguments_NameTheParameter()
    {
        Assert.Contains("n must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Moons(0)).Message);
        Assert.Contains("noise", Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Xor(10, noise: -1)).Message);
        Assert.Contains("factor", Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Circles(10, factor: 1)).Message);
        Assert.Contains("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Spiral(10, classes: 0)).Message);
        Assert.Contains("centers", Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic.Blobs(10, centers: 0)).Message);
        Assert.Throws<ArgumentException>(() => Synthetic.Blobs(10, new double[1, 3]));
    }
}
