using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>The Linear layer: PyTorch's default initialisation bounds and its input-width error.</summary>
public class LinearTests
{
    [Fact]
    public void Linear_DefaultInit_IsWithinPyTorchBounds()
    {
        var l = new Linear(100, 50, generator: new Generator(3));
        float[] w = l.Weight.ToArray<float>();
        Assert.All(w, v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.InRange(w.Select(v => (double)v).Average(), -0.01, 0.01);
        Assert.InRange(l.Weight.Detach().Std().Item(), 0.1 / Math.Sqrt(3) * 0.95, 0.1 / Math.Sqrt(3) * 1.05);
    }

    [Fact]
    public void Linear_WrongInputWidth_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Linear(3, 2).Forward(Tensor.Zeros([4, 5])));
        Assert.Contains("[4, 5]", ex.Message);
    }
}
