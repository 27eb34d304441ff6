using Nabla.NN;
using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Ops;

/// <summary>Functional.Dropout and the Dropout module (Ops/Dropout.cs): masks, scaling, p = 0 and p = 1, evaluation.</summary>
public class DropoutTests
{
    [Fact]
    public void Dropout_Training_ZeroesOrScalesEachElementAndItsGradient()
    {
        Tensor x = Tensor.Ones([1000], requiresGrad: true);
        Tensor y = Functional.Dropout(x, 0.25, training: true, new Generator(3));
        Assert.Equal("DropoutBackward", y.GradFn!.Name);
        float[] v = y.ToArray<float>();
        Assert.All(v, e => Assert.True(e == 0 || e == 1 / 0.75f, $"{e}"));
        Assert.InRange(v.Count(e => e == 0), 200, 300);
        y.Sum().Backward();
        Assert.Equal(v, x.Grad!.ToArray<float>());
    }

    [Fact]
    public void Dropout_ProbabilityOne_GivesZerosAndZeroGradients()
    {
        Tensor x = Tensor.Ones([5], requiresGrad: true);
        Tensor y = Functional.Dropout(x, 1.0);
        Assert.Equal(new float[5], y.ToArray<float>());
        y.Sum().Backward();
        Assert.Equal(new float[5], x.Grad!.ToArray<float>());
        var layer = new Dropout(1.0);
        Assert.Equal(new float[3], layer.Forward(Tensor.Ones([3])).ToArray<float>());
        layer.Eval();
        Assert.Equal([1f, 1f, 1f], layer.Forward(Tensor.Ones([3])).ToArray<float>());
    }

    [Fact]
    public void Dropout_EvaluationOrZeroProbability_ReturnsTheInput()
    {
        Tensor x = Tensor.Ones([4]);
        Assert.Same(x, Functional.Dropout(x, 0.5, training: false));
        Assert.Same(x, Functional.Dropout(x, 0.0));
    }

    [Fact]
    public void Dropout_SameGeneratorSeed_GivesTheModulesMask()
    {
        Tensor x = Tensor.Randn([64], generator: new Generator(1));
        var layer = new Dropout(0.5, new Generator(9));
        Assert.Equal(Functional.Dropout(x, 0.5, true, new Generator(9)).ToArray<float>(), layer.Forward(x).ToArray<float>());
    }

    [Fact]
    public void Dropout_ProbabilityOutsideZeroOne_ThrowsNamingIt()
    {
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Dropout(Tensor.Ones([2]), 1.5)), "dropout", "[0, 1]", "1.5");
        AssertMessage(Assert.Throws<ArgumentException>(() => new Dropout(-0.1)), "Dropout", "-0.1");
        AssertMessage(Assert.Throws<ArgumentException>(() => Functional.Dropout(Tensor.Ones([2]), double.NaN)), "dropout", "NaN");
    }
}
