using Nabla.Data;

namespace Nabla.Tests.Data;

public class TensorDatasetTests
{
    /// <summary>Ten samples: features [10, 2, 3] with sample i holding 6i .. 6i+5, labels i.</summary>
    internal static TensorDataset Numbered(int n = 10)
    {
        var x = new float[n * 6];
        for (int i = 0; i < x.Length; i++) x[i] = i;
        var y = new long[n];
        for (int i = 0; i < n; i++) y[i] = i;
        return new TensorDataset(Tensor.From(x, [n, 2, 3]), Tensor.From(y));
    }

    [Fact]
    public void GetItem_ReturnsRowWithoutBatchDimension()
    {
        var ds = Numbered();
        Assert.Equal(10, ds.Count);
        var (x, y) = ds[3];
        Assert.Equal(new Shape(2, 3), x.Shape);
        Assert.Equal([18f, 19f, 20f, 21f, 22f, 23f], x.ToArray<float>());
        Assert.Equal(0, y.Rank);
        Assert.Equal(3L, y.Item<long>());
    }

    [Fact]
    public void GetItem_OutOfRange_NamesIndexAndCount()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Numbered().GetItem(10));
        Assert.Contains("index 10", ex.Message);
        Assert.Contains("10 samples", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbered()[-1]);
    }

    [Fact]
    public void GetBatch_GathersRowsIntoFreshContiguousTensors()
    {
        var ds = Numbered();
        var (x, y) = ds.GetBatch([4, 0, 4]);
        Assert.Equal(new Shape(3, 2, 3), x.Shape);
        Assert.True(x.IsContiguous);
        Assert.Equal([24f, 25f, 26f, 27f, 28f, 29f, 0f, 1f, 2f, 3f, 4f, 5f, 24f, 25f, 26f, 27f, 28f, 29f], x.ToArray<float>());
        Assert.Equal([4L, 0L, 4L], y.ToArray<long>());
        x.Fill(-1);
        Assert.Equal(24f, ds.Features.ToArray<float>()[24]);
    }

    [Fact]
    public void Constructor_NonContiguousFeatures_AreMadeContiguous()
    {
        Tensor x = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]).MT; // [3, 2]: rows (1,4), (2,5), (3,6)
        var ds = new TensorDataset(x, Tensor.From([0L, 1L, 2L]));
        Assert.Equal([2f, 5f], ds[1].Features.ToArray<float>());
    }

    [Fact]
    public void Constructor_CountMismatch_NamesBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Zeros([4, 2]), Tensor.Zeros([3], DType.Int64)));
        Assert.Contains("[4, 2]", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Scalar(1f), Tensor.Zeros([1])));
    }

    [Fact]
    public void Subset_KeepsOrderAndCopies()
    {
        var sub = Numbered().Subset([7, 2]);
        Assert.Equal(2, sub.Count);
        Assert.Equal([7L, 2L], sub.Labels.ToArray<long>());
        Assert.Equal(42f, sub[0].Features.ToArray<float>()[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => Numbered().Subset([10]));
    }

    [Fact]
    public void Split_SameSeed_SameDisjointPartsCoveringAll()
    {
        var (train, validation) = Numbered().Split(0.7, new Generator(5));
        var (train2, _) = Numbered().Split(0.7, new Generator(5));
        Assert.Equal(7, train.Count);
        Assert.Equal(3, validation.Count);
        Assert.Equal(train.Labels.ToArray<long>(), train2.Labels.ToArray<long>());
        long[] all = [.. train.Labels.ToArray<long>(), .. validation.Labels.ToArray<long>()];
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), all.Order());
        var (other, _) = Numbered().Split(0.7, new Generator(6));
        Assert.NotEqual(train.Labels.ToArray<long>(), other.Labels.ToArray<long>());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Split_FractionOutsideUnitInterval_Throws(double fraction)
        => Assert.Contains("fraction", Assert.Throws<ArgumentOutOfRangeException>(() => Numbered().Split(fraction, new Generator(0))).Message);

    [Fact]
    public void WithTransform_AppliesPerBatchAndComposes()
    {
        var ds = Numbered().WithTransform(x => x * 2.0).WithTransform(x => x + 1.0);
        var (x, _) = ds.GetBatch([1]);
        Assert.Equal(13f, x.ToArray<float>()[0]); // 6 * 2 + 1
        Assert.Equal(13f, ds[1].Features.ToArray<float>()[0]);
        Assert.Equal(6f, ds.Features.ToArray<float>()[6]);
        Assert.Equal(13f, ds.Subset([1])[0].Features.ToArray<float>()[0]);
    }

    [Fact]
    public void DatasetBase_DefaultGetBatch_StacksSamples()
    {
        var ds = new SquaresDataset();
        var (x, y) = ds.GetBatch([3, 1]);
        Assert.Equal(new Shape(2, 2), x.Shape);
        Assert.Equal([3f, 9f, 1f, 1f], x.ToArray<float>());
        Assert.Equal([3L, 1L], y.ToArray<long>());
        Assert.Throws<ArgumentOutOfRangeException>(() => ds.GetBatch([4]));
    }

    private sealed class SquaresDataset : Dataset
    {
        public override int Count => 4;

        public override (Tensor Features, Tensor Label) GetItem(int index) => (Tensor.From([(float)index, index * index]), Tensor.From([(long)index], []));
    }

    /// <summary>Random bytes of shape [n, 3, 5] and the float32 dataset converted up front (value / divisor).</summary>
    private static (byte[] Bytes, TensorDataset Bytewise, TensorDataset Converted) ByteAndFloat(int n, float divisor, Func<Tensor, Tensor>? transform = null)
    {
        var rng = new Random(n);
        var bytes = new byte[n * 15];
        rng.NextBytes(bytes);
        var labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = rng.Next(10);
        var floats = new float[bytes.Length];
        for (int i = 0; i < floats.Length; i++) floats[i] = bytes[i] / divisor;
        return (bytes, TensorDataset.FromBytes(bytes, [n, 3, 5], Tensor.From(labels), divisor, transform),
            new TensorDataset(Tensor.From(floats, [n, 3, 5]), Tensor.From(labels), transform));
    }

    [Theory]
    [InlineData(1, 255f)]
    [InlineData(17, 255f)]
    [InlineData(33, 7f)]
    public void FromBytes_BatchesEqualTheConvertedDatasetBitForBit(int n, float divisor)
    {
        var (_, bytewise, converted) = ByteAndFloat(n, divisor);
        Assert.Equal(n, bytewise.Count);
        var rng = new Random(5);
        int[] indices = Enumerable.Range(0, 2 * n + 1).Select(_ => rng.Next(n)).ToArray();
        var (x, y) = bytewise.GetBatch(indices);
        var (cx, cy) = converted.GetBatch(indices);
        Assert.Equal(cx.Shape, x.Shape);
        Assert.Equal(DType.Float32, x.DType);
        Assert.True(x.IsContiguous);
        Assert.Equal(cx.ToArray<float>(), x.ToArray<float>());
        Assert.Equal(cy.ToArray<long>(), y.ToArray<long>());
        Assert.Equal(converted.Features.ToArray<float>(), bytewise.Features.ToArray<float>());
        Assert.Equal(converted[n - 1].Features.ToArray<float>(), bytewise[n - 1].Features.ToArray<float>());
    }

    [Fact]
    public void FromBytes_SubsetSplitAndTransformsBehaveAsTheConvertedDataset()
    {
        var (_, bytewise, converted) = ByteAndFloat(20, 255f, x => x * 2.0);
        Assert.Equal(converted.Subset([3, 3, 19]).GetBatch([2, 0]).Features.ToArray<float>(),
            bytewise.Subset([3, 3, 19]).GetBatch([2, 0]).Features.ToArray<float>());
        var (trainB, valB) = bytewise.Split(0.7, new Generator(4));
        var (trainC, valC) = converted.Split(0.7, new Generator(4));
        Assert.Equal(trainC.Count, trainB.Count);
        Assert.Equal(trainC.Features.ToArray<float>(), trainB.Features.ToArray<float>());
        Assert.Equal(valC.GetBatch([0, 1]).Features.ToArray<float>(), valB.GetBatch([0, 1]).Features.ToArray<float>());
        TensorDataset shiftedB = bytewise.WithTransform(x => x + 1.0), shiftedC = converted.WithTransform(x => x + 1.0);
        Assert.Equal(shiftedC.GetBatch([5, 6]).Features.ToArray<float>(), shiftedB.GetBatch([5, 6]).Features.ToArray<float>());
        var loaded = new DataLoader(bytewise, 6, shuffle: true, generator: new Generator(3)).Select(b => b.Features.ToArray<float>()).ToList();
        var expected = new DataLoader(converted, 6, shuffle: true, generator: new Generator(3)).Select(b => b.Features.ToArray<float>()).ToList();
        Assert.Equal(expected, loaded);
    }

    [Fact]
    public void FromBytes_NeverWritesToTheBytes()
    {
        var (bytes, bytewise, _) = ByteAndFloat(4, 255f);
        byte[] before = (byte[])bytes.Clone();
        var (x, _) = bytewise.GetBatch([1, 2]);
        x.Fill(-1);
        bytewise.Features.Fill(-1);
        Assert.Equal(before, bytes);
        Assert.Equal(bytes[15] / 255f, bytewise.Features.ToArray<float>()[15]);
    }

    [Fact]
    public void FromBytes_BadArguments_NameWhatWasExpected()
    {
        Tensor labels = Tensor.From([0L, 1L]);
        var ex = Assert.Throws<ArgumentException>(() => TensorDataset.FromBytes(new byte[5], [2, 3], labels));
        Assert.Contains("[2, 3] needs 6 values but got 5", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => TensorDataset.FromBytes(new byte[6], [3, 2], labels));
        Assert.Contains("disagree on the number of samples (3 vs 2)", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => TensorDataset.FromBytes(new byte[6], [2, 3], labels, divisor: 0));
        Assert.Contains("divisor must be finite and non-zero", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => TensorDataset.FromBytes(new byte[6], [], labels));
        Assert.Contains("sample dimension", ex.Message);
    }
}
