using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The GroupNorm layer: parameters, forward, repr and errors.</summary>
public class GroupNormTests
{
    [Fact]
    public void GroupNorm_Parameters_AreOnesAndZerosNamedLikePyTorch()
    {
        var layer = new GroupNorm(2, 4);
        Assert.Equal(["weight", "bias"], layer.StateDict().Keys.ToArray());
        Assert.Equal([1f, 1f, 1f, 1f], layer.Weight!.ToArray<float>());
        Assert.Equal([0f, 0f, 0f, 0f], layer.Bias!.ToArray<float>());
        Assert.Empty(new GroupNorm(2, 4, affine: false).StateDict());
    }

    [Fact]
    public void GroupNorm_Forward_IsTheFunctionalOp()
    {
        var layer = new GroupNorm(3, 6, eps: 1e-3, dtype: DType.Float64);
        Tensor x = Tensor.Randn([2, 6, 5], DType.Float64, new Generator(6));
        Assert.Equal(Functional.GroupNorm(x, 3, layer.Weight, layer.Bias, 1e-3).ToDoubleArray(), layer.Forward(x).ToDoubleArray());
    }

    [Fact]
    public void GroupNorm_Repr_IsPyTorchs()
    {
        Assert.Equal("GroupNorm(2, 4, eps=1e-05, affine=True)", new GroupNorm(2, 4).ToString());
        Assert.Equal("GroupNorm(2, 4, eps=0.001, affine=False)", new GroupNorm(2, 4, 1e-3, affine: false).ToString());
    }

    [Fact]
    public void GroupNorm_BadGroupsOrChannels_Throw()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new GroupNorm(4, 6)), "GroupNorm", "divisible by num_groups 4");
        var ex = Assert.Throws<ArgumentException>(() => new GroupNorm(2, 4, affine: false).Forward(Tensor.Zeros([1, 6, 3])));
        ErrorAssert.AssertMessage(ex, "GroupNorm", "[N, 4, *]", "[1, 6, 3]");
    }
}
