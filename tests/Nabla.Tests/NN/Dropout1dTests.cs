using Nabla.NN;
using Nabla.Tests.Ops;

namespace Nabla.Tests.NN;

/// <summary>The Dropout1d layer: whole channels in training, the identity in evaluation, repr and errors.</summary>
public class Dropout1dTests
{
    [Fact]
    public void Dropout1d_TrainingAndEvaluation_DropChannelsThenPassThrough()
    {
        var layer = new Dropout1d(0.5, new Generator(10));
        Tensor x = Tensor.Rand([4, 30, 6], DType.Float64, new Generator(11)) + 1.0;
        int dropped = FeatureDropoutTests.AssertWholeSlices(x, layer.Forward(x), 120);
        Assert.InRange(dropped, 30, 90);
        layer.Eval();
        Assert.Same(x, layer.Forward(x));
    }

    [Fact]
    public void Dropout1d_Repr_IsPyTorchs()
    {
        Assert.Equal("Dropout1d(p=0.5, inplace=False)", new Dropout1d().ToString());
        Assert.Equal("Dropout1d(p=0.25, inplace=False)", new Dropout1d(0.25).ToString());
    }

    [Fact]
    public void Dropout1d_ProbabilityOutsideZeroToOne_Throws()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Dropout1d(-0.1)), "Dropout1d", "[0, 1]");
    }
}
