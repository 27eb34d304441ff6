using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Tensors;

/// <summary>Creating tensors (Tensor.Creation.cs): From, the factories, random tensors, To, and their errors.</summary>
public class TensorCreationTests
{
    [Fact]
    public void From_WithShape_HasShapeStridesAndDefaultDType()
    {
        var t = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
        Assert.Equal(new Shape(2, 3), t.Shape);
        Assert.Equal([3, 1], t.Strides());
        Assert.Equal(DType.Float32, t.DType);
        Assert.Equal(6, t.Numel);
        Assert.True(t.IsContiguous);
    }

    [Fact]
    public void From_WrongLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tensor.From([1f, 2f, 3f], [2, 2]));
        Assert.Contains("[2, 2]", ex.Message);
    }

    [Fact]
    public void Creation_FunctionsProduceExpectedValues()
    {
        Assert.Equal([0f, 0f], Tensor.Zeros([2]).ToArray<float>());
        Assert.Equal([1.0, 1.0], Tensor.Ones([2], DType.Float64).ToArray<double>());
        Assert.Equal([7L, 7L, 7L], Tensor.Full([3], 7, DType.Int64).ToArray<long>());
        Assert.Equal([0L, 1L, 2L, 3L], Tensor.Arange(4).ToArray<long>());
        Assert.Equal([1f, 1.5f, 2f, 2.5f], Tensor.Arange(1, 3, 0.5).ToArray<float>());
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0], Tensor.Linspace(0, 1, 5, DType.Float64).ToArray<double>());
        Assert.Equal([1f, 0f, 0f, 0f, 1f, 0f], Tensor.Eye(2, 3).ToArray<float>());
        var like = Tensor.Zeros([2, 3], DType.Float64);
        Assert.Equal(like.Shape, Tensor.OnesLike(like).Shape);
        Assert.Equal(DType.Float64, Tensor.FullLike(like, 2).DType);
        Assert.Equal(DType.Float64, Tensor.RandnLike(like).DType);
    }

    [Fact]
    public void Randn_HasRoughlyStandardMoments()
    {
        Tensor t = Tensor.Randn([20000], DType.Float64, new Generator(7));
        Assert.InRange(t.Mean().Item(), -0.03, 0.03);
        Assert.InRange(t.Std().Item(), 0.97, 1.03);
    }

    [Fact]
    public void RandInt_StaysInRange()
    {
        long[] v = Tensor.RandInt(3, 7, [1000], new Generator(1)).ToArray<long>();
        Assert.All(v, x => Assert.InRange(x, 3, 6));
        Assert.Contains(3L, v);
        Assert.Contains(6L, v);
    }

    [Fact]
    public void To_ConvertsDTypeAndIsDifferentiable()
    {
        var x = Tensor.From([1.5f, 2.5f], requiresGrad: true);
        Tensor d = x.To(DType.Float64);
        Assert.Equal(DType.Float64, d.DType);
        (d * d).Sum().Backward();
        Assert.Equal([3f, 5f], x.Grad!.ToArray<float>());
        Assert.Equal([1L, 2L], x.Detach().To(DType.Int64).ToArray<long>());
    }

    [Fact]
    public void Creation_NegativeDimension_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, -1])), "zeros", "[2, -1]");

    [Fact]
    public void Arange_ZeroStep_Throws()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0)), "arange", "step");
}
