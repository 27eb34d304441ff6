namespace Nabla.Tests.Ops;

/// <summary>Dropout1d and Dropout2d (Ops/FeatureDropout.cs): whole channels dropped, scaling, evaluation, ranks (Note [Channel dropout ranks]) and errors.</summary>
public class FeatureDropoutTests
{
    /// <summary>Asserts that each of the <paramref name="slices"/> consecutive runs of <paramref name="y"/> is all zeros or all <c>2 * x</c> (p = 0.5); returns how many were dropped.</summary>
    internal static int AssertWholeSlices(Tensor x, Tensor y, int slices)
    {
        double[] xv = x.ToDoubleArray(), yv = y.ToDoubleArray();
        int run = xv.Length / slices, dropped = 0;
        for (int s = 0; s < slices; s++)
        {
            bool zero = yv[s * run] == 0;
            for (int i = s * run; i < (s + 1) * run; i++) Assert.Equal(zero ? 0 : 2 * xv[i], yv[i], 12);
            if (zero) dropped++;
        }
        return dropped;
    }

    // Values in [1, 2): never zero, so a zero output means a dropped element.
    private static Tensor Positive(params int[] shape) => Tensor.Rand(shape, DType.Float64, new Generator(81)) + 1.0;

    [Fact]
    public void Dropout2d_Training_ZeroesWholeChannelsAndScalesTheRest()
    {
        Tensor x = Positive(8, 50, 3, 4);
        int dropped = AssertWholeSlices(x, Functional.Dropout2d(x, 0.5, generator: new Generator(1)), 8 * 50);
        // 400 channels at p = 0.5: the count is within 5 standard deviations (10) of 200.
        Assert.InRange(dropped, 150, 250);
    }

    [Fact]
    public void Dropout2d_ThreeDimensionalInput_IsReadAsBatchChannelLength()
    {
        // [N, C, L] = [6, 40, 5]: one draw per (n, c), as PyTorch 1.13 does for 3-D input (Note [Channel dropout ranks]).
        Tensor x = Positive(6, 40, 5);
        int dropped = AssertWholeSlices(x, Functional.Dropout2d(x, 0.5, generator: new Generator(2)), 6 * 40);
        Assert.InRange(dropped, 80, 160);
    }

    [Fact]
    public void Dropout1d_BatchedAndUnbatched_ZeroWholeChannels()
    {
        Tensor x = Positive(4, 60, 7);
        Assert.InRange(AssertWholeSlices(x, Functional.Dropout1d(x, 0.5, generator: new Generator(3)), 4 * 60), 80, 160);
        // [C, L]: the C channels (dim 0) are the dropped unit.
        Tensor u = Positive(200, 7);
        Assert.InRange(AssertWholeSlices(u, Functional.Dropout1d(u, 0.5, generator: new Generator(4)), 200), 65, 135);
    }

    [Fact]
    public void ChannelDropout_Evaluation_ReturnsTheInput()
    {
        Tensor x = Positive(2, 3, 4, 4);
        Assert.Same(x, Functional.Dropout2d(x, 0.5, training: false));
        Tensor r = x.Reshape(2, 3, 16);
        Assert.Same(r, Functional.Dropout1d(r, 0.9, training: false));
        Assert.Same(x, Functional.Dropout2d(x, 0.0));
    }

    [Fact]
    public void ChannelDropout_ProbabilityOne_GivesZerosAndZeroGradient()
    {
        var x = Tensor.Randn([2, 3, 4], DType.Float64, new Generator(82), requiresGrad: true);
        Tensor y = Functional.Dropout1d(x, 1.0);
        Assert.All(y.ToDoubleArray(), v => Assert.Equal(0, v));
        y.Sum().Backward();
        Assert.All(x.Grad!.ToDoubleArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ChannelDropout_Gradient_IsTheMaskTimesScale()
    {
        var x = Tensor.Randn([3, 20, 2, 2], DType.Float64, new Generator(83), requiresGrad: true);
        Tensor y = Functional.Dropout2d(x, 0.25, generator: new Generator(5));
        y.Sum().Backward();
        double[] yv = y.ToDoubleArray(), g = x.Grad!.ToDoubleArray();
        for (int i = 0; i < g.Length; i++) Assert.Equal(yv[i] == 0 ? 0 : 1 / 0.75, g[i], 12);
    }

    [Fact]
    public void ChannelDropout_SameGenerator_SameChannels()
    {
        Tensor x = Positive(2, 16, 3, 3);
        Assert.Equal(Functional.Dropout2d(x, 0.5, generator: new Generator(6)).ToDoubleArray(), Functional.Dropout2d(x, 0.5, generator: new Generator(6)).ToDoubleArray());
    }

    [Fact]
    public void ChannelDropout_WrongRankOrProbability_ThrowClearly()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Dropout1d(Tensor.Zeros([2, 3, 4, 5], DType.Float64))),
            "dropout1d", "[2, 3, 4, 5]", "Dropout");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Dropout2d(Tensor.Zeros([3, 4], DType.Float64))), "dropout2d", "[3, 4]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Dropout2d(Tensor.Zeros([1, 2, 3, 4, 5], DType.Float64))), "dropout2d", "[1, 2, 3, 4, 5]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Dropout2d(Tensor.Zeros([1, 2, 3, 4], DType.Float64), 1.5)),
            "dropout2d", "[0, 1]", "1.5");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Dropout1d(Tensor.Zeros([2, 3], DType.Int64))), "dropout1d", "int64");
    }
}
