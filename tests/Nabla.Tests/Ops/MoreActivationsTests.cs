using Nabla.NN;
using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>
/// The activations of Ops/MoreActivations.cs: closed-form values, the derivatives at the kinks of the reference README
/// (section 2.9), stability at large inputs, and the errors. Gradient checks and PyTorch vectors run from OpInfo.
/// </summary>
public class MoreActivationsTests
{
    private static Tensor D(params double[] v) => Tensor.From(v, requiresGrad: true, dtype: DType.Float64);

    private static (double[] Values, double[] Grads) Run(Func<Tensor, Tensor> f, params double[] at)
    {
        Tensor x = D(at);
        Tensor y = f(x);
        y.Sum().Backward();
        return (y.ToDoubleArray(), x.Grad!.ToDoubleArray());
    }

    private static void Close(double[] expected, double[] actual, double rtol = 1e-15)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= rtol * Math.Abs(expected[i]), $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Relu6_KinksAtZeroAndSix_HaveZeroDerivative()
    {
        var (y, g) = Run(Functional.Relu6, 0, 6, 3, -1, 7);
        Assert.Equal([0.0, 6, 3, 0, 6], y);
        Assert.Equal([0.0, 0, 1, 0, 0], g);
    }

    [Fact]
    public void Hardtanh_Bounds_AreExclusiveForTheGradientAndInt64StaysInt64()
    {
        var (y, g) = Run(x => Functional.Hardtanh(x, -0.5, 1), -0.5, 1, 0.2, -3, 3);
        Assert.Equal([-0.5, 1, 0.2, -0.5, 1], y);
        Assert.Equal([0.0, 0, 1, 0, 0], g);
        Tensor i = Functional.Relu6(Tensor.From([-2L, 3L, 9L]));
        Assert.Equal(DType.Int64, i.DType);
        Assert.Equal([0L, 3L, 6L], i.ToArray<long>());
        Assert.Equal([0L, 0L, 1L, 1L], Functional.Hardtanh(Tensor.From([-3L, 0L, 1L, 3L]), -0.5, 1.2).ToArray<long>()); // PyTorch's truncation
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Hardtanh(Tensor.Zeros([1]), 1, -1)), "hardtanh", "min_val");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Relu6(Tensor.From([true]))), "relu6", "bool");
    }

    [Fact]
    public void Hardswish_BothEndsOfTheMiddleAreInclusive()
    {
        var (y, g) = Run(Functional.Hardswish, -3, 3, -4, 4, 0, 1);
        Assert.Equal([0.0, 3, 0, 4, 0, 4.0 / 6], y);
        Assert.Equal([-0.5, 1.5, 0, 1, 0.5, 1.0 / 3 + 0.5], g);
    }

    [Fact]
    public void Hardsigmoid_DerivativeIsOneSixthStrictlyInside()
    {
        var (y, g) = Run(Functional.Hardsigmoid, -3, 3, 0, -2.5, 3.5);
        Assert.Equal([0.0, 1, 0.5, 0.5 / 6, 1], y);
        Assert.Equal([0.0, 0, 1.0 / 6, 1.0 / 6, 0], g);
    }

    [Fact]
    public void Elu_AtZero_TakesAlpha_AndSeluTakesScaleTimesAlpha()
    {
        var (y, g) = Run(x => Functional.Elu(x, 0.5), 0, -1, 2, -1e-300);
        Close([0, 0.5 * double.ExpM1(-1), 2, -0.5e-300], y);
        Close([0.5, 0.5 * Math.Exp(-1), 1, 0.5], g);
        const double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
        var (sy, sg) = Run(Functional.Selu, 0, 1, -2);
        Close([0, scale, scale * alpha * double.ExpM1(-2)], sy, 1e-15);
        Close([scale * alpha, scale, scale * alpha * Math.Exp(-2)], sg, 1e-15);
        Assert.Equal("EluBackward", Functional.Selu(D(1)).GradFn!.Name);
    }

    [Fact]
    public void Mish_ValuesAndDerivative_MatchTheClosedForm()
    {
        double[] at = [-2, -0.3, 0, 0.7, 25];
        var (y, g) = Run(Functional.Mish, at);
        static double Sp(double x) => Math.Log(1 + Math.Exp(x));
        Close(at.Select(x => x * Math.Tanh(Sp(x))).ToArray(), y, 1e-14);
        Close(at.Select(x => Math.Tanh(Sp(x)) + x / (1 + Math.Exp(-x)) * (1 - Math.Tanh(Sp(x)) * Math.Tanh(Sp(x)))).ToArray(), g, 1e-13);
        Assert.Equal([-0.0, 1000.0], Functional.Mish(Tensor.From([-1000.0, 1000.0], dtype: DType.Float64)).ToDoubleArray());
    }

    [Fact]
    public void LogSigmoid_IsStableAtPlusMinusOneThousand()
    {
        var (y, g) = Run(Functional.LogSigmoid, -1000, 1000, 0);
        Assert.Equal([-1000.0, 0, -Math.Log(2)], y);
        Assert.Equal([1.0, 0, 0.5], g);
        Assert.Equal([-1000f, 0f], Functional.LogSigmoid(Tensor.From([-1000f, 1000f])).ToArray<float>());
    }

    [Fact]
    public void Softsign_ValuesAndDerivative()
    {
        var (y, g) = Run(Functional.Softsign, 2, -3, 0);
        Close([2.0 / 3, -0.75, 0], y);
        Close([1.0 / 9, 1.0 / 16, 1], g, 1e-14);
        Assert.Equal(DType.Float32, Functional.Softsign(Tensor.From([3L])).DType);
    }

    [Fact]
    public void Glu_HalvesAlongTheDimAndGates()
    {
        Tensor x = D(1, 2, 3, 4);
        Tensor y = Functional.Glu(x, 0);
        static double S(double v) => 1 / (1 + Math.Exp(-v));
        Close([S(3), 2 * S(4)], y.ToDoubleArray());
        Assert.Equal("GluBackward", y.GradFn!.Name);
        y.Sum().Backward();
        Close([S(3), S(4), S(3) * (1 - S(3)), 2 * S(4) * (1 - S(4))], x.Grad!.ToDoubleArray(), 1e-13);
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Glu(Tensor.Zeros([2, 5]))), "glu", "even", "[2, 5]");
    }

    [Fact]
    public void Prelu_AtZeroTakesTheSlope_AndTheWeightGradientSumsOverChannels()
    {
        Tensor x = Tensor.From([0.0, -2, 3, -1, 0, 4], [1, 2, 3], requiresGrad: true, dtype: DType.Float64);
        Tensor w = Tensor.From([0.25, 0.5], requiresGrad: true, dtype: DType.Float64);
        Tensor y = Functional.Prelu(x, w);
        Assert.Equal([0.0, -0.5, 3, -0.5, 0, 4], y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal([0.25, 0.25, 1, 0.5, 0.5, 1], x.Grad!.ToDoubleArray());
        Assert.Equal([-2.0, -1], w.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Prelu_WeightThatDoesNotFit_ThrowsNamingBothShapes()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Prelu(Tensor.Zeros([2, 4]), Tensor.Zeros([3]))), "prelu", "[3]", "[2, 4]", "[4]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Prelu(Tensor.Zeros([4]), Tensor.Zeros([4]))), "prelu", "[1]");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Prelu(Tensor.Zeros([2, 2]), Tensor.Zeros([2], DType.Float64))), "prelu", "float64");
    }

    [Fact]
    public void Activations_OfIntegers_ThrowNamingTheOp()
    {
        Tensor i = Tensor.Arange(3);
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Mish(i)), "mish", "int64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Hardswish(i)), "hardswish", "int64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Selu(i)), "selu", "int64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.LogSigmoid(i)), "logsigmoid", "int64");
    }

    [Fact]
    public void Modules_ComputeTheirFunctionsAndPreluLearnsItsSlope()
    {
        Tensor x = Tensor.From([-2f, 0.5f, 7f]);
        Assert.Equal(Functional.Relu6(x).ToArray<float>(), new Relu6().Forward(x).ToArray<float>());
        Assert.Equal(Functional.Selu(x).ToArray<float>(), new Selu().Forward(x).ToArray<float>());
        Assert.Equal(Functional.Mish(x).ToArray<float>(), new Mish().Forward(x).ToArray<float>());
        Assert.Equal(Functional.Hardswish(x).ToArray<float>(), new Hardswish().Forward(x).ToArray<float>());
        Assert.Equal(Functional.Hardsigmoid(x).ToArray<float>(), new Hardsigmoid().Forward(x).ToArray<float>());
        Assert.Equal(Functional.LogSigmoid(x).ToArray<float>(), new LogSigmoid().Forward(x).ToArray<float>());
        Assert.Equal(Functional.Softsign(x).ToArray<float>(), new Softsign().Forward(x).ToArray<float>());
        Assert.Equal(Functional.Hardtanh(x, -1, 2).ToArray<float>(), new Hardtanh(-1, 2).Forward(x).ToArray<float>());
        Assert.Equal([2, 1], new Glu(0).Forward(Tensor.Zeros([4, 1])).Shape.ToArray());
        Assert.Equal("GLU(dim=0)", new Glu(0).ToString());

        var prelu = new PRelu(2);
        Assert.Equal([0.25f, 0.25f], prelu.Weight.ToArray<float>());
        Assert.Equal("PReLU(num_parameters=2)", prelu.ToString());
        Tensor input = Tensor.From([-1f, -2f, 3f, -4f], [2, 2]);
        prelu.Forward(input).Sum().Backward();
        Assert.Equal([-1f - 3f * 0, -2f - 4f], prelu.Weight.Grad!.ToArray<float>());
        Assert.Single(prelu.Parameters());
    }
}
