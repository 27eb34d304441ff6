using Nabla.Data;

namespace Nabla.Cli.Training;

/// <summary>A dataset ready to train on: train and test splits, the input shape per sample and the class count.</summary>
/// <param name="Name">The name given on the command line.</param>
/// <param name="Train">The training split.</param>
/// <param name="Test">The held-out split used for test accuracy.</param>
/// <param name="SampleShape">The shape of one sample (e.g. [1, 28, 28] or [64]).</param>
/// <param name="Classes">The number of classes.</param>
public sealed record LoadedDataset(string Name, TensorDataset Train, TensorDataset Test, int[] SampleShape, int Classes)
{
    /// <summary>The number of input features of one flattened sample.</summary>
    public int Features => SampleShape.Aggregate(1, (a, b) => a * b);
}

/// <summary>The datasets of <c>nabla train --dataset</c>.</summary>
public static class DatasetCatalog
{
    /// <summary>The accepted names (plus <c>csv:PATH</c>).</summary>
    public static readonly string[] Names = ["digits", "fashion-mnist", "mnist", "spiral", "moons", "circles", "xor", "blobs"];

    /// <summary>Whether the dataset holds 28x28 images.</summary>
    public static bool IsImages(string name) => name is "fashion-mnist" or "mnist";

    /// <summary>Whether the train/test split depends on the seed: true for <c>csv:PATH</c> (shuffled) and the 2-D sets (generated).</summary>
    public static bool SplitDependsOnSeed(string name) =>
        name is "spiral" or "moons" or "circles" or "xor" or "blobs" || name.StartsWith("csv:", StringComparison.Ordinal);

    /// <summary>Loads a dataset by name; images come as [N, 1, 28, 28] when <paramref name="images"/>, else flattened.</summary>
    public static LoadedDataset Load(string name, bool images, ulong seed, bool download = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name)
        {
            case "digits":
            {
                var (train, test) = Digits.TrainTestSplit(0.2, seed: 0);
                return new(name, train, test, [64], 10);
            }
            case "fashion-mnist":
            case "mnist":
            {
                Func<bool, TensorDataset> load = name == "mnist"
                    ? train => Mnist.Load(train, download: download, flatten: !images)
                    : train => FashionMnist.Load(train, download: download, flatten: !images);
                return new(name, load(true), load(false), images ? [1, 28, 28] : [784], 10);
            }
            case "spiral": return Synthetic2D(name, (n, s) => Synthetic.Spiral(n, 3, 0.2, s), 3, seed);
            case "moons": return Synthetic2D(name, (n, s) => Synthetic.Moons(n, 0.1, s), 2, seed);
            case "circles": return Synthetic2D(name, (n, s) => Synthetic.Circles(n, 0.05, 0.5, s), 2, seed);
            case "xor": return Synthetic2D(name, (n, s) => Synthetic.Xor(n, 0.1, s), 2, seed);
            case "blobs": return Synthetic2D(name, (n, s) => Synthetic.Blobs(n, 3, 1.0, s), 3, seed);
        }
        if (name.StartsWith("csv:", StringComparison.Ordinal))
        {
            string path = name[4..];
            if (!File.Exists(path)) throw new UsageException($"--dataset {name}: no file at '{path}'", "pass csv:PATH with the path of a CSV whose last column is the label");
            CsvDataset csv = CsvDataset.Load(path);
            if (csv.Labels.DType != DType.Int64)
                throw new UsageException($"--dataset {name}: the label column '{csv.LabelName}' holds non-integer numbers", "nabla train classifies: use integer or text class labels");
            var (train, test) = csv.Split(0.8, new Generator(seed));
            int classes = csv.ClassNames is { Count: > 0 } names ? names.Count : ClassCount(csv.Labels.ToArray<long>(), name, csv.LabelName);
            return new(name, train, test, [csv.Features.Size(1)], classes);
        }
        throw new UsageException($"unknown dataset '{name}'", $"use one of {string.Join(", ", Names)} or csv:PATH");
    }

    /// <summary>The most classes integer labels may imply (labels 0 to 99,999), as many as a classifier head is sensibly given.</summary>
    public const int MaxClasses = 100_000;

    /// <summary>
    /// The class count integer labels imply (largest label + 1); a negative label or one beyond <see cref="MaxClasses"/>
    /// is a <see cref="UsageException"/> naming it, since labels are class indices 0, 1, 2, ...
    /// </summary>
    public static int ClassCount(IReadOnlyList<long> labels, string dataset, string column)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0) throw new UsageException($"--dataset {dataset}: no samples", "pass a CSV with a header row and at least one data row");
        long max = long.MinValue;
        for (int i = 0; i < labels.Count; i++)
        {
            long l = labels[i];
            if (l < 0 || l >= MaxClasses)
                throw new UsageException($"--dataset {dataset}: label {l} of sample {i + 1} in column '{column}' is {(l < 0 ? "negative" : "too large")}",
                    $"labels are class indices 0, 1, 2, ... up to {MaxClasses - 1}: renumber them, or write the classes as text, which is numbered automatically");
            max = Math.Max(max, l);
        }
        return (int)max + 1;
    }

    private static LoadedDataset Synthetic2D(string name, Func<int, ulong, TensorDataset> make, int classes, ulong seed)
        => new(name, make(1000, seed), make(500, seed + 1000), [2], classes);
}
