using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>
/// The math functions of Ops/UnaryMath.cs: closed-form values and derivatives, expm1's accuracy for tiny inputs, the
/// float32 results of integer inputs (Note [Float ops of integers]) and atan2's quadrants. Gradient checks and the PyTorch
/// vectors run from their OpInfo rows.
/// </summary>
public class UnaryMathTests
{
    private static Tensor D(params double[] v) => Tensor.From(v, requiresGrad: true, dtype: DType.Float64);

    private static double[] GradOfSum(Func<Tensor, Tensor> f, Tensor x)
    {
        f(x).Sum().Backward();
        return x.Grad!.ToDoubleArray();
    }

    private static void Close(double[] expected, double[] actual, double rtol = 1e-14)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= rtol * Math.Abs(expected[i]) + 1e-300, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Rsqrt_AndReciprocal_ValuesAndDerivatives()
    {
        Close([0.5, 1.0 / 3], D(4, 9).Rsqrt().ToDoubleArray());
        Close([-1.0 / 16, -1.0 / 54], GradOfSum(x => x.Rsqrt(), D(4, 9)));
        Close([0.5, -4], D(2, -0.25).Reciprocal().ToDoubleArray());
        Close([-0.25, -16], GradOfSum(x => x.Reciprocal(), D(2, -0.25)));
    }

    [Fact]
    public void Trigonometric_ValuesAndDerivatives_MatchMath()
    {
        double[] v = [-0.7, 0.2, 0.9];
        Close(v.Select(Math.Tan).ToArray(), D(v).Tan().ToDoubleArray());
        Close(v.Select(a => 1 + Math.Tan(a) * Math.Tan(a)).ToArray(), GradOfSum(x => x.Tan(), D(v)));
        Close(v.Select(Math.Atan).ToArray(), D(v).Atan().ToDoubleArray());
        Close(v.Select(a => 1 / (1 + a * a)).ToArray(), GradOfSum(x => x.Atan(), D(v)));
        Close(v.Select(Math.Asin).ToArray(), D(v).Asin().ToDoubleArray());
        Close(v.Select(a => 1 / Math.Sqrt(1 - a * a)).ToArray(), GradOfSum(x => x.Asin(), D(v)));
        Close(v.Select(Math.Acos).ToArray(), D(v).Acos().ToDoubleArray());
        Close(v.Select(a => -1 / Math.Sqrt(1 - a * a)).ToArray(), GradOfSum(x => x.Acos(), D(v)));
        Close(v.Select(Math.Sinh).ToArray(), D(v).Sinh().ToDoubleArray());
        Close(v.Select(Math.Cosh).ToArray(), GradOfSum(x => x.Sinh(), D(v)));
        Close(v.Select(Math.Cosh).ToArray(), D(v).Cosh().ToDoubleArray());
        Close(v.Select(Math.Sinh).ToArray(), GradOfSum(x => x.Cosh(), D(v)));
        Assert.True(double.IsNaN(D(1.5).Asin().Item()));
    }

    [Fact]
    public void Log2AndLog10_ExactPowersAndDerivatives()
    {
        Assert.Equal([3.0, -1.0, 0.0], D(8, 0.5, 1).Log2().ToDoubleArray());
        Assert.Equal([2.0, -3.0], D(100, 0.001).Log10().ToDoubleArray());
        Close([1 / (8 * Math.Log(2))], GradOfSum(x => x.Log2(), D(8)));
        Close([1 / (100 * Math.Log(10))], GradOfSum(x => x.Log10(), D(100)));
        Assert.Equal(double.NegativeInfinity, D(0).Log2().Item());
    }

    [Fact]
    public void Expm1_TinyInputs_KeepFullRelativeAccuracy()
    {
        double[] x = [1e-300, -1e-20, 1e-10, -3e-8, 1e-5, 0.5, -2, 30, -800, 800];
        double[] expected = [1e-300, -1e-20, 1.00000000005e-10, -2.999999955e-08, 1.0000050000166668e-05,
            0.6487212707001282, -0.8646647167633873, 10686474581523.463, -1, double.PositiveInfinity];
        double[] actual = D(x).Expm1().ToDoubleArray();
        for (int i = 0; i < x.Length; i++)
            Assert.True(actual[i] == expected[i] || Math.Abs(actual[i] - expected[i]) <= 4e-16 * Math.Abs(expected[i]),
                $"expm1({x[i]:R}): expected {expected[i]:R}, got {actual[i]:R}");
        Assert.Equal(1e-30f, Tensor.From([1e-30f]).Expm1().ToArray<float>()[0]);
        Close([Math.Exp(0.5), 1], GradOfSum(x => x.Expm1(), D(0.5, 1e-300)));
    }

    [Fact]
    public void Square_FloatIntAndBool_FollowPyTorchDTypes()
    {
        Assert.Equal([9.0, 0.25], D(-3, 0.5).Square().ToDoubleArray());
        Assert.Equal([-6.0, 1.0], GradOfSum(x => x.Square(), D(-3, 0.5)));
        Tensor i = Tensor.From([-3L, 4L]).Square();
        Assert.Equal(DType.Int64, i.DType);
        Assert.Equal([9L, 16L], i.ToArray<long>());
        Tensor b = Tensor.From([true, false]).Square();
        Assert.Equal(DType.Int64, b.DType);
        Assert.Equal([1L, 0L], b.ToArray<long>());
    }

    [Fact]
    public void FloatMath_OfIntegers_ComputesInFloat32()
    {
        Tensor y = Tensor.From([1L, 4L]).Rsqrt();
        Assert.Equal(DType.Float32, y.DType);
        Assert.Equal([1f, 0.5f], y.ToArray<float>());
        Assert.Equal(DType.Float32, Tensor.From([true]).Expm1().DType);
        Assert.Equal(DType.Float32, Tensor.Arange(3).Atan2(Tensor.Arange(3)).DType);
    }

    [Fact]
    public void Atan2_Quadrants_AndGradients()
    {
        Tensor y = D(1, 1, -1, -1, 0), x = D(1, -1, -1, 1, -1);
        Close([Math.PI / 4, 3 * Math.PI / 4, -3 * Math.PI / 4, -Math.PI / 4, Math.PI], y.Atan2(x).ToDoubleArray());
        y.Atan2(x).Sum().Backward();
        Close([0.5, -0.5, -0.5, 0.5, -1], y.Grad!.ToDoubleArray());
        Close([-0.5, -0.5, 0.5, 0.5, 0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Atan2_MixedFloatDTypes_ThrowsNamingTheOp()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.From([1f]).Atan2(Tensor.From([1.0], dtype: DType.Float64))), "atan2", "float32", "float64");

    [Fact]
    public void Atan2_ShapesThatDoNotBroadcast_ThrowNamingTheShapes()
        => AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2, 3]).Atan2(Tensor.Zeros([2]))), "atan2", "[2, 3]", "[2]");
}
