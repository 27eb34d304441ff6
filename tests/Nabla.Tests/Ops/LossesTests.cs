using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

/// <summary>The losses (Ops/Losses.cs): closed-form values, gradients against finite differences, second derivatives and errors.</summary>
public class LossesTests
{
    private static readonly double Ln2 = Math.Log(2);

    private static Tensor Vec(params double[] values) => Tensor.From(values, dtype: DType.Float64);

    private static Tensor Labels(params long[] values) => Tensor.From(values);

    /// <summary>A leaf of probabilities in [0.1, 0.9] that requires a gradient.</summary>
    private static Tensor ProbabilityParam(ulong seed, params int[] shape)
    {
        Tensor p = (Tensor.Rand(shape, DType.Float64, new Generator(seed)) * 0.8 + 0.1).Detach();
        p.RequiresGrad = true;
        return p;
    }

    /// <summary>Constant targets in [0, 1].</summary>
    private static Tensor Probabilities(ulong seed, params int[] shape) => Tensor.Rand(shape, DType.Float64, new Generator(seed));

    // ---- regression losses: values ----

    [Theory]
    [InlineData(Reduction.Mean, new[] { 5.0 / 3 })]
    [InlineData(Reduction.Sum, new[] { 5.0 })]
    [InlineData(Reduction.None, new[] { 0.0, 1, 4 })]
    public void MseLoss_Reductions_GiveSquaredErrors(Reduction reduction, double[] expected)
        => AssertAll(expected, Functional.MseLoss(Vec(1, 2, 3), Vec(1, 1, 1), reduction), rtol: 1e-15);

    [Fact]
    public void L1Loss_AtEqualValues_HasZeroDerivative()
    {
        Tensor x = Tensor.From([1.0, 2, -1], requiresGrad: true, dtype: DType.Float64);
        Tensor loss = Functional.L1Loss(x, Vec(1, 0, 0));
        loss.Backward();
        AssertAll([1], loss, rtol: 1e-15);
        AssertAll([0, 1.0 / 3, -1.0 / 3], x.Grad!, rtol: 1e-15);
    }

    [Fact]
    public void SmoothL1Loss_QuadraticAndLinearRegions_MatchFormula()
    {
        AssertAll([0.125, 1.5], Functional.SmoothL1Loss(Vec(0.5, -2), Vec(0, 0), Reduction.None), rtol: 1e-15);
        AssertAll([0.0625, 1.75], Functional.SmoothL1Loss(Vec(0.25, -2), Vec(0, 0), Reduction.None, beta: 0.5), rtol: 1e-15);
    }

    [Fact]
    public void SmoothL1Loss_BetaZero_IsL1Loss()
        => AssertAll([0.5, 2], Functional.SmoothL1Loss(Vec(0.5, -2), Vec(0, 0), Reduction.None, beta: 0));

    [Fact]
    public void HuberLoss_QuadraticAndLinearRegions_MatchFormula()
    {
        AssertAll([0.125, 1.5], Functional.HuberLoss(Vec(0.5, -2), Vec(0, 0), Reduction.None), rtol: 1e-15);
        AssertAll([0.125, 4], Functional.HuberLoss(Vec(0.5, 3), Vec(0, 0), Reduction.None, delta: 2), rtol: 1e-15);
    }

    // ---- binary cross entropy ----

    [Fact]
    public void BinaryCrossEntropy_HalfProbability_IsLn2WithPyTorchGradient()
    {
        Tensor p = Tensor.From([0.5, 0.5], requiresGrad: true, dtype: DType.Float64);
        Tensor loss = Functional.BinaryCrossEntropy(p, Vec(1, 0), Vec(2, 1), Reduction.Sum);
        loss.Backward();
        AssertAll([3 * Ln2], loss, rtol: 1e-15);
        // w (p - t) / (p (1 - p))
        AssertAll([-4, 2], p.Grad!, rtol: 1e-15);
    }

    [Fact]
    public void BinaryCrossEntropy_ProbabilitiesZeroAndOne_ClampLogAtMinus100()
    {
        Tensor p = Tensor.From([0.0, 1.0, 1.0], requiresGrad: true, dtype: DType.Float64);
        Tensor loss = Functional.BinaryCrossEntropy(p, Vec(1, 0, 1), reduction: Reduction.None);
        (loss.Sum()).Backward();
        AssertAll([100, 100, 0], loss);
        AssertAll([-1e12, 1e12, 0], p.Grad!, rtol: 1e-15);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogits_ZeroLogit_IsLn2TimesPosWeight()
    {
        Tensor loss = Functional.BinaryCrossEntropyWithLogits(Vec(0, 0), Vec(1, 0), posWeight: Vec(3), reduction: Reduction.None);
        AssertAll([3 * Ln2, Ln2], loss, rtol: 1e-15);
    }

    [Theory]
    [InlineData(1000.0)]
    [InlineData(100.0)]
    public void BinaryCrossEntropyWithLogits_ExtremeLogits_AreFiniteAndExact(double m)
    {
        Tensor x = Tensor.From([m, -m, m, -m], requiresGrad: true, dtype: DType.Float64);
        Tensor loss = Functional.BinaryCrossEntropyWithLogits(x, Vec(0, 1, 1, 0), posWeight: Vec(2, 2, 2, 2), reduction: Reduction.None);
        loss.Sum().Backward();
        AssertAll([m, 2 * m, 0, 0], loss, rtol: 1e-15, atol: 1e-40);
        // (1 + (pw - 1) t) sigmoid(x) - pw t
        AssertAll([1, -2, 0, 0], x.Grad!, rtol: 1e-15, atol: 1e-40);
    }

    [Fact]
    public void SigmoidFocalLoss_Values_MatchTorchvisionFormula()
    {
        double x = 0.7, t = 1;
        double p = 1 / (1 + Math.Exp(-x));
        double ce = -Math.Log(p);
        double expected = 0.25 * ce * (1 - p) * (1 - p);
        AssertAll([expected], Functional.SigmoidFocalLoss(Vec(x), Vec(t)), rtol: 1e-14);
        AssertAll([ce * (1 - p) * (1 - p)], Functional.SigmoidFocalLoss(Vec(x), Vec(t), alpha: -1), rtol: 1e-14);
    }

    // ---- cross entropy and nll ----

    [Fact]
    public void CrossEntropy_ClassIndex_IsLogSumExpMinusTargetLogit()
    {
        Tensor loss = Functional.CrossEntropy(Tensor.From([1.0, 2, 3], [1, 3], dtype: DType.Float64), Labels(2));
        double lse = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3));
        AssertAll([lse - 3], loss, rtol: 1e-15);
    }

    [Fact]
    public void CrossEntropy_Unbatched_MatchesBatchedRow()
    {
        Tensor loss = Functional.CrossEntropy(Vec(1, 2, 3), Tensor.Scalar(0, DType.Int64));
        Assert.Equal(0, loss.Rank);
        AssertAll([Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 1], loss, rtol: 1e-15);
    }

    [Fact]
    public void CrossEntropy_WeightedMean_DividesBySummedTargetWeights()
    {
        // uniform logits: -lp = ln 2 everywhere; loss_i = w[y_i] ln 2; mean = (1 + 3) ln 2 / (1 + 3)
        Tensor loss = Functional.CrossEntropy(Tensor.Zeros([2, 2], DType.Float64), Labels(0, 1), Vec(1, 3));
        AssertAll([Ln2], loss, rtol: 1e-15);
    }

    [Fact]
    public void CrossEntropy_IgnoreIndex_ZeroLossAndExcludedFromMean()
    {
        Tensor x = Tensor.From([0.0, 0, 0, 5, 1, 2], [2, 3], requiresGrad: true, dtype: DType.Float64);
        Tensor none = Functional.CrossEntropy(x, Labels(1, -100), reduction: Reduction.None);
        AssertAll([Math.Log(3), 0], none, rtol: 1e-15);
        Tensor mean = Functional.CrossEntropy(x, Labels(1, -100));
        mean.Backward();
        AssertAll([Math.Log(3)], mean, rtol: 1e-15);
        AssertAll([1.0 / 3, -2.0 / 3, 1.0 / 3, 0, 0, 0], x.Grad!, rtol: 1e-15);
    }

    [Fact]
    public void CrossEntropy_LabelSmoothingOnUniformLogits_IsLnC()
        => AssertAll([Math.Log(4)], Functional.CrossEntropy(Tensor.Zeros([3, 4], DType.Float64), Labels(0, 3, 1), labelSmoothing: 0.3), rtol: 1e-15);

    [Fact]
    public void CrossEntropy_ProbabilityTargets_MeanDividesBySampleCount()
    {
        // -sum_c t_c lp_c with uniform lp = -ln 2 gives ln 2 per sample, whatever the weights are
        Tensor loss = Functional.CrossEntropy(Tensor.Zeros([2, 2], DType.Float64), Tensor.From([0.3, 0.7, 1, 0], [2, 2], dtype: DType.Float64));
        AssertAll([Ln2], loss, rtol: 1e-15);
    }

    [Theory]
    [InlineData(1000.0)]
    [InlineData(100.0)]
    public void CrossEntropy_ExtremeLogits_AreFiniteWithExactGradient(double m)
    {
        Tensor x = Tensor.From([m, -m, -m, m], [2, 2], requiresGrad: true, dtype: DType.Float64);
        Tensor loss = Functional.CrossEntropy(x, Labels(1, 1), reduction: Reduction.Sum);
        loss.Backward();
        AssertAll([2 * m], loss, rtol: 1e-15);
        AssertAll([1, -1, 0, 0], x.Grad!, rtol: 1e-15, atol: 1e-40);
    }

    [Fact]
    public void CrossEntropy_ExtremeLogitsWithSmoothingAndSoftTargets_AreFinite()
    {
        Tensor x = Tensor.From([1000.0, -1000, 0, -1000, 1000, 100], [2, 3], requiresGrad: true, dtype: DType.Float64);
        Tensor a = Functional.CrossEntropy(x, Labels(1, 2), Vec(1, 2, 3), labelSmoothing: 0.1);
        Tensor b = Functional.CrossEntropy(x, Tensor.From([0.2, 0.5, 0.3, 0, 0, 1], [2, 3], dtype: DType.Float64), labelSmoothing: 0.1);
        (a + b).Backward();
        AssertFinite(a);
        AssertFinite(b);
        AssertFinite(x.Grad!);
    }

    [Fact]
    public void NllLoss_PicksNegatedTargetEntryWithWeights()
    {
        Tensor x = Tensor.From([-1.0, -2, -3, -4, -5, -6], [2, 3], dtype: DType.Float64);
        AssertAll([2 * 3.0, 3 * 6.0], Functional.NllLoss(x, Labels(1, 2), Vec(1, 3, 3), Reduction.None), rtol: 1e-15);
        AssertAll([(6.0 + 18) / 6], Functional.NllLoss(x, Labels(1, 2), Vec(1, 3, 3)), rtol: 1e-15);
    }

    [Fact]
    public void NllLoss_NegativeInfinityInOtherClasses_StaysFinite()
    {
        Tensor x = Tensor.From([double.NegativeInfinity, -0.5, -2.0, double.NegativeInfinity], [2, 2], requiresGrad: true, dtype: DType.Float64);
        Tensor loss = Functional.NllLoss(x, Labels(1, 0));
        loss.Backward();
        AssertAll([1.25], loss, rtol: 1e-15);
        AssertAll([0, -0.5, -0.5, 0], x.Grad!, rtol: 1e-15);
    }

    // ---- gradients vs finite differences ----

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void MseLoss_GradientIncludingTarget_MatchesFiniteDifference(Reduction reduction)
        => AssertGradients(t => Functional.MseLoss(t[0], t[1], reduction), Param(1, 3, 4), Param(2, 3, 4));

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.None)]
    public void L1Loss_Gradient_MatchesFiniteDifference(Reduction reduction)
        => AssertGradients(t => Functional.L1Loss(t[0], t[1], reduction), Param(3, 3, 4), Param(4, 3, 4));

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void SmoothL1Loss_Gradient_MatchesFiniteDifference(double beta)
        => AssertGradients(t => Functional.SmoothL1Loss(t[0], t[1], Reduction.Sum, beta), Param(5, 4, 5), Randn(6, 4, 5));

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    [InlineData(2.5)]
    public void HuberLoss_Gradient_MatchesFiniteDifference(double delta)
        => AssertGradients(t => Functional.HuberLoss(t[0], t[1], Reduction.Mean, delta), Param(7, 4, 5), Param(8, 4, 5));

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void BinaryCrossEntropy_GradientIncludingTarget_MatchesFiniteDifference(Reduction reduction)
        => AssertGradients(t => Functional.BinaryCrossEntropy(t[0], t[1], reduction: reduction), ProbabilityParam(9, 3, 4), ProbabilityParam(10, 3, 4));

    [Fact]
    public void BinaryCrossEntropy_WithBroadcastWeight_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.BinaryCrossEntropy(t[0], t[1], t[2], Reduction.Mean),
            ProbabilityParam(11, 3, 4), Probabilities(12, 3, 4), Param(13, 4));

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    [InlineData(Reduction.None)]
    public void BinaryCrossEntropyWithLogits_WeightAndPosWeight_GradientMatchesFiniteDifference(Reduction reduction)
        => AssertGradients(t => Functional.BinaryCrossEntropyWithLogits(t[0] * 3.0, t[1], t[2], t[3], reduction),
            Param(14, 4, 3), Probabilities(15, 4, 3), Probabilities(16, 4, 3), Probabilities(17, 3) + 0.5);

    [Fact]
    public void BinaryCrossEntropyWithLogits_TargetGradient_MatchesFiniteDifference()
        => AssertGradients(t => Functional.BinaryCrossEntropyWithLogits(t[0], t[1], posWeight: Vec(2, 0.5, 1)),
            Param(18, 2, 3), ProbabilityParam(19, 2, 3));

    [Theory]
    [InlineData(0.25, 2.0, Reduction.Mean)]
    [InlineData(-1.0, 2.0, Reduction.Sum)]
    [InlineData(0.5, 0.0, Reduction.None)]
    [InlineData(0.75, 1.5, Reduction.None)]
    public void SigmoidFocalLoss_Gradient_MatchesFiniteDifference(double alpha, double gamma, Reduction reduction)
        => AssertGradients(t => Functional.SigmoidFocalLoss(t[0], t[1], alpha, gamma, reduction), Param(20, 4, 3), Probabilities(21, 4, 3));

    [Theory]
    [InlineData(Reduction.Mean, -100L, 0.0)]
    [InlineData(Reduction.Sum, -100L, 0.0)]
    [InlineData(Reduction.None, 1L, 0.0)]
    [InlineData(Reduction.Mean, 2L, 0.2)]
    [InlineData(Reduction.Sum, -100L, 0.1)]
    [InlineData(Reduction.None, -100L, 0.3)]
    public void CrossEntropy_ClassIndices_GradientMatchesFiniteDifference(Reduction reduction, long ignoreIndex, double smoothing)
    {
        Tensor target = Labels(0, 2, 1, 3, 2);
        AssertGradients(t => Functional.CrossEntropy(t[0], target, null, reduction, ignoreIndex, smoothing), Param(22, 5, 4));
        AssertGradients(t => Functional.CrossEntropy(t[0], target, t[1], reduction, ignoreIndex, smoothing), Param(23, 5, 4), Probabilities(24, 4) + 0.5);
    }

    [Fact]
    public void CrossEntropy_IgnoredOutOfRangeLabel_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.CrossEntropy(t[0], Labels(1, -100, 0), Vec(0.5, 2, 1), labelSmoothing: 0.2), Param(25, 3, 3));

    [Fact]
    public void CrossEntropy_Spatial_GradientMatchesFiniteDifference()
    {
        Tensor target = Tensor.From([0L, 2, 1, 1, 2, 0, 0, 1], [2, 2, 2]);
        AssertGradients(t => Functional.CrossEntropy(t[0], target, t[1], Reduction.Mean, labelSmoothing: 0.1), Param(26, 2, 3, 2, 2), Probabilities(27, 3) + 0.5);
    }

    [Fact]
    public void CrossEntropy_Unbatched_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.CrossEntropy(t[0], Tensor.Scalar(2, DType.Int64), labelSmoothing: 0.1), Param(28, 4));

    [Theory]
    [InlineData(Reduction.Mean, 0.0)]
    [InlineData(Reduction.Sum, 0.2)]
    [InlineData(Reduction.None, 0.1)]
    public void CrossEntropy_SoftTargets_GradientMatchesFiniteDifference(Reduction reduction, double smoothing)
    {
        Tensor target = Randn(29, 3, 4).Softmax(1);
        AssertGradients(t => Functional.CrossEntropy(t[0], target, t[1], reduction, labelSmoothing: smoothing), Param(30, 3, 4), Probabilities(31, 4) + 0.5);
        AssertGradients(t => Functional.CrossEntropy(t[0], t[1], reduction: reduction, labelSmoothing: smoothing), Param(32, 3, 4), ProbabilityParam(33, 3, 4));
    }

    [Theory]
    [InlineData(Reduction.Mean, -100L)]
    [InlineData(Reduction.Sum, 0L)]
    [InlineData(Reduction.None, 2L)]
    public void NllLoss_Gradient_MatchesFiniteDifference(Reduction reduction, long ignoreIndex)
    {
        Tensor target = Labels(0, 2, 1, 2);
        AssertGradients(t => Functional.NllLoss(t[0], target, null, reduction, ignoreIndex), Param(34, 4, 3));
        AssertGradients(t => Functional.NllLoss(t[0], target, t[1], reduction, ignoreIndex), Param(35, 4, 3), Probabilities(36, 3) + 0.5);
    }

    [Fact]
    public void NllLoss_Spatial_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.NllLoss(t[0], Tensor.From([0L, 2, 1, 1, 2, 0, 0, 1], [2, 4])), Param(37, 2, 3, 4));

    // ---- second derivatives ----

    [Fact]
    public void CrossEntropy_Mean_HessianVectorProductMatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.CrossEntropy(t[0], Labels(0, 3, 1)), Param(38, 3, 4));

    [Fact]
    public void CrossEntropy_WeightedSmoothed_HessianVectorProductMatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.CrossEntropy(t[0], Labels(0, 3, -100, 2), Vec(1, 2, 0.5, 1.5), labelSmoothing: 0.15),
            Param(39, 4, 4));

    [Fact]
    public void BinaryCrossEntropy_HessianVectorProductMatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.BinaryCrossEntropy(t[0], t[1], Vec(1, 2, 0.5)),
            ProbabilityParam(40, 2, 3), Probabilities(41, 2, 3));

    [Fact]
    public void BinaryCrossEntropyWithLogits_HessianVectorProductMatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.BinaryCrossEntropyWithLogits(t[0] * 2.0, t[1], posWeight: Vec(2, 0.5, 1)),
            Param(42, 2, 3), Probabilities(43, 2, 3));

    // ---- bad input ----

    [Fact]
    public void CrossEntropy_TargetShapeMismatch_ThrowsWithBothShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Randn(1, 3, 5), Tensor.Zeros([3, 2], DType.Int64)));
        Assert.Equal("cross_entropy: target has shape [3, 2] but input [3, 5] expects [3] (class indices) or [3, 5] (probabilities)", ex.Message);
    }

    [Fact]
    public void CrossEntropy_LabelOutOfRange_NamesLabelAndClassCount()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Randn(1, 2, 5), Labels(1, 5)));
        Assert.Contains("cross_entropy", ex.Message);
        Assert.Contains("target 5", ex.Message);
        Assert.Contains("5 classes", ex.Message);
    }

    [Fact]
    public void CrossEntropy_NegativeLabel_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Randn(1, 2, 5), Labels(-1, 0)));
        Assert.Contains("target -1", ex.Message);
    }

    [Fact]
    public void CrossEntropy_BoolTarget_ThrowsNamingDType()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Randn(1, 2, 3), Tensor.From(new[] { true, false })));
        Assert.Contains("cross_entropy", ex.Message);
        Assert.Contains("bool", ex.Message);
        Assert.Contains("int64", ex.Message);
    }

    [Fact]
    public void CrossEntropy_Float32ProbabilitiesForFloat64Input_ThrowsNamingDTypes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Randn(1, 2, 3), Tensor.Zeros([2, 3])));
        Assert.Contains("float32", ex.Message);
        Assert.Contains("float64", ex.Message);
    }

    [Fact]
    public void CrossEntropy_WeightWrongLength_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Randn(1, 2, 3), Labels(0, 1), Vec(1, 2)));
        Assert.Contains("cross_entropy", ex.Message);
        Assert.Contains("[2]", ex.Message);
        Assert.Contains("[3]", ex.Message);
    }

    [Fact]
    public void CrossEntropy_LabelSmoothingAboveOne_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Randn(1, 2, 3), Labels(0, 1), labelSmoothing: 1.5));
        Assert.Contains("label_smoothing", ex.Message);
    }

    [Fact]
    public void NllLoss_FloatTarget_ThrowsNamingDType()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.NllLoss(Randn(1, 2, 3), Randn(2, 2)));
        Assert.Contains("nll_loss", ex.Message);
        Assert.Contains("float64", ex.Message);
        Assert.Contains("int64", ex.Message);
    }

    [Fact]
    public void NllLoss_SpatialTargetShapeMismatch_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.NllLoss(Randn(1, 2, 3, 4), Tensor.Zeros([2, 3], DType.Int64)));
        Assert.Contains("nll_loss", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
    }

    [Fact]
    public void MseLoss_ShapeMismatch_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MseLoss(Randn(1, 3), Randn(2, 3, 1)));
        Assert.Contains("mse_loss", ex.Message);
        Assert.Contains("[3]", ex.Message);
        Assert.Contains("[3, 1]", ex.Message);
    }

    [Fact]
    public void MseLoss_Int64Target_ThrowsNamingDTypes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MseLoss(Randn(1, 2), Labels(0, 1)));
        Assert.Contains("mse_loss", ex.Message);
        Assert.Contains("int64", ex.Message);
    }

    [Fact]
    public void SmoothL1Loss_NegativeBeta_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.SmoothL1Loss(Randn(1, 2), Randn(2, 2), beta: -1));
        Assert.Contains("smooth_l1_loss", ex.Message);
        Assert.Contains("-1", ex.Message);
    }

    [Fact]
    public void HuberLoss_ZeroDelta_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.HuberLoss(Randn(1, 2), Randn(2, 2), delta: 0));
        Assert.Contains("huber_loss", ex.Message);
    }

    [Fact]
    public void BinaryCrossEntropy_InputOutsideUnitInterval_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.BinaryCrossEntropy(Vec(0.5, 1.5), Vec(1, 0)));
        Assert.Contains("binary_cross_entropy", ex.Message);
        Assert.Contains("[0, 1]", ex.Message);
    }

    [Fact]
    public void BinaryCrossEntropyWithLogits_PosWeightNotBroadcastable_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.BinaryCrossEntropyWithLogits(Randn(1, 4, 3), Randn(2, 4, 3), posWeight: Randn(3, 4)));
        Assert.Contains("binary_cross_entropy_with_logits", ex.Message);
        Assert.Contains("pos_weight", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
    }

    [Fact]
    public void CrossEntropy_Float32ClassLabels_SaysTheDTypeIsWrongAndHowToConvert()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.CrossEntropy(Tensor.Zeros([4, 3]), Tensor.From([0f, 1f, 2f, 0f])));
        AssertMessage(ex, "cross_entropy", "float32", "int64", "To(DType.Int64)");
        Assert.DoesNotContain("target has shape", ex.Message);
    }

    [Fact]
    public void NllLoss_Float32ClassLabels_SaysHowToConvert()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Functional.NllLoss(Tensor.Zeros([4, 3]), Tensor.From([0f, 1f, 2f, 0f]))),
            "nll_loss", "float32", "int64", "To(DType.Int64)");
}
