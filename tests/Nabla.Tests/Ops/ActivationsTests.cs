using static Nabla.Tests.FunctionalGradCheck;

namespace Nabla.Tests.Ops;

public class ActivationsTests
{
    private static Tensor Vec(params double[] values) => Tensor.From(values, dtype: DType.Float64);

    private static Tensor Leaf(params double[] values) => Tensor.From(values, requiresGrad: true, dtype: DType.Float64);

    private static double[] GradOfSum(Func<Tensor, Tensor> f, params double[] at)
    {
        Tensor x = Leaf(at);
        f(x).Sum().Backward();
        return x.Grad!.ToDoubleArray();
    }

    // ---- closed forms ----

    [Fact]
    public void Gelu_AtMinusOneZeroOne_MatchesErfForm()
    {
        AssertAll([-0.15865525393145707, 0, 0.8413447460685429], Functional.Gelu(Vec(-1, 0, 1)), rtol: 1e-15);
    }

    [Fact]
    public void Gelu_Derivative_IsPhiPlusXTimesDensity()
    {
        AssertAll([0.5, 1.0833154705876864], Tensor.From(GradOfSum(x => Functional.Gelu(x), 0, 1), dtype: DType.Float64), rtol: 1e-15);
    }

    [Fact]
    public void Gelu_TanhApproximationAtOne_MatchesFormula()
    {
        AssertAll([0.8411919906082768], Functional.Gelu(Vec(1), GeluApproximation.Tanh), rtol: 1e-15);
    }

    [Fact]
    public void Gelu_Float32_MatchesFloat64Value()
    {
        Tensor y = Functional.Gelu(Tensor.From(new float[] { 1f }));
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal(0.8413447460685429, y.Item(), 6);
    }

    [Fact]
    public void Silu_AtOne_IsSigmoidOfOne()
    {
        AssertAll([0.7310585786300049, 0], Functional.Silu(Vec(1, 0)), rtol: 1e-15);
    }

    [Fact]
    public void Softplus_AtZero_IsLn2WithSlopeHalf()
    {
        AssertAll([Math.Log(2)], Functional.Softplus(Vec(0)), rtol: 1e-15);
        AssertAll([0.5], Tensor.From(GradOfSum(x => Functional.Softplus(x), 0), dtype: DType.Float64), rtol: 1e-15);
    }

    [Fact]
    public void Softplus_Beta2AtOne_IsLog1pExp2Over2()
    {
        AssertAll([1.0634640055214863], Functional.Softplus(Vec(1), beta: 2), rtol: 1e-15);
    }

    [Fact]
    public void Softplus_AboveThreshold_IsIdentityWithSlopeOne()
    {
        AssertAll([30, 3], Functional.Softplus(Vec(30, 3), beta: 2, threshold: 5));
        AssertAll([1, 1], Tensor.From(GradOfSum(x => Functional.Softplus(x, beta: 2, threshold: 5), 30, 3), dtype: DType.Float64));
    }

    [Theory]
    [InlineData(1000.0)]
    [InlineData(-1000.0)]
    [InlineData(100.0)]
    [InlineData(-100.0)]
    public void Softplus_ExtremeInputs_AreFiniteWithExactGradient(double at)
    {
        Tensor x = Leaf(at);
        Tensor y = Functional.Softplus(x);
        y.Sum().Backward();
        AssertAll([at > 0 ? at : Math.Exp(at)], y, rtol: 1e-15, atol: 0);
        AssertAll([at > 0 ? 1 : 1 / (1 + Math.Exp(-at))], x.Grad!, rtol: 1e-15, atol: 0);
    }

    [Fact]
    public void LeakyRelu_Values_ScaleNegativesOnly()
    {
        AssertAll([-0.2, 0, 3], Functional.LeakyRelu(Vec(-2, 0, 3), negativeSlope: 0.1));
    }

    [Fact]
    public void LeakyRelu_AtZero_HasDerivativeNegativeSlope()
    {
        AssertAll([0.2, 0.2, 1], Tensor.From(GradOfSum(x => Functional.LeakyRelu(x, 0.2), 0, -1, 1), dtype: DType.Float64));
    }

    [Fact]
    public void Elu_Values_AreAlphaTimesExpm1BelowZero()
    {
        AssertAll([-0.6321205588285577 * 2, 0, 2], Functional.Elu(Vec(-1, 0, 2), alpha: 2), rtol: 1e-15);
    }

    [Fact]
    public void Elu_AtZeroAndLargeInputs_HasPyTorchDerivative()
    {
        AssertAll([1.5, 1, 0], Tensor.From(GradOfSum(x => Functional.Elu(x, 1.5), 0, 1000, -1000), dtype: DType.Float64));
    }

    [Fact]
    public void ReluSigmoidTanh_ForwardToTensorMethods()
    {
        Tensor x = Vec(-1, 0, 2);
        AssertAll(x.Relu().ToDoubleArray(), Functional.Relu(x));
        AssertAll(x.Sigmoid().ToDoubleArray(), Functional.Sigmoid(x));
        AssertAll(x.Tanh().ToDoubleArray(), Functional.Tanh(x));
    }

    [Fact]
    public void Softmax_Rows_SumToOne()
    {
        Tensor p = Functional.Softmax(Randn(3, 2, 5), dim: -1);
        AssertAll([1, 1], p.Sum(1));
    }

    [Fact]
    public void LogSoftmax_LogitsAtPlusMinus1000_AreFiniteWithFiniteGradient()
    {
        Tensor x = Tensor.From([1000.0, -1000.0, 0.0, 1000.0, -100.0, 100.0, -1000.0, 0.0], [2, 4], requiresGrad: true, dtype: DType.Float64);
        Tensor lp = Functional.LogSoftmax(x, 1);
        AssertFinite(lp);
        AssertAll([-Math.Log(2), -2000 - Math.Log(2), -1000 - Math.Log(2), -Math.Log(2)], lp.Narrow(0, 0, 1).Reshape(4), rtol: 1e-15);
        (lp * Randn(1, 2, 4)).Sum().Backward();
        AssertFinite(x.Grad!);
    }

    [Fact]
    public void Linear_BatchedInput_MatchesManualProduct()
    {
        Tensor x = Tensor.From([1.0, 2, 3, 4, 5, 6], [1, 2, 3], dtype: DType.Float64);
        Tensor w = Tensor.From([1.0, 0, -1, 2, 1, 0], [2, 3], dtype: DType.Float64);
        Tensor b = Vec(0.5, -0.5);
        Tensor y = Functional.Linear(x, w, b);
        Assert.Equal(new Shape(1, 2, 2), y.Shape);
        AssertAll([1 - 3 + 0.5, 2 + 2 - 0.5, 4 - 6 + 0.5, 8 + 5 - 0.5], y);
    }

    [Fact]
    public void Linear_VectorInput_GivesVectorOutput()
    {
        Tensor y = Functional.Linear(Vec(1, 2, 3), Tensor.From([1.0, 1, 1, 0, 0, 2], [2, 3], dtype: DType.Float64));
        Assert.Equal(new Shape(2), y.Shape);
        AssertAll([6, 6], y);
    }

    // ---- gradients vs finite differences ----

    [Theory]
    [InlineData(GeluApproximation.None)]
    [InlineData(GeluApproximation.Tanh)]
    public void Gelu_Gradient_MatchesFiniteDifference(GeluApproximation approximate)
        => AssertGradients(t => Functional.Gelu(t[0], approximate), Param(1, 3, 4));

    [Fact]
    public void Silu_Gradient_MatchesFiniteDifference() => AssertGradients(t => Functional.Silu(t[0]), Param(2, 3, 4));

    [Theory]
    [InlineData(1.0, 20.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(0.5, 0.3)]
    public void Softplus_Gradient_MatchesFiniteDifference(double beta, double threshold)
        => AssertGradients(t => Functional.Softplus(t[0] * 2.0, beta, threshold), Param(3, 4, 5));

    [Fact]
    public void LeakyRelu_Gradient_MatchesFiniteDifference() => AssertGradients(t => Functional.LeakyRelu(t[0], 0.2), Param(4, 3, 4));

    [Fact]
    public void Elu_Gradient_MatchesFiniteDifference() => AssertGradients(t => Functional.Elu(t[0], 1.3), Param(5, 3, 4));

    [Fact]
    public void Softmax_Gradient_MatchesFiniteDifference() => AssertGradients(t => Functional.Softmax(t[0], 1), Param(6, 2, 3, 4));

    [Fact]
    public void LogSoftmax_Gradient_MatchesFiniteDifference() => AssertGradients(t => Functional.LogSoftmax(t[0], -1), Param(7, 3, 5));

    [Fact]
    public void Linear_Gradient_MatchesFiniteDifference()
        => AssertGradients(t => Functional.Linear(t[0], t[1], t[2]), Param(8, 2, 3, 4), Param(9, 5, 4), Param(10, 5));

    [Fact]
    public void Linear_VectorInputWithoutBias_GradientMatchesFiniteDifference()
        => AssertGradients(t => Functional.Linear(t[0], t[1]), Param(11, 4), Param(12, 3, 4));

    [Fact]
    public void Gelu_SecondDerivative_MatchesFiniteDifference()
        => AssertHessianVectorProduct(t => Functional.Gelu(t[0]).Pow(2).Sum(), Param(13, 6));

    // ---- bad input ----

    [Fact]
    public void Linear_InFeaturesMismatch_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Linear(Randn(1, 4, 3), Randn(2, 5, 2)));
        Assert.Contains("linear", ex.Message);
        Assert.Contains("[4, 3]", ex.Message);
        Assert.Contains("[5, 2]", ex.Message);
    }

    [Fact]
    public void Linear_BiasMismatch_ThrowsWithShapes()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Linear(Randn(1, 4, 3), Randn(2, 5, 3), Randn(3, 4)));
        Assert.Contains("linear", ex.Message);
        Assert.Contains("[4]", ex.Message);
        Assert.Contains("[5]", ex.Message);
    }

    [Fact]
    public void Softplus_ZeroBeta_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Softplus(Vec(1), beta: 0));
        Assert.Contains("softplus", ex.Message);
    }

    [Fact]
    public void Gelu_IntegerInput_ThrowsNamingDType()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Gelu(Tensor.From(new long[] { 1, 2 })));
        Assert.Contains("gelu", ex.Message);
        Assert.Contains("int64", ex.Message);
    }
}
