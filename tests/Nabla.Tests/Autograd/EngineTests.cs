using static Nabla.Tests.ErrorAssert;

namespace Nabla.Tests.Graph;

/// <summary>The backward engine (Engine.cs): fan-in sums, broadcast reduction, freed graphs, retainGraph, createGraph, deep chains, and its errors.</summary>
public class EngineTests
{
    [Fact]
    public void Backward_ScalarWithoutArgument_FillsLeafGrad()
    {
        var x = Tensor.From([1.0, 2.0, 3.0], requiresGrad: true, dtype: DType.Float64);
        (x * x).Sum().Backward();
        Assert.Equal([2.0, 4.0, 6.0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_NonScalarWithoutGradient_ThrowsClearError()
    {
        var x = Tensor.From([1.0, 2.0], requiresGrad: true, dtype: DType.Float64);
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2.0).Backward());
        Assert.Contains("one element", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Backward_OnTensorWithoutGrad_ThrowsClearError()
    {
        var x = Tensor.From([1.0, 2.0], dtype: DType.Float64);
        var ex = Assert.Throws<InvalidOperationException>(() => x.Sum().Backward());
        Assert.Contains("does not require a gradient", ex.Message);
    }

    [Fact]
    public void Backward_Twice_AccumulatesIntoLeaves()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true, dtype: DType.Float64);
        (x * x).Backward();
        (x * x).Backward();
        Assert.Equal(12.0, x.Grad!.Item());
        x.Grad = null;
        (x * x).Backward();
        Assert.Equal(6.0, x.Grad!.Item());
    }

    [Fact]
    public void Backward_SecondTimeThroughFreedGraph_Throws()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true, dtype: DType.Float64);
        Tensor y = x.Exp() * x;
        y.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", ex.Message);
        Assert.Contains("retainGraph", ex.Message);
    }

    [Fact]
    public void Backward_WithRetainGraph_CanRunTwice()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true, dtype: DType.Float64);
        Tensor y = x * x;
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(12.0, x.Grad!.Item());
    }

    [Fact]
    public void Backward_FanIn_SumsGradients()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        Tensor a = x * 3.0, b = x.Exp();
        (a + b + a * b).Backward(); // d/dx [3x + e^x + 3x e^x] = 3 + e^x + 3e^x + 3x e^x
        double e = Math.Exp(2);
        Assert.Equal(3 + e + 3 * e + 6 * e, x.Grad!.Item(), 10);
    }

    [Fact]
    public void Backward_BroadcastInput_GradientHasInputShape()
    {
        var bias = Tensor.From([1.0, 2.0, 3.0], requiresGrad: true, dtype: DType.Float64);
        var m = Tensor.Ones([4, 3], DType.Float64);
        (m + bias).Sum().Backward();
        Assert.Equal([4.0, 4.0, 4.0], bias.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_ChainOf100000Ops_DoesNotOverflowStack()
    {
        var x = Tensor.Scalar(1.0, requiresGrad: true, dtype: DType.Float64);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = y * 1.0;
        y.Backward();
        Assert.Equal(1.0, x.Grad!.Item());
    }

    [Fact]
    public void Backward_CreateGraph_LeafGradHasGraph()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true, dtype: DType.Float64);
        (x * x * x).Backward(createGraph: true);
        Assert.True(x.Grad!.RequiresGrad);
        Tensor g = x.Grad;
        x.Grad = null;
        g.Backward();
        Assert.Equal(12.0, x.Grad!.Item(), 12);
    }

    [Fact]
    public void Float32_TrainingStep_Works()
    {
        var w = Tensor.Randn([3, 2], generator: new Generator(1), requiresGrad: true);
        var x = Tensor.Randn([4, 3], generator: new Generator(2));
        Tensor loss = x.MatMul(w).Tanh().Pow(2).Mean();
        loss.Backward();
        Assert.Equal(DType.Float32, w.Grad!.DType);
        Assert.Equal(new Shape(3, 2), w.Grad.Shape);
    }

    [Fact]
    public void Backward_TensorWithoutGrad_Throws()
        => AssertMessage(Assert.Throws<InvalidOperationException>(() => Tensor.Zeros([1]).Sum().Backward()), "backward", "does not require a gradient");

    [Fact]
    public void Backward_GradientShapeMismatch_Throws()
    {
        var x = Tensor.Zeros([2], requiresGrad: true);
        AssertMessage(Assert.Throws<ArgumentException>(() => (x * 2.0).Backward(Tensor.Zeros([3]))), "backward", "[3]", "[2]");
    }

    [Fact]
    public void Backward_SecondTimeThroughFreedGraphOfAVector_Throws()
    {
        var x = Tensor.Zeros([2], requiresGrad: true);
        Tensor y = (x.Exp() * 2.0).Sum();
        y.Backward();
        AssertMessage(Assert.Throws<InvalidOperationException>(() => y.Backward()), "second time", "retainGraph");
    }

    [Fact]
    public void Backward_AfterInPlaceChangeToSavedTensor_NamesNodeAndVersions()
    {
        var x = Tensor.Ones([2], requiresGrad: true);
        var c = Tensor.Ones([2]);
        Tensor y = (x * c).Sum();
        c.MulInPlace(3.0);
        AssertMessage(Assert.Throws<InvalidOperationException>(() => y.Backward()), "MulBackward", "in-place", "version");
    }
}
