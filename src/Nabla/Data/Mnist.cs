namespace Nabla.Data;

/// <summary>
/// MNIST (LeCun, Cortes and Burges): 28x28 grayscale images of handwritten digits, 60,000 for training and 10,000 for
/// testing.
/// </summary>
/// <remarks>
/// <para>The four IDX files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, each raw or with <c>.gz</c>) are looked for, in order, in: the <c>root</c> argument;
/// <c>$NABLA_DATA/mnist</c>; <c>~/.nabla/datasets/mnist</c>. Debian ships no MNIST package. Both splits come from the first of these places that holds any of the four files: a split missing there is a <see cref="FileNotFoundException"/> naming the files, never taken from a later place.</para>
/// <para>With <c>download: true</c>, missing files are fetched from the mirror PyTorch uses (or from
/// <c>$NABLA_DATASET_MIRROR</c>), checked against their SHA-256 and written atomically to <c>root</c>, else
/// <c>$NABLA_DATA/mnist</c>, else <c>~/.nabla/datasets/mnist</c>.</para>
/// </remarks>
public static class Mnist
{
    internal static readonly MnistFamily Family = new()
    {
        DisplayName = "MNIST",
        DirectoryName = "mnist",
        LoaderName = nameof(Mnist),
        Source = new DownloadSource(
            [
                "https://ossci-datasets.s3.amazonaws.com/mnist",
                "https://storage.googleapis.com/cvdf-datasets/mnist",
                "http://yann.lecun.com/exdb/mnist",
            ],
            // The SHA-256 of the original files (MD5s f68b3c2d..., d53e105e..., 9fb629c4..., ec29112d...).
            new Dictionary<string, string>
            {
                ["train-images-idx3-ubyte.gz"] = "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                ["train-labels-idx1-ubyte.gz"] = "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                ["t10k-images-idx3-ubyte.gz"] = "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                ["t10k-labels-idx1-ubyte.gz"] = "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            }),
        Classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    };

    /// <summary>The class names ("0" to "9"), indexed by label.</summary>
    public static IReadOnlyList<string> Classes => Family.Classes;

    /// <summary>Loads the training or test split.</summary>
    /// <param name="train">True for the 60,000 training images, false for the 10,000 test images.</param>
    /// <param name="root">A directory to look in first (and to download into), or null.</param>
    /// <param name="download">Fetch the files when they are found nowhere.</param>
    /// <param name="flatten">Shape the images <c>[N, 784]</c> instead of <c>[N, 1, 28, 28]</c>.</param>
    /// <returns>Images as float32 in [0, 1] (pixel / 255), <c>[N, 1, 28, 28]</c> or <c>[N, 784]</c>, and int64 labels <c>[N]</c> in 0..9.</returns>
    /// <exception cref="FileNotFoundException">The files are nowhere to be found (the message lists every place searched and how to get them), or the place that holds the other split lacks this one's (the message names the files).</exception>
    /// <exception cref="InvalidDataException">A file is truncated or corrupt; the message names the file and the field.</exception>
    public static TensorDataset Load(bool train, string? root = null, bool download = false, bool flatten = false)
        => Family.Load(train, root, download, flatten, DatasetEnvironment.Current, null);

    internal static TensorDataset Load(bool train, string? root, bool download, bool flatten, DatasetEnvironment environment, DownloadSource? source)
        => Family.Load(train, root, download, flatten, environment, source);
}
