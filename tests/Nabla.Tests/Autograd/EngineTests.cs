namespace Nabla.Tests.Graph;

public class EngineTests
{
    [Fact]
    public void Backward_ScalarWithoutArgument_FillsLeafGrad()
    {
        var x = Tensor.From([1.0, 2.0, 3.0], requiresGrad: true);
        (x * x).Sum().Backward();
        Assert.Equal([2.0, 4.0, 6.0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_NonScalarWithoutGradient_ThrowsClearError()
    {
        var x = Tensor.From([1.0, 2.0], requiresGrad: true);
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2.0).Backward());
        Assert.Contains("one element", ex.Message);
        Assert.Contains("[2]", ex.Message);
    }

    [Fact]
    public void Backward_OnTensorWithoutGrad_ThrowsClearError()
    {
        var x = Tensor.From([1.0, 2.0]);
        var ex = Assert.Throws<InvalidOperationException>(() => x.Sum().Backward());
        Assert.Contains("does not require a gradient", ex.Message);
    }

    [Fact]
    public void Backward_Twice_AccumulatesIntoLeaves()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true);
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
        var x = Tensor.Scalar(3.0, requiresGrad: true);
        Tensor y = x.Exp() * x;
        y.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", ex.Message);
        Assert.Contains("retainGraph", ex.Message);
    }

    [Fact]
    public void Backward_WithRetainGraph_CanRunTwice()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true);
        Tensor y = x * x;
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal(12.0, x.Grad!.Item());
    }

    [Fact]
    public void Backward_FanIn_SumsGradients()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor a = x * 3.0, b = x.Exp();
        (a + b + a * b).Backward(); // d/dx [3x + e^x + 3x e^x] = 3 + e^x + 3e^x + 3x e^x
        double e = Math.Exp(2);
        Assert.Equal(3 + e + 3 * e + 6 * e, x.Grad!.Item(), 10);
    }

    [Fact]
    public void Backward_BroadcastInput_GradientHasInputShape()
    {
        var bias = Tensor.From([1.0, 2.0, 3.0], requiresGrad: true);
        var m = Tensor.Ones([4, 3], DType.Float64);
        (m + bias).Sum().Backward();
        Assert.Equal([4.0, 4.0, 4.0], bias.Grad!.ToArray<double>());
    }

    [Fact]
    public void Backward_ChainOf100000Ops_DoesNotOverflowStack()
    {
        var x = Tensor.Scalar(1.0, requiresGrad: true);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = y * 1.0;
        y.Backward();
        Assert.Equal(1.0, x.Grad!.Item());
    }

    [Fact]
    public void RetainGrad_OnIntermediate_KeepsItsGradient()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor h = x * 3.0;
        h.RetainGrad();
        (h * h).Backward();
        Assert.Equal(12.0, h.Grad!.Item());
        Assert.Equal(36.0, x.Grad!.Item());
    }

    [Fact]
    public void Intermediate_WithoutRetainGrad_HasNoGrad()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor h = x * 3.0;
        (h * h).Backward();
        Assert.Null(h.Grad);
    }

    [Fact]
    public void NoGrad_DoesNotRecordAndIsPerThread()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor inside;
        bool otherThreadEnabled = false;
        using (Autograd.NoGrad())
        {
            inside = x * 2.0;
            var t = new Thread(() => otherThreadEnabled = Autograd.IsGradEnabled);
            t.Start();
            t.Join();
        }
        Assert.False(inside.RequiresGrad);
        Assert.Null(inside.GradFn);
        Assert.True(otherThreadEnabled);
        Assert.True((x * 2.0).RequiresGrad);
    }

    [Fact]
    public void Detach_CutsTheGraph()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor d = (x * x).Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        (x * d).Backward();
        Assert.Equal(4.0, x.Grad!.Item());
    }

    [Fact]
    public void GradFn_IsNamedAfterTheOp()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Assert.Equal("MulBackward", (x * x).GradFn!.Name);
        Assert.Equal("ExpBackward", x.Exp().GradFn!.Name);
        Assert.True(x.IsLeaf);
        Assert.False((x * x).IsLeaf);
    }

    [Fact]
    public void RegisterHook_CanReplaceGradient()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor h = x * 3.0;
        using (h.RegisterHook(g => g * 10.0))
            h.Backward();
        Assert.Equal(30.0, x.Grad!.Item());
    }

    [Fact]
    public void RegisterHook_OnLeaf_SeesGradientAndDisposeRemovesIt()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        double seen = 0;
        IDisposable handle = x.RegisterHook(g => { seen = g.Item(); });
        (x * 5.0).Backward();
        Assert.Equal(5.0, seen);
        handle.Dispose();
        seen = 0;
        (x * 7.0).Backward();
        Assert.Equal(0.0, seen);
    }

    [Fact]
    public void RegisterHook_ReturningWrongShape_Throws()
    {
        var x = Tensor.From([1.0, 2.0], requiresGrad: true);
        x.RegisterHook(g => Tensor.Zeros([3], DType.Float64));
        var ex = Assert.Throws<InvalidOperationException>(() => x.Sum().Backward());
        Assert.Contains("[3]", ex.Message);
    }

    [Fact]
    public void Grad_ReturnsGradientsWithoutTouchingGradProperty()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true);
        var w = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor?[] g = Autograd.Grad([x * w], [x]);
        Assert.Equal(2.0, g[0]!.Item());
        Assert.Null(x.Grad);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Grad_UnusedInput_ThrowsUnlessAllowed()
    {
        var x = Tensor.Scalar(3.0, requiresGrad: true);
        var u = Tensor.Scalar(1.0, requiresGrad: true);
        Assert.Throws<InvalidOperationException>(() => Autograd.Grad([x * x], [x, u], retainGraph: true));
        Tensor?[] g = Autograd.Grad([x * x], [x, u], allowUnused: true);
        Assert.Null(g[1]);
    }

    [Fact]
    public void Grad_WithCreateGraph_GivesSecondDerivative()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        Tensor y = x.Pow(3);                     // y' = 3x^2 = 12, y'' = 6x = 12, y''' = 6
        Tensor dy = Autograd.Grad(y, x, createGraph: true);
        Assert.Equal(12.0, dy.Item(), 12);
        Tensor d2y = Autograd.Grad(dy, x, createGraph: true);
        Assert.Equal(12.0, d2y.Item(), 12);
        Tensor d3y = Autograd.Grad(d2y, x);
        Assert.Equal(6.0, d3y.Item(), 12);
    }

    [Fact]
    public void Grad_HessianVectorProduct_MatchesClosedForm()
    {
        // f(x) = sum(x_i^2 * x_j) over a 2-vector: f = x0^2 x0 ... use f = x0^2 * x1 + sin(x1)
        var x = Tensor.From([1.5, -0.5], requiresGrad: true);
        Tensor x0 = x[0], x1 = x[1];
        Tensor f = x0 * x0 * x1 + x1.Sin();
        Tensor g = Autograd.Grad(f, x, createGraph: true);
        var v = Tensor.From([0.3, 0.7]);
        Tensor hv = Autograd.Grad((g * v).Sum(), x);
        // H = [[2 x1, 2 x0], [2 x0, -sin x1]]
        double h00 = 2 * -0.5, h01 = 2 * 1.5, h11 = -Math.Sin(-0.5);
        Assert.Equal(h00 * 0.3 + h01 * 0.7, hv.ToArray<double>()[0], 12);
        Assert.Equal(h01 * 0.3 + h11 * 0.7, hv.ToArray<double>()[1], 12);
    }

    [Fact]
    public void Backward_CreateGraph_LeafGradHasGraph()
    {
        var x = Tensor.Scalar(2.0, requiresGrad: true);
        (x * x * x).Backward(createGraph: true);
        Assert.True(x.Grad!.RequiresGrad);
        Tensor g = x.Grad;
        x.Grad = null;
        g.Backward();
        Assert.Equal(12.0, x.Grad!.Item(), 12);
    }

    [Fact]
    public void InPlace_OnSavedTensor_MakesBackwardThrow()
    {
        var w = Tensor.From([1.0, 2.0], requiresGrad: true);
        var a = Tensor.From([3.0, 4.0]);
        Tensor loss = (w * a).Sum();
        a.AddInPlace(1.0);
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("in-place", ex.Message);
        Assert.Contains("MulBackward", ex.Message);
    }

    [Fact]
    public void InPlace_OnSavedOutputThroughView_MakesBackwardThrow()
    {
        var x = Tensor.From([1.0, 2.0], requiresGrad: true);
        Tensor y = x.Exp();
        Tensor loss = y.Sum();
        using (Autograd.NoGrad()) y.Detach()[0..1].MulInPlace(2.0);
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
    }

    [Fact]
    public void InPlace_OnTensorRequiringGrad_OutsideNoGrad_Throws()
    {
        var w = Tensor.From([1.0, 2.0], requiresGrad: true);
        var ex = Assert.Throws<InvalidOperationException>(() => w.AddInPlace(1.0));
        Assert.Contains("NoGrad", ex.Message);
        using (Autograd.NoGrad()) w.AddInPlace(1.0);
        Assert.Equal([2.0, 3.0], w.ToArray<double>());
    }

    [Fact]
    public void InPlace_BumpsVersionSharedByViews()
    {
        var a = Tensor.Zeros([2, 2]);
        Tensor v = a.Transpose(0, 1);
        int before = a.Version;
        v.Fill(1);
        Assert.Equal(before + 1, a.Version);
        Assert.Equal([1f, 1f, 1f, 1f], a.ToArray<float>());
    }

    [Fact]
    public void RequiresGrad_OnIntegerTensor_Throws()
    {
        var t = Tensor.From([1L, 2L]);
        var ex = Assert.Throws<InvalidOperationException>(() => t.RequiresGrad = true);
        Assert.Contains("int64", ex.Message);
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
}
