using Nabla.Data;

namespace Nabla.Tests.Data;

/// <summary>Both splits of MNIST and Fashion-MNIST come from one place (Note [One place per dataset]).</summary>
public class MnistOnePlaceTests
{
    private static DatasetEnvironment Environment(string home, string? data) =>
        new(name => name == DatasetEnvironment.DataVariable ? data : null, home);

    /// <summary>Writes one split of three 28x28 images whose first label is <paramref name="firstLabel"/>.</summary>
    private static void WriteSplit(string directory, bool train, byte firstLabel)
    {
        Directory.CreateDirectory(directory);
        var (images, labels) = MnistFamily.FileNames(train);
        Idx.WriteImages(Path.Combine(directory, images + ".gz"), new byte[3 * 784], 3, 28, 28);
        Idx.WriteLabels(Path.Combine(directory, labels + ".gz"), new byte[] { firstLabel, 1, 2 });
    }

    [Fact]
    public void Load_TrainingSplitMissingWhereTheTestSplitIs_NamesTheMissingFilesInsteadOfUsingALaterPlace()
    {
        using var home = new TempDirectory();
        using var data = new TempDirectory();
        using var debian = new TempDirectory();
        string ours = Path.Combine(data.Path, "fashion-mnist");
        WriteSplit(ours, train: false, firstLabel: 1);
        WriteSplit(debian.Path, train: true, firstLabel: 2);
        WriteSplit(debian.Path, train: false, firstLabel: 3);
        var family = FashionMnist.Family with { DebianDirectory = debian.Path };

        Assert.Equal(1, family.Load(false, null, false, true, Environment(home.Path, data.Path), null).Labels.ToArray<long>()[0]);
        var e = Assert.Throws<FileNotFoundException>(() => family.Load(true, null, false, true, Environment(home.Path, data.Path), null));
        Assert.Contains($"Fashion-MNIST (training split): {ours} ($NABLA_DATA/fashion-mnist) has t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz " +
                        "but not train-images-idx3-ubyte(.gz) and train-labels-idx1-ubyte(.gz)", e.Message);
        Assert.Contains("training and test data come from one copy", e.Message);

        // Without the partial copy, both splits come from the next place that holds the dataset.
        Directory.Delete(ours, recursive: true);
        Assert.Equal(2, family.Load(true, null, false, true, Environment(home.Path, data.Path), null).Labels.ToArray<long>()[0]);
        Assert.Equal(3, family.Load(false, null, false, true, Environment(home.Path, data.Path), null).Labels.ToArray<long>()[0]);
    }
}
