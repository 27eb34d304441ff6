using Nabla.Cli.Training;

namespace Nabla.Tests.Cli.Training;

/// <summary>DatasetCatalog: labels outside the class range are named with their sample.</summary>
public class DatasetCatalogTests
{
    [Fact]
    public void ClassCount_LabelsBeyondTheClassRange_NameTheLabelAndSample()
    {
        Assert.Equal(4, DatasetCatalog.ClassCount([0, 3, 1], "csv:a.csv", "y"));
        var e = Assert.Throws<UsageException>(() => DatasetCatalog.ClassCount([0, 1, -1], "csv:a.csv", "y"));
        Assert.Equal("--dataset csv:a.csv: label -1 of sample 3 in column 'y' is negative", e.Message);
        e = Assert.Throws<UsageException>(() => DatasetCatalog.ClassCount([3_000_000_000], "csv:a.csv", "y"));
        Assert.Contains("label 3000000000 of sample 1 in column 'y' is too large", e.Message);
    }
}
