namespace Nabla.Data;

/// <summary>
/// Small two-dimensional classification sets for experiments and tests: spirals, moons, circles, XOR and blobs.
/// </summary>
/// <remarks>
/// Every method returns a <see cref="TensorDataset"/> of float32 points <c>[n, 2]</c> and int64 labels <c>[n]</c>,
/// with the samples in random order. All randomness comes from <c>new Generator(seed)</c>, so the same arguments
/// give the same points on every machine. Noise is Gaussian with the given standard deviation.
/// </remarks>
public static class Synthetic
{
    /// <summary>
    /// Interleaved spiral arms, one per class (the CS231n spiral): point i of class k, with
    /// <c>r = i / (m - 1)</c> and <c>θ = 2πk / classes + 4r + noise · N(0, 1)</c>, is <c>(r sin θ, r cos θ)</c>.
    /// </summary>
    /// <param name="n">The total number of points, split as evenly as possible between the classes (the first classes get one more).</param>
    /// <param name="classes">The number of arms.</param>
    /// <param name="noise">The standard deviation of the angle noise, in radians.</param>
    /// <param name="seed">The random seed.</param>
    public static TensorDataset Spiral(int n, int classes = 3, double noise = 0.2, ulong seed = 0)
    {
        CheckCount(n, "Spiral");
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), $"Spiral: classes must be at least 1, got {classes}");
        CheckNonNegative(noise, nameof(noise), "Spiral");
        var g = new Generator(seed);
        var points = new float[2 * n];
        var labels = new long[n];
        int p = 0;
        for (int k = 0; k < classes; k++)
        {
            int m = n / classes + (k < n % classes ? 1 : 0);
            for (int i = 0; i < m; i++, p++)
            {
                double r = m > 1 ? (double)i / (m - 1) : 0;
                double theta = 2 * Math.PI * k / classes + 4 * r + noise * g.NextNormal();
                points[2 * p] = (float)(r * Math.Sin(theta));
                points[2 * p + 1] = (float)(r * Math.Cos(theta));
                labels[p] = k;
            }
        }
        return Shuffled(points, labels, g);
    }

    /// <summary>
    /// Two interleaving half circles (scikit-learn's <c>make_moons</c>): class 0 is <c>(cos t, sin t)</c> and class 1 is
    /// <c>(1 - cos t, 0.5 - sin t)</c> for t evenly spaced in [0, π], plus Gaussian noise on both coordinates.
    /// </summary>
    /// <param name="n">The total number of points: n / 2 (rounded down) in class 0, the rest in class 1.</param>
    /// <param name="noise">The standard deviation of the noise added to each coordinate.</param>
    /// <param name="seed">The random seed.</param>
    public static TensorDataset Moons(int n, double noise = 0.1, ulong seed = 0)
    {
        CheckCount(n, "Moons");
        CheckNonNegative(noise, nameof(noise), "Moons");
        var g = new Generator(seed);
        int outer = n / 2, inner = n - outer;
        var points = new float[2 * n];
        var labels = new long[n];
        for (int i = 0; i < outer; i++)
        {
            double t = outer > 1 ? Math.PI * i / (outer - 1) : 0;
            points[2 * i] = (float)(Math.Cos(t) + noise * g.NextNormal());
            points[2 * i + 1] = (float)(Math.Sin(t) + noise * g.NextNormal());
        }
        for (int i = 0; i < inner; i++)
        {
            int p = outer + i;
            double t = inner > 1 ? Math.PI * i / (inner - 1) : 0;
            points[2 * p] = (float)(1 - Math.Cos(t) + noise * g.NextNormal());
            points[2 * p + 1] = (float)(1 - Math.Sin(t) - 0.5 + noise * g.NextNormal());
            labels[p] = 1;
        }
        return Shuffled(points, labels, g);
    }

    /// <summary>
    /// A small circle inside a large one (scikit-learn's <c>make_circles</c>): class 0 on the unit circle, class 1 on the
    /// circle of radius <paramref name="factor"/>, at evenly spaced angles, plus Gaussian noise on both coordinates.
    /// </summary>
    /// <param name="n">The total number of points: n / 2 (rounded down) on the outer circle, the rest on the inner one.</param>
    /// <param name="noise">The standard deviation of the noise added to each coordinate.</param>
    /// <param name="factor">The inner radius relative to the outer one, in [0, 1).</param>
    /// <param name="seed">The random seed.</param>
    public static TensorDataset Circles(int n, double noise = 0.05, double factor = 0.5, ulong seed = 0)
    {
        CheckCount(n, "Circles");
        CheckNonNegative(noise, nameof(noise), "Circles");
        if (!(factor >= 0 && factor < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), $"Circles: factor must be in [0, 1), got {factor}");
        var g = new Generator(seed);
        int outer = n / 2, inner = n - outer;
        var points = new float[2 * n];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            bool isOuter = i < outer;
            int m = isOuter ? outer : inner;
            int j = isOuter ? i : i - outer;
            double t = 2 * Math.PI * j / m;
            double radius = isOuter ? 1 : factor;
            points[2 * i] = (float)(radius * Math.Cos(t) + noise * g.NextNormal());
            points[2 * i + 1] = (float)(radius * Math.Sin(t) + noise * g.NextNormal());
            labels[i] = isOuter ? 0 : 1;
        }
        return Shuffled(points, labels, g);
    }

    /// <summary>
    /// The XOR problem: points uniform in the four unit quadrants around the origin (n / 4 each, the first quadrants
    /// getting the remainder), labelled 1 when exactly one coordinate is negative, plus Gaussian noise added after labelling.
    /// </summary>
    /// <param name="n">The total number of points; the two classes differ in size by at most one.</param>
    /// <param name="noise">The standard deviation of the noise added to each coordinate.</param>
    /// <param name="seed">The random seed.</param>
    public static TensorDataset Xor(int n, double noise = 0.1, ulong seed = 0)
    {
        CheckCount(n, "Xor");
        CheckNonNegative(noise, nameof(noise), "Xor");
        var g = new Generator(seed);
        var points = new float[2 * n];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            int quadrant = i % 4;
            double sx = (quadrant & 1) == 0 ? 1 : -1;
            double sy = (quadrant & 2) == 0 ? 1 : -1;
            points[2 * i] = (float)(sx * g.NextDouble() + noise * g.NextNormal());
            points[2 * i + 1] = (float)(sy * g.NextDouble() + noise * g.NextNormal());
            labels[i] = sx * sy < 0 ? 1 : 0;
        }
        return Shuffled(points, labels, g);
    }

    /// <summary>
    /// Isotropic Gaussian blobs (scikit-learn's <c>make_blobs</c>): <paramref name="centers"/> centres drawn uniformly in
    /// the box [-10, 10]², then points around centre k labelled k.
    /// </summary>
    /// <param name="n">The total number of points, split as evenly as possible between the centres (the first get one more).</param>
    /// <param name="centers">The number of centres (classes).</param>
    /// <param name="std">The standard deviation of each blob.</param>
    /// <param name="seed">The random seed (it also places the centres).</param>
    public static TensorDataset Blobs(int n, int centers = 3, double std = 1.0, ulong seed = 0)
    {
        if (centers < 1) throw new ArgumentOutOfRangeException(nameof(centers), $"Blobs: centers must be at least 1, got {centers}");
        var g = new Generator(seed);
        var box = new double[centers, 2];
        for (int k = 0; k < centers; k++)
        {
            box[k, 0] = -10 + 20 * g.NextDouble();
            box[k, 1] = -10 + 20 * g.NextDouble();
        }
        return BlobsAround(n, box, std, g);
    }

    /// <summary>Isotropic Gaussian blobs around the given centres: row k of <paramref name="centers"/> is the centre of class k.</summary>
    /// <param name="n">The total number of points, split as evenly as possible between the centres (the first get one more).</param>
    /// <param name="centers">A [classes, 2] array of centre coordinates.</param>
    /// <param name="std">The standard deviation of each blob.</param>
    /// <param name="seed">The random seed.</param>
    public static TensorDataset Blobs(int n, double[,] centers, double std = 1.0, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(centers);
        if (centers.GetLength(0) < 1 || centers.GetLength(1) != 2)
            throw new ArgumentException($"Blobs: centers must be a [classes, 2] array with at least one row, got [{centers.GetLength(0)}, {centers.GetLength(1)}]", nameof(centers));
        return BlobsAround(n, centers, std, new Generator(seed));
    }

    private static TensorDataset BlobsAround(int n, double[,] centers, double std, Generator g)
    {
        CheckCount(n, "Blobs");
        CheckNonNegative(std, nameof(std), "Blobs");
        int classes = centers.GetLength(0);
        var points = new float[2 * n];
        var labels = new long[n];
        int p = 0;
        for (int k = 0; k < classes; k++)
        {
            int m = n / classes + (k < n % classes ? 1 : 0);
            for (int i = 0; i < m; i++, p++)
            {
                points[2 * p] = (float)(centers[k, 0] + std * g.NextNormal());
                points[2 * p + 1] = (float)(centers[k, 1] + std * g.NextNormal());
                labels[p] = k;
            }
        }
        return Shuffled(points, labels, g);
    }

    private static TensorDataset Shuffled(float[] points, long[] labels, Generator g)
    {
        int n = labels.Length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        g.Shuffle(order.AsSpan());
        var x = new float[2 * n];
        var y = new long[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = points[2 * order[i]];
            x[2 * i + 1] = points[2 * order[i] + 1];
            y[i] = labels[order[i]];
        }
        return new TensorDataset(Tensor.From(x, [n, 2]), Tensor.From(y));
    }

    private static void CheckCount(int n, string method)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), $"{method}: n must be at least 1, got {n}");
    }

    private static void CheckNonNegative(double value, string name, string method)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, $"{method}: {name} must be finite and non-negative, got {value}");
    }
}
