using System.Globalization;
using System.Text;

namespace Nabla.Data;

/// <summary>Where to download from and the SHA-256 each file must have (tests pass their own).</summary>
internal sealed record DownloadSource(IReadOnlyList<string> BaseUrls, IReadOnlyDictionary<string, string> Sha256);

/// <summary>
/// The code shared by MNIST and Fashion-MNIST: the same four IDX files, looked up in the same places, downloaded
/// and converted the same way.
/// </summary>
internal sealed record MnistFamily
{
    public required string DisplayName { get; init; }

    /// <summary>The folder name under <c>$NABLA_DATA</c> and <c>~/.nabla/datasets</c>.</summary>
    public required string DirectoryName { get; init; }

    public required string LoaderName { get; init; }

    public string? DebianDirectory { get; init; }

    public string? DebianPackage { get; init; }

    public required DownloadSource Source { get; init; }

    public required IReadOnlyList<string> Classes { get; init; }

    private static readonly string[] AllFileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    public static (string Images, string Labels) FileNames(bool train) => train
        ? ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
        : ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    // Note [One place per dataset]
    // Both splits of a dataset come from one directory: the first place, in lookup order, that holds any of its four
    // files. A place with only some of them (the test split in $NABLA_DATA, say) is not skipped for the next one (the
    // Debian package's training split), which would silently train on one copy and test on another; loading a split it
    // lacks is an error that names the files there and the ones missing, or, with download, fetches them into it.

    /// <summary>Loads one split from the dataset's place (Note [One place per dataset]), downloading into it when asked.</summary>
    public TensorDataset Load(bool train, string? root, bool download, bool flatten, DatasetEnvironment environment, DownloadSource? source)
    {
        var (imagesName, labelsName) = FileNames(train);
        string split = train ? "training" : "test";
        var report = new StringBuilder();
        int place = 0;
        string? home = null;
        foreach (var (directory, description) in Places(root, environment))
        {
            place++;
            if (directory is null)
            {
                report.Append(CultureInfo.InvariantCulture, $"\n  {place}. {description}");
                continue;
            }
            string[] present = [.. AllFileNames.Select(f => Find(directory, f)).OfType<string>().Select(Path.GetFileName).OfType<string>()];
            if (present.Length == 0)
            {
                string state = Directory.Exists(directory) ? "no file of the dataset is there" : "directory does not exist";
                report.Append(CultureInfo.InvariantCulture, $"\n  {place}. {directory} ({description}): {state}");
                continue;
            }
            string? images = Find(directory, imagesName);
            string? labels = Find(directory, labelsName);
            if (images is not null && labels is not null) return Read(images, labels, flatten);
            if (!download)
            {
                string missing = string.Join(" and ", new[] { (images, imagesName), (labels, labelsName) }.Where(f => f.Item1 is null).Select(f => f.Item2 + "(.gz)"));
                throw new FileNotFoundException(
                    $"{DisplayName} ({split} split): {directory} ({description}) has {string.Join(", ", present)} but not {missing}. " +
                    $"Both splits are read from the first place that holds any of the dataset's files, so that training and test data come from one copy: " +
                    $"add the missing files there, fetch them there with download: true (--download on the nabla command line), or move the files away to use the next place.");
            }
            home = directory;
            break;
        }

        if (home is null && !download)
        {
            throw new FileNotFoundException(
                $"{DisplayName} ({split} split) was not found. Looked for {imagesName}(.gz) and {labelsName}(.gz) in:{report}\n" +
                HowToGet(environment));
        }

        string destination = home ?? root ?? Path.Combine(environment.DataDirectory ?? environment.CacheRoot, DirectoryName);
        Directory.CreateDirectory(destination);
        DownloadSource origin = source ?? Source;
        if (environment.Mirror is { } mirror) origin = origin with { BaseUrls = [mirror] };
        foreach (string name in new[] { imagesName, labelsName })
        {
            if (Find(destination, name) is not null) continue;
            string file = name + ".gz";
            if (!origin.Sha256.TryGetValue(file, out string? sum))
                throw new InvalidOperationException($"{DisplayName}: no SHA-256 is known for {file}");
            Downloader.Download(origin.BaseUrls, file, sum, Path.Combine(destination, file));
        }
        return Read(Find(destination, imagesName)!, Find(destination, labelsName)!, flatten);
    }

    private IEnumerable<(string? Directory, string Description)> Places(string? root, DatasetEnvironment environment)
    {
        if (root is not null) yield return (root, "the root argument");
        yield return environment.DataDirectory is { } data
            ? (Path.Combine(data, DirectoryName), $"${DatasetEnvironment.DataVariable}/{DirectoryName}")
            : (null, $"${DatasetEnvironment.DataVariable}/{DirectoryName}: {DatasetEnvironment.DataVariable} is not set");
        yield return (Path.Combine(environment.CacheRoot, DirectoryName), "the per-user cache");
        if (DebianDirectory is not null) yield return (DebianDirectory, $"Debian package {DebianPackage}");
    }

    private string HowToGet(DatasetEnvironment environment)
    {
        var how = new StringBuilder("To get it:");
        if (DebianPackage is not null)
            how.Append(CultureInfo.InvariantCulture, $"\n  - install the Debian package: sudo apt-get install {DebianPackage} (files land in {DebianDirectory})");
        how.Append(CultureInfo.InvariantCulture,
            $"\n  - place the four files ({string.Join(", ", Source.Sha256.Keys)}) in {Path.Combine(environment.CacheRoot, DirectoryName)}, " +
            $"or in $NABLA_DATA/{DirectoryName} with the {DatasetEnvironment.DataVariable} environment variable set, or pass root: \"<directory>\"");
        how.Append(CultureInfo.InvariantCulture,
            $"\n  - pass download: true to {LoaderName}.Load (--download on the nabla command line) to fetch them from {Source.BaseUrls[0]} " +
            $"(set {DatasetEnvironment.MirrorVariable} to use another mirror)");
        return how.ToString();
    }

    private static string? Find(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz)) return gz;
        string raw = Path.Combine(directory, name);
        return File.Exists(raw) ? raw : null;
    }

    private TensorDataset Read(string imagesPath, string labelsPath, bool flatten)
    {
        IdxImages images = Idx.ReadImages(imagesPath);
        byte[] labels = Idx.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
            throw new InvalidDataException($"{DisplayName}: {imagesPath} holds {images.Count} images but {labelsPath} holds {labels.Length} labels");

        int[] shape = flatten ? [images.Count, images.Rows * images.Columns] : [images.Count, 1, images.Rows, images.Columns];

        var y = Tensor.Empty(DType.Int64, [labels.Length]);
        Span<long> classes = y.Span<long>();
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= Classes.Count)
                throw new InvalidDataException($"{labelsPath}: label {labels[i]} at index {i} is out of range for {Classes.Count} classes");
            classes[i] = labels[i];
        }
        // NOTE: the pixels stay bytes (a quarter of the memory of float32) and each batch is converted to
        // value / 255 as it is gathered, as torchvision converts each sample; the values are the same.
        return TensorDataset.FromBytes(images.Pixels, shape, y);
    }
}
