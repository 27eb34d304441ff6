using System.Security.Cryptography;
using Nabla.Data;

namespace Nabla.Tests.Data;

/// <summary>MNIST and Fashion-MNIST loading from small IDX files the tests write, and downloading them from a local server.</summary>
public class MnistTests
{
    private const int Count = 6;

    private static readonly string[] TestFiles = ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private static DatasetEnvironment Environment(string home, string? data = null, string? mirror = null)
        => new(name => name switch
        {
            DatasetEnvironment.DataVariable => data,
            DatasetEnvironment.MirrorVariable => mirror,
            _ => null,
        }, home);

    private static byte[] Labels(byte first = 0) => [first, 1, 2, 9, 0, 5];

    /// <summary>Writes the test split (6 images of 28x28) into <paramref name="directory"/>, gzip or raw.</summary>
    private static void WriteTestSplit(string directory, bool gzip = true, byte firstLabel = 0)
    {
        Directory.CreateDirectory(directory);
        string ext = gzip ? ".gz" : "";
        Idx.WriteImages(Path.Combine(directory, "t10k-images-idx3-ubyte" + ext), IdxTests.Pixels(Count, 28, 28), Count, 28, 28);
        Idx.WriteLabels(Path.Combine(directory, "t10k-labels-idx1-ubyte" + ext), Labels(firstLabel));
    }

    /// <summary>The bytes of a gzip test split, with their SHA-256, as a server would publish them.</summary>
    private static (Dictionary<string, byte[]> Files, Dictionary<string, string> Sums) PublishedTestSplit()
    {
        using var dir = new TempDirectory();
        WriteTestSplit(dir.Path);
        var files = TestFiles.ToDictionary(f => f, f => File.ReadAllBytes(dir.File(f)));
        var sums = files.ToDictionary(kv => kv.Key, kv => Convert.ToHexStringLower(SHA256.HashData(kv.Value)));
        return (files, sums);
    }

    private static MnistFamily FashionWithoutDebian(string debianDirectory) => FashionMnist.Family with { DebianDirectory = debianDirectory };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Load_FromRoot_ImagesScaledToUnitIntervalWithChannelDimension(bool gzip)
    {
        using var dir = new TempDirectory();
        WriteTestSplit(dir.Path, gzip);
        TensorDataset ds = FashionMnist.Load(train: false, root: dir.Path, download: false, flatten: false, Environment(dir.Path), null);
        Assert.Equal(new Shape(Count, 1, 28, 28), ds.Features.Shape);
        Assert.Equal(DType.Float32, ds.Features.DType);
        Assert.Equal(DType.Int64, ds.Labels.DType);
        Assert.Equal(Labels().Select(b => (long)b), ds.Labels.ToArray<long>());
        float[] x = ds.Features.ToArray<float>();
        byte[] p = IdxTests.Pixels(Count, 28, 28);
        for (int i = 0; i < p.Length; i += 97) Assert.Equal(p[i] / 255f, x[i]);
        Assert.Equal(1f, x.Max());
        Assert.Equal(0f, x.Min());
    }

    [Fact]
    public void Load_Flatten_Gives784Columns()
    {
        using var dir = new TempDirectory();
        WriteTestSplit(dir.Path);
        var ds = Mnist.Load(train: false, root: dir.Path, download: false, flatten: true, Environment(dir.Path), null);
        Assert.Equal(new Shape(Count, 784), ds.Features.Shape);
    }

    [Fact]
    public void Load_LookupOrder_RootThenNablaDataThenCacheThenDebian()
    {
        using var home = new TempDirectory();
        using var root = new TempDirectory();
        using var data = new TempDirectory();
        using var debian = new TempDirectory();
        WriteTestSplit(root.Path, firstLabel: 1);
        WriteTestSplit(Path.Combine(data.Path, "fashion-mnist"), firstLabel: 2);
        WriteTestSplit(Path.Combine(home.Path, ".nabla", "datasets", "fashion-mnist"), firstLabel: 3);
        WriteTestSplit(debian.Path, firstLabel: 4);
        var family = FashionWithoutDebian(debian.Path);
        long First(string? r, string? d) => family.Load(false, r, false, false, Environment(home.Path, d), null).Labels.ToArray<long>()[0];

        Assert.Equal(1, First(root.Path, data.Path));
        Assert.Equal(2, First(null, data.Path));
        Assert.Equal(3, First(null, null));
        Directory.Delete(Path.Combine(home.Path, ".nabla"), recursive: true);
        Assert.Equal(4, First(null, null));
    }

    [Fact]
    public void Load_Missing_ListsEveryPlaceAndTheThreeWaysToGetIt()
    {
        using var home = new TempDirectory();
        string root = Path.Combine(home.Path, "my-root");
        string debian = Path.Combine(home.Path, "usr-share-datasets-fashion-mnist");
        var ex = Assert.Throws<FileNotFoundException>(() =>
            FashionWithoutDebian(debian).Load(false, root, false, false, Environment(home.Path), null));
        string m = ex.Message;
        Assert.Contains("Fashion-MNIST (test split) was not found", m);
        Assert.Contains("t10k-images-idx3-ubyte(.gz)", m);
        Assert.Contains($"1. {root} (the root argument): directory does not exist", m);
        Assert.Contains("2. $NABLA_DATA/fashion-mnist: NABLA_DATA is not set", m);
        Assert.Contains($"3. {Path.Combine(home.Path, ".nabla", "datasets", "fashion-mnist")}", m);
        Assert.Contains($"4. {debian} (Debian package dataset-fashion-mnist)", m);
        Assert.Contains("apt-get install dataset-fashion-mnist", m);
        Assert.Contains("NABLA_DATA environment variable", m);
        Assert.Contains("download: true", m);
        Assert.Contains("--download", m);
    }

    [Fact]
    public void Load_MnistMissing_HasNoDebianPackageButOtherWays()
    {
        using var home = new TempDirectory();
        using var data = new TempDirectory();
        var ex = Assert.Throws<FileNotFoundException>(() => Mnist.Load(true, null, false, false, Environment(home.Path, data.Path), null));
        Assert.Contains("MNIST (training split) was not found", ex.Message);
        Assert.Contains($"{Path.Combine(data.Path, "mnist")} ($NABLA_DATA/mnist)", ex.Message);
        Assert.DoesNotContain("apt-get", ex.Message);
        Assert.Contains("download: true", ex.Message);
    }

    [Fact]
    public void Load_OnlyImagesPresent_SaysWhichFileIsMissing()
    {
        using var home = new TempDirectory();
        using var root = new TempDirectory();
        WriteTestSplit(root.Path);
        File.Delete(root.File("t10k-labels-idx1-ubyte.gz"));
        var ex = Assert.Throws<FileNotFoundException>(() => Mnist.Load(false, root.Path, false, false, Environment(home.Path), null));
        Assert.Contains("has t10k-images-idx3-ubyte.gz but not t10k-labels-idx1-ubyte(.gz)", ex.Message);
    }

    [Fact]
    public void Load_LabelOutOfRange_NamesFileAndIndex()
    {
        using var home = new TempDirectory();
        using var root = new TempDirectory();
        WriteTestSplit(root.Path, firstLabel: 10);
        var ex = Assert.Throws<InvalidDataException>(() => Mnist.Load(false, root.Path, false, false, Environment(home.Path), null));
        Assert.Contains("t10k-labels-idx1-ubyte.gz: label 10 at index 0 is out of range for 10 classes", ex.Message);
    }

    [Fact]
    public void Load_ImageAndLabelCountsDiffer_NamesBothFiles()
    {
        using var home = new TempDirectory();
        using var root = new TempDirectory();
        WriteTestSplit(root.Path);
        Idx.WriteLabels(root.File("t10k-labels-idx1-ubyte.gz"), new byte[] { 1, 2 });
        var ex = Assert.Throws<InvalidDataException>(() => Mnist.Load(false, root.Path, false, false, Environment(home.Path), null));
        Assert.Contains($"holds {Count} images but", ex.Message);
        Assert.Contains("holds 2 labels", ex.Message);
    }

    [Fact]
    public void Load_TruncatedImages_NamesFileAndField()
    {
        using var home = new TempDirectory();
        using var root = new TempDirectory();
        WriteTestSplit(root.Path, gzip: false);
        string images = root.File("t10k-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..1016]);
        var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(false, root.Path, false, false, Environment(home.Path), null));
        Assert.Equal($"{images}: header says {Count} images of 28x28 ({Count * 784} bytes) but the file holds 1000 bytes of data", ex.Message);
    }

    [Fact]
    public void Download_FromLocalServer_VerifiesAndSavesAtomicallyIntoRoot()
    {
        var (files, sums) = PublishedTestSplit();
        using var server = new TestHttpServer();
        foreach (var (name, body) in files) server.Serve(name, body);
        using var home = new TempDirectory();
        using var root = new TempDirectory();

        // Debian's real files may be installed; the chain must not reach them here.
        var family = FashionWithoutDebian(Path.Combine(home.Path, "no-debian"));
        var ds = family.Load(false, root.Path, download: true, flatten: false, Environment(home.Path), new DownloadSource([server.BaseUrl], sums));

        Assert.Equal(Count, ds.Count);
        Assert.Equal(TestFiles.Order(), root.FileNames());
        Assert.Equal(files["t10k-images-idx3-ubyte.gz"], File.ReadAllBytes(root.File("t10k-images-idx3-ubyte.gz")));
        Assert.Equal(["/data/t10k-images-idx3-ubyte.gz", "/data/t10k-labels-idx1-ubyte.gz"], server.Requests);

        // Present now: a second load with download: true fetches nothing.
        family.Load(false, root.Path, download: true, flatten: false, Environment(home.Path), new DownloadSource([server.BaseUrl], sums));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public void Download_NoRoot_GoesToNablaDataOrElseTheUserCache()
    {
        var (files, sums) = PublishedTestSplit();
        using var server = new TestHttpServer();
        foreach (var (name, body) in files) server.Serve(name, body);
        using var home = new TempDirectory();
        using var data = new TempDirectory();
        var source = new DownloadSource([server.BaseUrl], sums);
        var family = FashionWithoutDebian(Path.Combine(home.Path, "no-debian"));

        family.Load(false, null, true, false, Environment(home.Path, data.Path), source);
        Assert.Equal(TestFiles.Order(), Directory.GetFiles(Path.Combine(data.Path, "fashion-mnist")).Select(Path.GetFileName).Order());

        family.Load(false, null, true, false, Environment(home.Path), source);
        Assert.Equal(TestFiles.Order(), Directory.GetFiles(Path.Combine(home.Path, ".nabla", "datasets", "fashion-mnist")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Download_TruncatedTransfer_FailsClearlyAndLeavesNoFile()
    {
        var (files, sums) = PublishedTestSplit();
        using var server = new TestHttpServer();
        server.Serve("t10k-images-idx3-ubyte.gz", files["t10k-images-idx3-ubyte.gz"], truncateTo: 100);
        server.Serve("t10k-labels-idx1-ubyte.gz", files["t10k-labels-idx1-ubyte.gz"]);
        using var home = new TempDirectory();
        using var root = new TempDirectory();

        var ex = Assert.Throws<IOException>(() =>
            Mnist.Load(false, root.Path, true, false, Environment(home.Path), new DownloadSource([server.BaseUrl], sums)));

        Assert.Contains("Downloading t10k-images-idx3-ubyte.gz failed; nothing was saved", ex.Message);
        Assert.Contains($"{server.BaseUrl}/t10k-images-idx3-ubyte.gz: the download", ex.Message);
        Assert.Contains($"of {files["t10k-images-idx3-ubyte.gz"].Length}", ex.Message);
        Assert.Empty(root.FileNames());
    }

    [Fact]
    public void Download_WrongChecksum_FailsNamingBothSumsAndLeavesNoFile()
    {
        var (files, sums) = PublishedTestSplit();
        using var server = new TestHttpServer();
        foreach (var (name, body) in files) server.Serve(name, body);
        string wrong = new('0', 64);
        sums["t10k-images-idx3-ubyte.gz"] = wrong;
        using var home = new TempDirectory();
        using var root = new TempDirectory();

        var ex = Assert.Throws<IOException>(() =>
            FashionWithoutDebian(Path.Combine(home.Path, "no-debian")).Load(false, root.Path, true, false, Environment(home.Path), new DownloadSource([server.BaseUrl], sums)));

        Assert.Contains($"SHA-256 mismatch: expected {wrong}, got {Convert.ToHexStringLower(SHA256.HashData(files["t10k-images-idx3-ubyte.gz"]))}", ex.Message);
        Assert.Contains("discarded", ex.Message);
        Assert.Empty(root.FileNames());
    }

    [Fact]
    public void Download_FirstMirrorFails_SecondIsUsed_AndAllFailuresAreListed()
    {
        var (files, sums) = PublishedTestSplit();
        using var good = new TestHttpServer();
        using var empty = new TestHttpServer();
        foreach (var (name, body) in files) good.Serve(name, body);
        using var home = new TempDirectory();
        using var root = new TempDirectory();

        var ds = Mnist.Load(false, root.Path, true, false, Environment(home.Path), new DownloadSource([empty.BaseUrl, good.BaseUrl], sums));
        Assert.Equal(Count, ds.Count);

        using var root2 = new TempDirectory();
        var ex = Assert.Throws<IOException>(() =>
            Mnist.Load(false, root2.Path, true, false, Environment(home.Path), new DownloadSource([empty.BaseUrl, empty.BaseUrl + "2"], sums)));
        Assert.Contains($"{empty.BaseUrl}/t10k-images-idx3-ubyte.gz: the server answered 404", ex.Message);
        Assert.Contains($"{empty.BaseUrl}2/t10k-images-idx3-ubyte.gz: the server answered 404", ex.Message);
        Assert.Empty(root2.FileNames());

        var bad = Assert.Throws<IOException>(() =>
            Mnist.Load(false, root2.Path, true, false, Environment(home.Path), new DownloadSource(["ftp://example/mnist", "relative/path"], sums)));
        Assert.Contains("ftp://example/mnist/t10k-images-idx3-ubyte.gz: not an absolute http or https URL", bad.Message);
        Assert.Contains("relative/path/t10k-images-idx3-ubyte.gz: not an absolute http or https URL", bad.Message);
    }

    [Fact]
    public void Download_MirrorVariable_ReplacesBuiltInAddresses()
    {
        var (files, sums) = PublishedTestSplit();
        using var server = new TestHttpServer();
        foreach (var (name, body) in files) server.Serve(name, body);
        using var home = new TempDirectory();
        using var root = new TempDirectory();
        var unreachable = new DownloadSource(["http://127.0.0.1:9/none"], sums);

        var ds = Mnist.Load(false, root.Path, true, false, Environment(home.Path, mirror: server.BaseUrl), unreachable);
        Assert.Equal(Count, ds.Count);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public void BuiltInSources_HaveASha256ForEveryFileAndHttpsFirst()
    {
        foreach (var family in new[] { Mnist.Family, FashionMnist.Family })
        {
            Assert.Equal(4, family.Source.Sha256.Count);
            Assert.All(family.Source.Sha256.Values, s => Assert.Matches("^[0-9a-f]{64}$", s));
            Assert.StartsWith("https://", family.Source.BaseUrls[0]);
            Assert.Equal(10, family.Classes.Count);
        }
        Assert.Equal("Ankle boot", FashionMnist.Classes[9]);
    }
}
