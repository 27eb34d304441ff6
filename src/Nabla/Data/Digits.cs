using System.Globalization;
using System.IO.Compression;

namespace Nabla.Data;

/// <summary>
/// The 8x8 handwritten digits of scikit-learn's <c>load_digits</c>: 1,797 images in 10 classes, shipped inside the
/// library, so it needs no file or network.
/// </summary>
/// <remarks>
/// The data is the test set of the UCI "Optical Recognition of Handwritten Digits" dataset (E. Alpaydin and
/// C. Kaynak, 1998), as distributed by scikit-learn (<c>sklearn/datasets/data/digits.csv.gz</c>, BSD-3-Clause); see
/// <c>Data/Resources/digits.LICENSE.txt</c>. Each pixel counts the set pixels of a 4x4 block, 0 to 16.
/// </remarks>
public static class Digits
{
    /// <summary>The number of images.</summary>
    public const int Count = 1797;

    private const string ResourceName = "Nabla.Data.Resources.digits.csv.gz";
    private static readonly Lazy<(float[] Pixels, long[] Labels)> Data = new(Parse);

    /// <summary>Loads all 1,797 images.</summary>
    /// <param name="flatten">Shape the features <c>[1797, 64]</c> (the default) or, when false, <c>[1797, 1, 8, 8]</c>.</param>
    /// <returns>Features as float32 in [0, 1] (pixel / 16) and int64 labels <c>[1797]</c> in 0..9.</returns>
    public static TensorDataset Load(bool flatten = true)
    {
        var (pixels, labels) = Data.Value;
        int[] shape = flatten ? [Count, 64] : [Count, 1, 8, 8];
        return new TensorDataset(Tensor.From(pixels, shape), Tensor.From(labels));
    }

    /// <summary>
    /// A deterministic, stratified split: within each class the samples are shuffled by <c>new Generator(seed)</c> and
    /// the first <c>round(testFraction * classCount)</c> go to the test part, so both parts keep the class proportions.
    /// </summary>
    /// <param name="testFraction">The share of each class held out for testing, in [0, 1].</param>
    /// <param name="seed">The shuffle seed; the same seed always gives the same split.</param>
    /// <param name="flatten">As in <see cref="Load"/>.</param>
    /// <returns>Both parts, each in ascending order of the original sample index.</returns>
    public static (TensorDataset Train, TensorDataset Test) TrainTestSplit(double testFraction = 0.25, ulong seed = 0, bool flatten = true)
    {
        if (!(testFraction >= 0 && testFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"Digits.TrainTestSplit: testFraction must be in [0, 1], got {testFraction}");
        TensorDataset all = Load(flatten);
        long[] labels = Data.Value.Labels;
        var generator = new Generator(seed);
        bool[] isTest = new bool[Count];
        for (int c = 0; c < 10; c++)
        {
            var members = new List<int>();
            for (int i = 0; i < Count; i++) if (labels[i] == c) members.Add(i);
            int[] shuffled = members.ToArray();
            generator.Shuffle(shuffled.AsSpan());
            int testCount = (int)Math.Round(testFraction * shuffled.Length, MidpointRounding.AwayFromZero);
            for (int k = 0; k < testCount; k++) isTest[shuffled[k]] = true;
        }
        var train = new List<int>();
        var test = new List<int>();
        for (int i = 0; i < Count; i++) (isTest[i] ? test : train).Add(i);
        return (all.Subset(train.ToArray()), all.Subset(test.ToArray()));
    }

    private static (float[] Pixels, long[] Labels) Parse()
    {
        using Stream resource = typeof(Digits).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Digits: the embedded resource {ResourceName} is missing from the Nabla assembly");
        using var gzip = new GZipStream(resource, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var pixels = new float[Count * 64];
        var labels = new long[Count];
        int row = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0) continue;
            if (row >= Count) throw new InvalidDataException($"Digits: the embedded data has more than {Count} rows");
            string[] fields = line.Split(',');
            if (fields.Length != 65)
                throw new InvalidDataException($"Digits: row {row + 1} of the embedded data has {fields.Length} fields, expected 65");
            for (int j = 0; j < 64; j++)
                pixels[row * 64 + j] = float.Parse(fields[j], NumberStyles.Float, CultureInfo.InvariantCulture) / 16f;
            labels[row] = long.Parse(fields[64], NumberStyles.Integer, CultureInfo.InvariantCulture);
            row++;
        }
        if (row != Count) throw new InvalidDataException($"Digits: the embedded data has {row} rows, expected {Count}");
        return (pixels, labels);
    }
}
