using static Nabla.Tests.IndexConvGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>GroupNorm (Ops/GroupNorm.cs): statistics per sample and channel block, optional affine parameters, gradients and errors.</summary>
public class GroupNormTests
{
    private static Tensor D(double[] values, params int[] shape) => Tensor.From(values, shape, dtype: DType.Float64);

    [Fact]
    public void GroupNorm_TwoGroups_NormalizeEachBlockOverChannelsAndPositions()
    {
        // One sample, 4 channels of 2 positions, 2 groups: block 0 = {1, 3, 5, 7} (mean 4, var 5), block 1 = {10, 10, 20, 20} (mean 15, var 25).
        Tensor x = D([1, 3, 5, 7, 10, 10, 20, 20], 1, 4, 2);
        Tensor y = Functional.GroupNorm(x, 2, eps: 0);
        double a = 1 / Math.Sqrt(5);
        AssertClose([-3 * a, -a, a, 3 * a, -1, -1, 1, 1], y);
    }

    [Fact]
    public void GroupNorm_WeightAndBias_ApplyPerChannel()
    {
        Tensor x = D([1, 3, 5, 7, 10, 10, 20, 20], 1, 4, 2);
        Tensor w = D([1, 2, 3, 4], 4), b = D([0, 0.5, 0, -1], 4);
        double a = 1 / Math.Sqrt(5);
        AssertClose([-3 * a, -a, 2 * a + 0.5, 6 * a + 0.5, -3, -3, 3, 3], Functional.GroupNorm(x, 2, w, null, eps: 0) + Functional.GroupNorm(x, 2, null, b, eps: 0)
            - Functional.GroupNorm(x, 2, eps: 0));
        double[] both = Functional.GroupNorm(x, 2, w, b, eps: 0).ToDoubleArray();
        AssertClose(both, Functional.GroupNorm(x, 2, eps: 0) * w.Reshape(1, 4, 1) + b.Reshape(1, 4, 1));
    }

    [Fact]
    public void GroupNorm_EpsAndBiasedVariance_FollowTheDefinition()
    {
        // [N, C] with no trailing dims: 2 channels per group, biased variance of {0, 2} is 1.
        Tensor y = Functional.GroupNorm(D([0, 2, 4, 4], 1, 4), 2, eps: 3);
        AssertClose([-0.5, 0.5, 0, 0], y);
    }

    [Fact]
    public void GroupNorm_OneGroup_EqualsLayerNormOverChannelsAndPositions()
    {
        var gen = new Generator(51);
        Tensor x = Tensor.Randn([3, 4, 2, 5], DType.Float64, gen);
        AssertClose(Functional.LayerNorm(x, [4, 2, 5]).ToDoubleArray(), Functional.GroupNorm(x, 1));
    }

    [Fact]
    public void GroupNorm_NonContiguousAndFloat32_MatchContiguousFloat64()
    {
        var gen = new Generator(52);
        Tensor x = Tensor.Randn([2, 6, 3, 4], DType.Float64, gen), w = Tensor.Randn([6], DType.Float64, gen), b = Tensor.Randn([6], DType.Float64, gen);
        double[] expected = Functional.GroupNorm(x, 3, w, b).ToDoubleArray();
        Tensor xt = x.Transpose(2, 3).Contiguous().Transpose(2, 3);
        Assert.False(xt.IsContiguous);
        AssertClose(expected, Functional.GroupNorm(xt, 3, w, b));
        double[] single = Functional.GroupNorm(x.Float(), 3, w.Float(), b.Float()).ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], single[i], 4);
    }

    [Fact]
    public void GroupNorm_Gradients_MatchFiniteDifferenceToSecondOrder()
    {
        var gen = new Generator(53);
        Check(t => Functional.GroupNorm(t[0], 2, t[1], t[2]), Leaf(gen, 2, 4, 3), Leaf(gen, 4), Leaf(gen, 4));
        CheckSecondOrder(t => Functional.GroupNorm(t[0], 3, t[1], t[2]), Leaf(gen, 2, 6, 2), Leaf(gen, 6), Leaf(gen, 6));
    }

    [Fact]
    public void GroupNorm_GroupsNotDividingChannels_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.GroupNorm(Tensor.Zeros([2, 6, 3], DType.Float64), 4));
        ErrorAssert.AssertMessage(ex, "group_norm", "divisible by num_groups", "[2, 6, 3]", "num_groups=4");
        Assert.Throws<ArgumentException>(() => Functional.GroupNorm(Tensor.Zeros([2, 6, 3], DType.Float64), 0));
    }

    [Fact]
    public void GroupNorm_BadRankWeightOrEps_Throw()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GroupNorm(Tensor.Zeros([6], DType.Float64), 3)), "group_norm", "[N, C, *]", "[6]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GroupNorm(Tensor.Zeros([2, 6], DType.Float64), 3, Tensor.Ones([3], DType.Float64))),
            "group_norm", "weight", "[3]", "[6]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GroupNorm(Tensor.Zeros([2, 6], DType.Float64), 3, eps: -1)), "group_norm", "eps");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.GroupNorm(Tensor.Zeros([2, 6], DType.Float64), 3, bias: Tensor.Ones([6], DType.Float32))),
            "group_norm", "bias", "float32");
    }
}
