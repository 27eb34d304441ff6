using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>ClipGradNorm and ClipGradValue in closed form.</summary>
public class GradClipTests
{
    private static Tensor WithGrad(params double[] grad)
    {
        var p = Tensor.Zeros([grad.Length], DType.Float64, requiresGrad: true);
        p.Grad = Tensor.From(grad, dtype: DType.Float64);
        return p;
    }

    [Fact]
    public void ClipGradNorm_AboveMax_ScalesToMaxAndReturnsNormBefore()
    {
        Tensor a = WithGrad(3.0), b = WithGrad(0.0, 4.0);
        double total = GradClip.ClipGradNorm([a, b], maxNorm: 1.0);
        Assert.Equal(5.0, total, 15);
        double coef = 1.0 / (5.0 + 1e-6);
        Assert.Equal(3.0 * coef, a.Grad!.Item(), 15);
        Assert.Equal([0.0, 4.0 * coef], b.Grad!.ToDoubleArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(1003)]
    public void ClipGradNorm_Float32_SumsSquaresInDouble(int n)
    {
        // squares of 1e20 overflow float32; the norm is still 1e20·sqrt(Σ(i mod 7 + 1)²) up to double rounding
        float[] grad = [.. Enumerable.Range(0, n).Select(i => (i % 7 + 1) * 1e20f)];
        var p = Tensor.Zeros([n], requiresGrad: true);
        p.Grad = Tensor.From(grad);
        double expected = Math.Sqrt(grad.Sum(g => (double)g * g));
        Assert.Equal(expected, GradClip.ClipGradNorm([p], maxNorm: double.MaxValue), expected * 1e-13);
    }

    [Fact]
    public void ClipGradNorm_BelowMax_LeavesGradientsUnchanged()
    {
        Tensor a = WithGrad(0.3, -0.4);
        double total = GradClip.ClipGradNorm([a], maxNorm: 10.0);
        Assert.Equal(0.5, total, 15);
        Assert.Equal([0.3, -0.4], a.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ClipGradNorm_Infinity_UsesLargestMagnitude()
    {
        Tensor a = WithGrad(1.0, -6.0), b = WithGrad(2.0);
        double total = GradClip.ClipGradNorm([a, b], maxNorm: 3.0, normType: double.PositiveInfinity);
        Assert.Equal(6.0, total);
        Assert.Equal(-6.0 * (3.0 / (6.0 + 1e-6)), a.Grad!.ToDoubleArray()[1], 12);
    }

    [Theory]
    [InlineData(1.0, 7.0)]
    [InlineData(3.0, 4.179339196381232)]
    public void ClipGradNorm_OtherOrders_SumPowersOverAllGradients(double q, double expected)
    {
        Tensor a = WithGrad(1.0, -2.0), b = WithGrad(4.0);
        Assert.Equal(expected, GradClip.ClipGradNorm([a, b], maxNorm: 100, normType: q), 12);
    }

    [Fact]
    public void ClipGradNorm_NoGradients_ReturnsZero()
    {
        var p = Tensor.Zeros([2], DType.Float64, requiresGrad: true);
        Assert.Equal(0.0, GradClip.ClipGradNorm([p], maxNorm: 1.0));
    }

    [Fact]
    public void ClipGradNorm_Float32AndNonContiguousGradients_AreScaled()
    {
        var a = Tensor.Zeros([2], DType.Float32, requiresGrad: true);
        a.Grad = Tensor.From([3f, 4f]);
        var b = Tensor.Zeros([2, 2], DType.Float64, requiresGrad: true);
        b.Grad = Tensor.From([0.0, 0.0, 0.0, 0.0], [2, 2], dtype: DType.Float64).MT;
        double total = GradClip.ClipGradNorm([a, b], maxNorm: 0.5);
        Assert.Equal(5.0, total, 6);
        Assert.Equal(0.3f, a.Grad!.ToArray<float>()[0], 6);
        Assert.Equal(0.4f, a.Grad!.ToArray<float>()[1], 6);
    }

    [Fact]
    public void ClipGradNorm_NonFiniteWithErrorIfNonfinite_Throws()
    {
        Tensor a = WithGrad(double.PositiveInfinity, 1.0);
        var ex = Assert.Throws<InvalidOperationException>(() => GradClip.ClipGradNorm([a], 1.0, errorIfNonfinite: true));
        Assert.Contains("non-finite", ex.Message);
    }

    [Theory]
    [InlineData(-1.0, 2.0, "maxNorm")]
    [InlineData(double.NaN, 2.0, "maxNorm")]
    [InlineData(1.0, 0.0, "normType")]
    [InlineData(1.0, -2.0, "normType")]
    public void ClipGradNorm_BadArgument_Throws(double maxNorm, double normType, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([WithGrad(1.0)], maxNorm, normType));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void ClipGradValue_ClampsEveryElement()
    {
        Tensor a = WithGrad(-3.0, -0.5, 0.0, 0.25, 9.0);
        GradClip.ClipGradValue([a], 0.5);
        Assert.Equal([-0.5, -0.5, 0.0, 0.25, 0.5], a.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ClipGradValue_NonContiguousFloat32Gradient_IsClamped()
    {
        var p = Tensor.Zeros([2, 2], DType.Float32, requiresGrad: true);
        p.Grad = Tensor.From([-2f, 0.1f, 3f, -0.2f], [2, 2]).MT;
        GradClip.ClipGradValue([p], 1.0);
        Assert.Equal([-1f, 1f, 0.1f, -0.2f], p.Grad!.ToArray<float>());
    }

    [Fact]
    public void ClipGradValue_NegativeClipValue_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => GradClip.ClipGradValue([WithGrad(1.0)], -1));
        Assert.Equal("clipValue", ex.ParamName);
    }
}
