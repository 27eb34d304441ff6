using Nabla.Data;

namespace Nabla.Playground;

/// <summary>
/// The points of the network view: two features and a class per point, split into a training and a test set, and the
/// square region of the plane the page draws (the data's bounding box with a margin).
/// </summary>
public sealed class PointSet
{
    private PointSet(float[] trainX, long[] trainY, float[] testX, long[] testY, int classes, double[] extent)
    {
        TrainX = trainX; TrainY = trainY; TestX = testX; TestY = testY; Classes = classes; Extent = extent;
    }

    /// <summary>Training features, row-major [n, 2].</summary>
    public float[] TrainX { get; }

    /// <summary>Training labels in [0, classes).</summary>
    public long[] TrainY { get; }

    /// <summary>Test features, row-major [n, 2].</summary>
    public float[] TestX { get; }

    /// <summary>Test labels.</summary>
    public long[] TestY { get; }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>The drawn region: x min, x max, y min, y max.</summary>
    public double[] Extent { get; }

    /// <summary>Generates a named dataset (<c>circle</c>, <c>xor</c>, <c>gaussian</c>, <c>spiral</c>, <c>moons</c>) from the configuration.</summary>
    public static PointSet Generate(NetworkConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        int n = config.Points;
        double noise = config.Noise;
        ulong seed = config.Seed;
        TensorDataset data = config.Dataset switch
        {
            "circle" => Synthetic.Circles(n, noise, factor: 0.5, seed: seed),
            "xor" => Synthetic.Xor(n, noise, seed),
            "gaussian" => Synthetic.Blobs(n, new double[,] { { -0.6, -0.6 }, { 0.6, 0.6 } }, std: 0.25 + noise, seed: seed),
            "spiral" => Synthetic.Spiral(n, classes: 2, noise: noise, seed: seed),
            "moons" => Synthetic.Moons(n, noise, seed),
            _ => throw new PlaygroundException($"dataset '{config.Dataset}' is not generated; upload a CSV for 'csv'"),
        };
        return Split(data.Features.ToArray<float>(), data.Labels.ToArray<long>(), 2, config.TrainFraction);
    }

    /// <summary>Splits points (already in random order) into the first <paramref name="trainFraction"/> for training and the rest for testing.</summary>
    public static PointSet Split(float[] x, long[] y, int classes, double trainFraction)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        int n = y.Length;
        int train = Math.Clamp((int)Math.Round(n * trainFraction), 1, Math.Max(1, n - 1));
        return new PointSet(x[..(2 * train)], y[..train], x[(2 * train)..], y[train..], classes, ExtentOf(x));
    }

    private static double[] ExtentOf(float[] x)
    {
        double x0 = double.MaxValue, x1 = double.MinValue, y0 = double.MaxValue, y1 = double.MinValue;
        for (int i = 0; i + 1 < x.Length; i += 2)
        {
            x0 = Math.Min(x0, x[i]); x1 = Math.Max(x1, x[i]);
            y0 = Math.Min(y0, x[i + 1]); y1 = Math.Max(y1, x[i + 1]);
        }
        // A square region (so circles look round) around the data with a 10% margin.
        double cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
        double half = Math.Max(Math.Max(x1 - x0, y1 - y0) / 2 * 1.1, 1e-3);
        return [cx - half, cx + half, cy - half, cy + half];
    }
}
