using Nabla.Data;

namespace Nabla.Tests.Data;

public class NormalizeTests
{
    [Fact]
    public void Apply_SingleValue_NormalisesEveryElement()
    {
        Tensor y = new Normalize(2, 4).Apply(Tensor.From([2f, 6f, -2f, 10f], [2, 2]));
        Assert.Equal([0f, 1f, -1f, 2f], y.ToArray<float>());
    }

    [Fact]
    public void Apply_PerChannel_UsesDimensionOne()
    {
        // [B=2, C=2, 2]: channel 0 mean 1 std 1, channel 1 mean 10 std 5.
        Tensor x = Tensor.From([1f, 2f, 10f, 20f, 0f, 1f, 15f, 5f], [2, 2, 2]);
        Tensor y = new Normalize([1, 10], [1, 5]).Apply(x);
        Assert.Equal([0f, 1f, 0f, 2f, -1f, 0f, 1f, -1f], y.ToArray<float>());
        Assert.Equal(1f, x.ToArray<float>()[0]);
    }

    [Fact]
    public void Apply_Float64_StaysFloat64()
    {
        Tensor y = new Normalize(0.5, 0.25).Apply(Tensor.From([1.0, 0.0], dtype: DType.Float64));
        Assert.Equal(DType.Float64, y.DType);
        Assert.Equal([2.0, -2.0], y.ToArray<double>());
    }

    [Fact]
    public void Apply_ChannelCountMismatch_NamesShape()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Normalize([0, 0, 0], [1, 1, 1]).Apply(Tensor.Zeros([4, 1, 2, 2])));
        Assert.Contains("[4, 1, 2, 2]", ex.Message);
        Assert.Contains("3", ex.Message);
    }

    [Fact]
    public void Constructor_NonPositiveStdOrLengthMismatch_Throws()
    {
        Assert.Contains("std", Assert.Throws<ArgumentException>(() => new Normalize(0, 0)).Message);
        Assert.Throws<ArgumentException>(() => new Normalize([0, 1], [1]));
        Assert.Throws<ArgumentException>(() => new Normalize(0, double.NaN));
    }

    [Fact]
    public void Apply_IntegerBatch_NamesDType()
        => Assert.Contains("int64", Assert.Throws<ArgumentException>(() => new Normalize(0, 1).Apply(Tensor.Arange(3))).Message);

    [Fact]
    public void AsDatasetTransform_NormalisesBatches()
    {
        var ds = new TensorDataset(Tensor.From([1f, 3f], [2, 1]), Tensor.From([0L, 1L])).WithTransform(new Normalize(2, 1).Apply);
        Assert.Equal([-1f, 1f], ds.GetBatch([0, 1]).Features.ToArray<float>());
    }
}
