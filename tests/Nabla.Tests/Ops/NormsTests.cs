using static Nabla.Tests.ErrorAssert;
using static Nabla.Tests.Ops.Float64Tensors;

namespace Nabla.Tests.Ops;

/// <summary>Norm and FrobeniusNorm (Ops/Norms.cs): every order, dims, zeros in the gradient, errors. Gradient checks and PyTorch vectors: OpInfo.Norms.cs.</summary>
public class NormsTests
{
    [Fact]
    public void Norm_EachOrder_MatchesItsClosedForm()
    {
        Tensor x = F64([3, -4, 0, 1], 4);
        Assert.Equal(Math.Sqrt(26), x.Norm().Item(), 12);
        Assert.Equal(8.0, x.Norm(1).Item());
        Assert.Equal(4.0, x.Norm(double.PositiveInfinity).Item());
        Assert.Equal(0.0, x.Norm(double.NegativeInfinity).Item());
        Assert.Equal(3.0, x.Norm(0).Item());
        Assert.Equal(Math.Pow(27 + 64 + 1, 1.0 / 3), x.Norm(3).Item(), 12);
        Assert.Equal(Math.Sqrt(26), x.FrobeniusNorm().Item(), 12);
    }

    [Fact]
    public void Norm_Dims_TakeTheListedDimsTogether()
    {
        Tensor x = Tensor.Randn([2, 3, 4], DType.Float64, new Generator(9));
        double[] data = x.ToDoubleArray();
        double[] byOuter = x.Norm(2, [1, 2]).ToDoubleArray();
        for (int i = 0; i < 2; i++) Assert.Equal(Math.Sqrt(data.Skip(12 * i).Take(12).Sum(v => v * v)), byOuter[i], 12);
        Tensor ends = x.Norm(1, [0, 2], keepDim: true); // not adjacent: reduced after a copy
        Assert.Equal([1, 3, 1], ends.Shape.ToArray());
        for (int j = 0; j < 3; j++)
        {
            double want = 0;
            for (int i = 0; i < 2; i++) for (int k = 0; k < 4; k++) want += Math.Abs(data[i * 12 + j * 4 + k]);
            Assert.Equal(want, ends.ToDoubleArray()[j], 12);
        }
        Assert.Equal(x.MT.Norm(double.PositiveInfinity, 1).ToDoubleArray(), x.Norm(double.PositiveInfinity, 2).ToDoubleArray());
        Assert.Equal(x.FrobeniusNorm([1, 2]).ToDoubleArray(), x.Norm(2, [1, 2]).ToDoubleArray());
    }

    [Fact]
    public void Norm_ZerosInTheInput_GiveZeroGradientThereAsInPyTorch()
    {
        // PyTorch 1.13's gradients of torch.norm(x, p) at x = [0, 2, -1], and of every norm of zeros (0)
        foreach (var (p, want) in new[] { (3.0, new[] { 0, 0.9244816991341795, -0.2311204247835449 }), (0.5, new[] { 0, 1.7071067811865472, -2.414213562373095 }) })
        {
            Tensor x = F64([0, 2, -1], 3);
            x.RequiresGrad = true;
            x.Norm(p).Backward();
            double[] got = x.Grad!.ToDoubleArray();
            for (int i = 0; i < 3; i++) Assert.Equal(want[i], got[i], 12);
        }
        foreach (double p in new[] { 2.0, 3, 0.5, 1, double.PositiveInfinity })
        {
            Tensor zeros = Tensor.Zeros([2, 2], DType.Float64, requiresGrad: true);
            zeros.Norm(p, 1).Sum().Backward();
            Assert.Equal(new double[4], zeros.Grad!.ToDoubleArray());
        }
        Tensor c = F64([1, 0, 2], 3);
        c.RequiresGrad = true;
        c.Norm(0).Backward();
        Assert.Equal(new double[3], c.Grad!.ToDoubleArray());
        Assert.Equal("NormBackward", c.Norm().GradFn!.Name);
    }

    [Fact]
    public void Norm_EmptyGroup_IsZeroButTheInfinityNormsRefuseIt()
    {
        Tensor empty = Tensor.Zeros([3, 0]);
        Assert.Equal(new float[3], empty.Norm(2, 1).ToArray<float>());
        Assert.Equal(new float[3], empty.Norm(1, 1).ToArray<float>());
        AssertMessage(Assert.Throws<ArgumentException>(() => empty.Norm(double.PositiveInfinity, 1)), "norm", "infinity", "empty", "[3, 0]");
    }

    [Fact]
    public void Norm_BadOrderOrDType_ThrowsNamingTheOp()
    {
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones([3]).Norm(-1)), "norm", "p = -1", "p >= 0");
        AssertMessage(Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones([3]).Norm(double.NaN)), "norm", "NaN");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.From([1L, 2]).Norm()), "norm", "int64");
        AssertMessage(Assert.Throws<ArgumentException>(() => Tensor.Ones([2, 2]).Norm(2, [1, 1])), "norm", "more than once");
    }
}
