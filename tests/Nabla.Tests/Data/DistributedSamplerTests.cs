using Nabla.Data;

namespace Nabla.Tests.Data;

public class DistributedSamplerTests
{
    private static int[][] Shards(int n, int replicas, bool shuffle = false, bool dropLast = false, int epoch = 0) =>
        [.. Enumerable.Range(0, replicas).Select(r =>
        {
            var s = new DistributedSampler(TensorDatasetTests.Numbered(n), replicas, r, shuffle, seed: 7, dropLast: dropLast);
            s.SetEpoch(epoch);
            return s.Indices();
        })];

    [Fact]
    public void Indices_TenSamplesThreeReplicas_PadsWithTheStartAsPyTorch()
    {
        // PyTorch: indices = [0..9] + [0, 1]; rank r takes indices[r::3].
        int[][] shards = Shards(10, 3);
        Assert.Equal([0, 3, 6, 9], shards[0]);
        Assert.Equal([1, 4, 7, 0], shards[1]);
        Assert.Equal([2, 5, 8, 1], shards[2]);
    }

    [Fact]
    public void Indices_DropLast_CutsTheTail()
    {
        int[][] shards = Shards(10, 3, dropLast: true);
        Assert.Equal([0, 3, 6], shards[0]);
        Assert.Equal([2, 5, 8], shards[2]);
    }

    [Fact]
    public void Indices_FewerSamplesThanReplicas_RepeatsCyclically()
    {
        int[][] shards = Shards(2, 5);
        Assert.Equal([[0], [1], [0], [1], [0]], shards);
    }

    [Fact]
    public void Indices_Shuffled_ShardsAreDisjointAndCoverTheDataset()
    {
        int[][] shards = Shards(100, 4, shuffle: true);
        Assert.All(shards, s => Assert.Equal(25, s.Length));
        Assert.Equal(Enumerable.Range(0, 100), shards.SelectMany(s => s).Order());
        Assert.NotEqual(Enumerable.Range(0, 25).Select(i => i * 4), shards[0]);
    }

    [Fact]
    public void SetEpoch_NewEpoch_NewPermutationSharedByAllRanks()
    {
        int[][] first = Shards(50, 2, shuffle: true, epoch: 0), again = Shards(50, 2, shuffle: true, epoch: 0), next = Shards(50, 2, shuffle: true, epoch: 1);
        Assert.Equal(first, again);
        Assert.NotEqual(first[0], next[0]);
        Assert.Equal(Enumerable.Range(0, 50), next.SelectMany(s => s).Order());
    }

    [Fact]
    public void Constructor_BadRankOrReplicas_ThrowsNamingTheValue()
    {
        var ds = TensorDatasetTests.Numbered(10);
        Assert.Contains("got 2", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(ds, 2, 2)).Message);
        Assert.Contains("got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new DistributedSampler(ds, 0, 0)).Message);
        Assert.Contains("3 samples", Assert.Throws<ArgumentException>(() => new DistributedSampler(TensorDatasetTests.Numbered(3), 4, 0, dropLast: true)).Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void DataLoader_WithSampler_BatchesTheSamplersIndices(bool prefetch)
    {
        var ds = TensorDatasetTests.Numbered(10);
        var sampler = new DistributedSampler(ds, 3, 1, shuffle: false);
        var loader = new DataLoader(ds, batchSize: 3, sampler: sampler, prefetch: prefetch);
        Assert.Equal(2, loader.BatchCount);
        long[] labels = [.. loader.SelectMany(b => b.Labels.ToArray<long>())];
        long[] expected = [.. sampler.Indices().Select(i => (long)i)]; // sample i has label i
        Assert.Equal(expected, labels);
    }

    [Fact]
    public void DataLoader_SamplerAndShuffle_Refused()
    {
        var ds = TensorDatasetTests.Numbered(10);
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(ds, 2, shuffle: true, sampler: new DistributedSampler(ds, 2, 0)));
        Assert.Contains("sampler and shuffle", e.Message);
    }
}
