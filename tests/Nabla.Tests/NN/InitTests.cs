using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>Init: PyTorch's gains, fans and the initialisers' spreads.</summary>
public class InitTests
{
    [Fact]
    public void CalculateGain_MatchesPyTorch()
    {
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain(Nonlinearity.Relu));
        Assert.Equal(5.0 / 3, Init.CalculateGain(Nonlinearity.Tanh));
        Assert.Equal(Math.Sqrt(2.0 / (1 + 0.2 * 0.2)), Init.CalculateGain(Nonlinearity.LeakyRelu, 0.2));
    }

    [Fact]
    public void XavierAndKaiming_HaveTheRightSpread()
    {
        var g = new Generator(11);
        Tensor w = Tensor.Zeros([400, 300], DType.Float64);
        Init.XavierUniform(w, generator: g);
        double a = Math.Sqrt(6.0 / 700);
        Assert.InRange(w.Std().Item(), a / Math.Sqrt(3) * 0.97, a / Math.Sqrt(3) * 1.03);
        Init.XavierNormal(w, generator: g);
        Assert.InRange(w.Std().Item(), Math.Sqrt(2.0 / 700) * 0.97, Math.Sqrt(2.0 / 700) * 1.03);
        Init.KaimingNormal(w, mode: FanMode.FanIn, nonlinearity: Nonlinearity.Relu, generator: g);
        Assert.InRange(w.Std().Item(), Math.Sqrt(2.0 / 300) * 0.97, Math.Sqrt(2.0 / 300) * 1.03);
        Init.KaimingUniform(w, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: g);
        Assert.InRange(w.Std().Item(), Math.Sqrt(2.0 / 400) * 0.97, Math.Sqrt(2.0 / 400) * 1.03);
    }

    [Fact]
    public void Orthogonal_GivesOrthonormalRows()
    {
        Tensor w = Tensor.Zeros([4, 6], DType.Float64);
        Init.Orthogonal(w, generator: new Generator(2));
        Tensor wwt = w.MatMul(w.MT);
        double[] v = wwt.ToArray<double>();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(i == j ? 1.0 : 0.0, v[i * 4 + j], 10);
    }

    [Fact]
    public void ConstantZerosOnesUniformNormal_FillAsAsked()
    {
        Tensor t = Tensor.Zeros([1000], DType.Float64);
        Assert.All(Init.Constant(t, 3).ToArray<double>(), v => Assert.Equal(3, v));
        Assert.All(Init.Ones(t).ToArray<double>(), v => Assert.Equal(1, v));
        Assert.All(Init.Zeros(t).ToArray<double>(), v => Assert.Equal(0, v));
        Assert.All(Init.Uniform(t, 2, 3).ToArray<double>(), v => Assert.InRange(v, 2, 3));
        Assert.InRange(Init.Normal(t, 5, 0.1).Mean().Item(), 4.98, 5.02);
    }

    [Fact]
    public void Fans_OfRank1Tensor_Throw()
        => Assert.Contains("rank 2", Assert.Throws<ArgumentException>(() => Init.XavierUniform(Tensor.Zeros([3]))).Message);
}
