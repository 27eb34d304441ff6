using Nabla.NN;
using Nabla.Tests.Ops;

namespace Nabla.Tests.NN;

/// <summary>The Dropout2d layer: whole channels in training, the identity in evaluation, repr and errors.</summary>
public class Dropout2dTests
{
    [Fact]
    public void Dropout2d_TrainingAndEvaluation_DropChannelsThenPassThrough()
    {
        var layer = new Dropout2d(0.5, new Generator(10));
        Tensor x = Tensor.Rand([4, 30, 3, 2], DType.Float64, new Generator(11)) + 1.0;
        int dropped = FeatureDropoutTests.AssertWholeSlices(x, layer.Forward(x), 120);
        Assert.InRange(dropped, 30, 90);
        layer.Eval();
        Assert.Same(x, layer.Forward(x));
    }

    [Fact]
    public void Dropout2d_Repr_IsPyTorchs()
    {
        Assert.Equal("Dropout2d(p=0.5, inplace=False)", new Dropout2d().ToString());
        Assert.Equal("Dropout2d(p=0.25, inplace=False)", new Dropout2d(0.25).ToString());
    }

    [Fact]
    public void Dropout2d_ProbabilityOutsideZeroToOne_Throws()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Dropout2d(-0.1)), "Dropout2d", "[0, 1]");
    }
}
