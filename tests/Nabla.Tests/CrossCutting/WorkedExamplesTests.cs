namespace Nabla.Tests.CrossCutting;

/// <summary>The worked examples that backprop lessons use, checked exactly.</summary>
public class WorkedExamplesTests
{
    [Fact]
    public void SquaredError_AtW2X3Y10_GivesLoss16AndGradMinus24()
    {
        var w = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        var x = Tensor.Scalar(3.0, dtype: DType.Float64);
        var y = Tensor.Scalar(10.0, dtype: DType.Float64);
        Tensor loss = (w * x - y).Pow(2);
        loss.Backward();
        Assert.Equal(16.0, loss.Item(), 12);
        Assert.Equal(-24.0, w.Grad!.Item(), 12);
    }

    [Fact]
    public void Quadratic_AtX2_GivesSlope7()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor y = x * x + 3.0 * x + 1.0;
        y.Backward();
        Assert.Equal(11.0, y.Item(), 12);
        Assert.Equal(7.0, x.Grad!.Item(), 12);
    }

    [Theory]
    [InlineData(-2.0)]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void ChainRule_SquareOfAffine_Gives6Times3xPlus2(double at)
    {
        var x = Tensor.Scalar(at, requiresGrad: true, dtype: DType.Float64);
        Tensor y = (3.0 * x + 2.0).Pow(2);
        y.Backward();
        Assert.Equal(6 * (3 * at + 2), x.Grad!.Item(), 10);
    }

    [Fact]
    public void SquaredDifference_2Minus1Point1_Is0Point81()
    {
        Tensor d = Tensor.Scalar(2.0, dtype: DType.Float64) - Tensor.Scalar(1.1, dtype: DType.Float64);
        Assert.Equal(0.81, (d * d).Item(), 12);
    }
}
