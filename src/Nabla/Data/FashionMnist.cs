namespace Nabla.Data;

/// <summary>
/// Fashion-MNIST (Zalando Research): 28x28 grayscale images of clothing in 10 classes, 60,000 for training and
/// 10,000 for testing, under the MIT licence.
/// </summary>
/// <remarks>
/// <para>The four IDX files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, each raw or with <c>.gz</c>) are looked for, in order, in: the <c>root</c> argument;
/// <c>$NABLA_DATA/fashion-mnist</c>; <c>~/.nabla/datasets/fashion-mnist</c>; <c>/usr/share/datasets/fashion-mnist</c>
/// (Debian's <c>dataset-fashion-mnist</c> package). Both splits come from the first of these places that holds any of the four files: a split missing there is a <see cref="FileNotFoundException"/> naming the files, never taken from a later place.</para>
/// <para>With <c>download: true</c>, missing files are fetched from the official addresses (or from
/// <c>$NABLA_DATASET_MIRROR</c>), checked against their published SHA-256 and written atomically to <c>root</c>, else
/// <c>$NABLA_DATA/fashion-mnist</c>, else <c>~/.nabla/datasets/fashion-mnist</c>.</para>
/// </remarks>
public static class FashionMnist
{
    internal static readonly MnistFamily Family = new()
    {
        DisplayName = "Fashion-MNIST",
        DirectoryName = "fashion-mnist",
        LoaderName = nameof(FashionMnist),
        DebianDirectory = "/usr/share/datasets/fashion-mnist",
        DebianPackage = "dataset-fashion-mnist",
        Source = new DownloadSource(
            [
                "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion",
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
            ],
            // The SHA-256 of the files published by Zalando Research (their MD5s are in the project README).
            new Dictionary<string, string>
            {
                ["train-images-idx3-ubyte.gz"] = "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                ["train-labels-idx1-ubyte.gz"] = "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                ["t10k-images-idx3-ubyte.gz"] = "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                ["t10k-labels-idx1-ubyte.gz"] = "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            }),
        Classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    };

    /// <summary>The class names, indexed by label.</summary>
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
