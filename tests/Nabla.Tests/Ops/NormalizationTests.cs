using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

public class NormalizationTests
{
    // ---- batch norm: values and buffers ----

    [Fact]
    public void BatchNorm_Training2D_NormalizesWithBiasedBatchVariance()
    {
        Tensor x = Tensor.From([1.0, 10, 3, 20], [2, 2], dtype: DType.Float64);
        Tensor y = Functional.BatchNorm(x, null, null, training: true, eps: 1e-5);
        double a = 1 / Math.Sqrt(1 + 1e-5), b = 5 / Math.Sqrt(25 + 1e-5);
        AssertAll([-a, -b, a, b], y, rtol: 1e-14);
    }

    [Fact]
    public void BatchNorm_Training_UpdatesRunningStatsWithUnbiasedVariance()
    {
        Tensor x = Tensor.From([1.0, 10, 3, 20], [2, 2], dtype: DType.Float64);
        Tensor runningMean = Tensor.Zeros([2], DType.Float64), runningVar = Tensor.Ones([2], DType.Float64);
        Functional.BatchNorm(x, runningMean, runningVar, training: true, momentum: 0.1);
        AssertAll([0.2, 1.5], runningMean, rtol: 1e-15);
        // unbiased variances 2 and 50 (n = 2): 0.9*1 + 0.1*var
        AssertAll([1.1, 5.9], runningVar, rtol: 1e-15);
    }

    [Fact]
    public void BatchNorm_Eval_UsesRunningStatsAndLeavesThemUnchanged()
    {
        Tensor x = Tensor.From([1.0, 10, 3, 20], [2, 2], dtype: DType.Float64);
        Tensor runningMean = Tensor.From([1.0, 2.0], dtype: DType.Float64), runningVar = Tensor.From([4.0, 9.0], dtype: DType.Float64);
        Tensor y = Functional.BatchNorm(x, runningMean, runningVar, Tensor.From([2.0, 1.0], dtype: DType.Float64), Tensor.From([0.5, 0.0], dtype: DType.Float64), training: false, eps: 0);
        AssertAll([0.5, 8.0 / 3, 2 * 2.0 / 2 + 0.5, 18.0 / 3], y, rtol: 1e-15);
        AssertAll([1, 2], runningMean);
        AssertAll([4, 9], runningVar);
    }

    [Fact]
    public void BatchNorm_Eval_EpsIsInsideTheSquareRoot()
    {
        Tensor y = Functional.BatchNorm(Tensor.From([3.0, 3.0], [2, 1], dtype: DType.Float64), Tensor.From([1.0], dtype: DType.Float64), Tensor.From([3.0], dtype: DType.Float64), training: false, eps: 1.0);
        AssertAll([1, 1], y, rtol: 1e-15);
    }

    [Fact]
    public void BatchNorm_Training4D_EachChannelHasZeroMeanUnitVariance()
    {
        Tensor y = Functional.BatchNorm(Randn(1, 3, 2, 4, 5) * 3.0 + 1.0, null, null, training: true, eps: 0);
        AssertAll([0, 0], y.Mean([0, 2, 3]), atol: 1e-14);
        AssertAll([1, 1], y.Var([0, 2, 3], unbiased: false), rtol: 1e-13);
    }

    // ---- batch norm: gradients ----

    [Fact]
    public void BatchNorm_Training2D_GradientThroughBatchStatsMatchesFiniteDifference()
        => AssertGradients(t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true),
            Param(1, 5, 3), Param(2, 3), Param(3, 3));

    [Fact]
    public void BatchNorm_Training3D_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true, eps: 1e-3),
            Param(4, 2, 3, 4), Param(5, 3), Param(6, 3));

    [Fact]
    public void BatchNorm_Training4DWithBuffers_GradientMatchesFiniteDifference()
    {
        Tensor runningMean = Tensor.Zeros([2], DType.Float64), runningVar = Tensor.Ones([2], DType.Float64);
        AssertGradients(t => Functional.BatchNorm(t[0], runningMean.Clone(), runningVar.Clone(), t[1], t[2], training: true, momentum: 0.2),
            Param(7, 2, 2, 3, 3), Param(8, 2), Param(9, 2));
    }

    [Fact]
    public void BatchNorm_TrainingWithoutAffine_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.BatchNorm(t[0], null, null, training: true), Param(10, 4, 3, 2));

    [Fact]
    public void BatchNorm_Eval_GradientMatchesFiniteDifference()
    {
        Tensor runningMean = Randn(11, 2), runningVar = Randn(12, 2).Abs() + 0.5;
        AssertGradients(t => Functional.BatchNorm(t[0], runningMean, runningVar, t[1], t[2], training: false),
            Param(13, 3, 2, 2, 2), Param(14, 2), Param(15, 2));
    }

    [Fact]
    public void BatchNorm_Training_HessianVectorProductMatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true).Pow(3).Sum(),
            Param(16, 4, 3), Param(17, 3), Param(18, 3));

    // ---- layer norm ----

    [Fact]
    public void LayerNorm_Vector_EpsIsInsideTheSquareRoot()
    {
        // mean 2, biased var 2/3; eps = 1 makes sqrt(var + eps) = sqrt(5/3), far from sqrt(var) + eps
        Tensor y = Functional.LayerNorm(Tensor.From([1.0, 2, 3], dtype: DType.Float64), [3], eps: 1.0);
        double s = 1 / Math.Sqrt(5.0 / 3);
        AssertAll([-s, 0, s], y, rtol: 1e-15, atol: 1e-16);
    }

    [Fact]
    public void LayerNorm_WithAffine_ScalesAndShifts()
    {
        Tensor y = Functional.LayerNorm(Tensor.From([1.0, 3, 10, 20], [2, 2], dtype: DType.Float64), [2], Tensor.From([2.0, 3.0], dtype: DType.Float64), Tensor.From([1.0, -1.0], dtype: DType.Float64), eps: 0);
        AssertAll([-1, 2, -1, 2], y, rtol: 1e-15);
    }

    [Fact]
    public void LayerNorm_OverTwoTrailingDims_NormalizesEachSample()
    {
        Tensor y = Functional.LayerNorm(Randn(20, 3, 2, 5) * 4.0 - 2.0, [2, 5], eps: 0);
        AssertAll([0, 0, 0], y.Mean([1, 2]), atol: 1e-14);
        AssertAll([1, 1, 1], y.Var([1, 2], unbiased: false), rtol: 1e-13);
    }

    [Fact]
    public void LayerNorm_Gradient_MatchesFiniteDifference()
        => AssertGradients(t => Functional.LayerNorm(t[0], [4], t[1], t[2]), Param(21, 3, 4), Param(22, 4), Param(23, 4));

    [Fact]
    public void LayerNorm_TwoDimsWeightOnly_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.LayerNorm(t[0], [3, 4], t[1]), Param(24, 2, 3, 4), Param(25, 3, 4));

    [Fact]
    public void LayerNorm_SecondDerivative_MatchesFiniteDifference()
        => AssertHessianVectorProduct(t => (Functional.LayerNorm(t[0], [4], t[1], t[2]) * t[0]).Pow(2).Sum(), Param(31, 3, 4), Param(32, 4), Param(33, 4));

    [Fact]
    public void LayerNorm_BiasOnlySecondDerivative_MatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.LayerNorm(t[0], [2, 3], null, t[1]).Pow(3).Sum(), Param(34, 2, 2, 3), Param(35, 2, 3));

    [Theory]
    [InlineData(5, true), InlineData(13, false), InlineData(128, true), InlineData(131, false)]
    public void LayerNorm_Float32RowsOfAnyWidth_MatchFloat64WithinRounding(int n, bool affine)
    {
        // Note [Layer norm rows in registers]: whole vectors and a scalar tail, with and without weight and bias.
        Tensor x = Randn(40, 7, n) * 3.0 + 1.0, w = Randn(41, n), b = Randn(42, n), g = Randn(43, 7, n);
        Tensor[] Grads(DType dtype)
        {
            Tensor[] p = [.. new[] { x, w, b }.Select(t => t.To(dtype).Detach().RequiresGrad_())];
            Tensor y = affine ? Functional.LayerNorm(p[0], [n], p[1], p[2]) : Functional.LayerNorm(p[0], [n]);
            (y * g.To(dtype)).Sum().Backward();
            return affine ? [y, p[0].Grad!, p[1].Grad!, p[2].Grad!] : [y, p[0].Grad!];
        }
        Tensor[] f32 = Grads(DType.Float32), f64 = Grads(DType.Float64);
        for (int i = 0; i < f32.Length; i++) AssertAll(f64[i].ToDoubleArray(), f32[i], rtol: 1e-5, atol: 1e-5);
    }

    [Fact]
    public void LayerNorm_Float32_MatchesFloat64WithinRounding()
    {
        // the fused kernel (Note [Fused layer norm]) over non-contiguous input and gradient views
        Tensor x = (Randn(36, 40, 2, 16) * 3.0 + 1.0).Transpose(0, 1), w = Randn(37, 16), b = Randn(38, 16), g = Randn(39, 2, 40, 16);
        Tensor[] Grads(DType dtype)
        {
            Tensor[] p = [.. new[] { x, w, b }.Select(t => t.To(dtype).Detach().RequiresGrad_())];
            Tensor y = Functional.LayerNorm(p[0], [16], p[1], p[2]);
            (y * g.To(dtype)).Sum().Backward();
            return [y, p[0].Grad!, p[1].Grad!, p[2].Grad!];
        }
        Tensor[] f32 = Grads(DType.Float32), f64 = Grads(DType.Float64);
        for (int i = 0; i < 4; i++) AssertAll(f64[i].ToDoubleArray(), f32[i], rtol: 1e-5, atol: 1e-5);
    }

    [Fact]
    public void LayerNorm_NoAffine_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.LayerNorm(t[0], [5], eps: 1e-3), Param(26, 2, 5));

    [Fact]
    public void LayerNorm_Cubed_HessianVectorProductMatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.LayerNorm(t[0], [4], t[1], t[2]).Pow(3).Sum(),
            Param(27, 2, 4), Param(28, 4), Param(29, 4));

    // ---- bad input ----

    [Fact]
    public void BatchNorm_WeightChannelMismatch_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Randn(1, 4, 3), null, null, Randn(2, 2), training: true));
        Assert.Contains("batch_norm", ex.Message);
        Assert.Contains("[2]", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
    }

    [Fact]
    public void BatchNorm_TrainingWithOneValuePerChannel_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Randn(1, 1, 3), null, null, training: true));
        Assert.Contains("batch_norm", ex.Message);
        Assert.Contains("[1, 3]", ex.Message);
    }

    [Fact]
    public void BatchNorm_EvalWithoutRunningStats_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Randn(1, 4, 3), null, null, training: false));
        Assert.Contains("batch_norm", ex.Message);
    }

    [Fact]
    public void BatchNorm_VectorInput_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Randn(1, 4), null, null, training: true));
        Assert.Contains("batch_norm", ex.Message);
        Assert.Contains("[4]", ex.Message);
    }

    [Fact]
    public void LayerNorm_NormalizedShapeMismatch_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(Randn(1, 3, 5), [4]));
        Assert.Contains("layer_norm", ex.Message);
        Assert.Contains("[4]", ex.Message);
        Assert.Contains("[3, 5]", ex.Message);
    }

    [Fact]
    public void LayerNorm_WeightShapeMismatch_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.LayerNorm(Randn(1, 3, 5), [5], Randn(2, 3)));
        Assert.Contains("layer_norm", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[5]", ex.Message);
    }
}
