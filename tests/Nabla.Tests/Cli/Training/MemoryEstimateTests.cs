using Nabla.Cli.Training;

namespace Nabla.Tests.Cli.Training;

/// <summary>MemoryEstimate: a model beyond the available memory is refused naming both figures.</summary>
public class MemoryEstimateTests
{
    [Fact]
    public void MemoryEstimate_BeyondWhatIsAvailable_NamesBothFigures()
    {
        var e = Assert.Throws<UsageException>(() => MemoryEstimate.Require(25.6e9, "training --layers 64,40000,40000,10", "pass narrower --layers", availableBytes: 16_000_000_000));
        Assert.Equal("training --layers 64,40000,40000,10 needs at least 25.6 GB of memory, but this machine has 16 GB", e.Message);
        MemoryEstimate.Require(15e9, "a model", "", availableBytes: 16_000_000_000);
    }
}
