using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Linear interpolation (Ops/Lerp.cs): PyTorch's two-branch formula, broadcasting, gradients and errors.</summary>
public class LerpTests
{
    [Fact]
    public void Lerp_ScalarWeight_MatchesPyTorchsFormulaAndHitsTheEndExactly()
    {
        Tensor a = Tensor.From([0.1, -3, 1e16], dtype: DType.Float64), b = Tensor.From([0.7, 5, 1], dtype: DType.Float64);
        Assert.Equal(b.ToDoubleArray(), a.Lerp(b, 1.0).ToDoubleArray());
        Assert.Equal(a.ToDoubleArray(), a.Lerp(b, 0.0).ToDoubleArray());
        double[] expected = [0.1 + 0.25 * (0.7 - 0.1), -3 + 0.25 * 8, 1e16 + 0.25 * (1 - 1e16)];
        Assert.Equal(expected, a.Lerp(b, 0.25).ToDoubleArray());
        Assert.Equal([0.7 - (0.7 - 0.1) * (1 - 1.5), 5 - 8 * (1 - 1.5), 1 - (1 - 1e16) * (1 - 1.5)], a.Lerp(b, 1.5).ToDoubleArray());
    }

    [Fact]
    public void Lerp_TensorWeight_BroadcastsAllThreeAndTakesEachBranch()
    {
        Tensor a = Tensor.From([1.0, 2], [2, 1], dtype: DType.Float64);
        Tensor b = Tensor.From([10.0, 20, 30], dtype: DType.Float64);
        Tensor w = Tensor.From([0.25, 0.75, -1], dtype: DType.Float64);
        Assert.Equal([3.25, 20 - 19 * 0.25, 1 + -1.0 * 29, 4.0, 20 - 18 * 0.25, 2 + -1.0 * 28], a.Lerp(b, w).ToDoubleArray());
    }

    [Fact]
    public void Lerp_Float32LongTensor_VectorAndTailAgreeWithTheScalarFormula()
    {
        int n = 67;
        float[] a = Enumerable.Range(0, n).Select(i => i * 0.37f - 9).ToArray(), b = Enumerable.Range(0, n).Select(i => 5 - i * 0.11f).ToArray();
        float[] w = Enumerable.Range(0, n).Select(i => i % 5 * 0.3f - 0.2f).ToArray();
        float[] y = Tensor.From(a).Lerp(Tensor.From(b), Tensor.From(w)).ToArray<float>();
        for (int i = 0; i < n; i++)
        {
            float d = b[i] - a[i];
            Assert.Equal(MathF.Abs(w[i]) < 0.5f ? a[i] + w[i] * d : b[i] - d * (1 - w[i]), y[i]);
        }
    }

    [Fact]
    public void Lerp_Gradients_AreOneMinusWeightWeightAndTheDifference()
    {
        Tensor a = Tensor.From([1.0, 2], requiresGrad: true, dtype: DType.Float64);
        Tensor b = Tensor.From([5.0, -2], requiresGrad: true, dtype: DType.Float64);
        Tensor w = Tensor.From([0.25, 0.9], requiresGrad: true, dtype: DType.Float64);
        Tensor y = a.Lerp(b, w);
        Assert.Equal("LerpBackward", y.GradFn!.Name);
        y.Sum().Backward();
        Assert.Equal([0.75, 1 - 0.9], a.Grad!.ToDoubleArray());
        Assert.Equal([0.25, 0.9], b.Grad!.ToDoubleArray());
        Assert.Equal([4.0, -4], w.Grad!.ToDoubleArray());
        Tensor c = Tensor.Scalar(3.0, requiresGrad: true, dtype: DType.Float64);
        c.Lerp(b, 0.3).Sum().Backward();
        Assert.Equal(2 * 0.7, c.Grad!.Item(), 15);
    }

    [Fact]
    public void Lerp_BadDTypesOrShapes_ThrowNamingTheOp()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Arange(3).Lerp(Tensor.Arange(3), 0.5)), "lerp", "int64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2]).Lerp(Tensor.Zeros([2], DType.Float64), 0.5)), "lerp", "float32", "float64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Zeros([2]).Lerp(Tensor.Zeros([3]), Tensor.Zeros([2]))), "lerp", "[2]", "[3]");
    }
}
