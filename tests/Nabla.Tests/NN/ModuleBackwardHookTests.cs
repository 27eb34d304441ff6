using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>
/// Full backward hooks on modules, with PyTorch 1.13's semantics (Note [Module backward hooks]); the expected values of
/// the multi-input cases were checked with <c>register_full_backward_hook</c> by hand.
/// </summary>
public class ModuleBackwardHookTests
{
    /// <summary>PyTorch's check: forward(a, b, c, k) = (a * 2, (a * 3).sum()).</summary>
    private sealed class Two : Module<Tensor, Tensor, Tensor, int, (Tensor, Tensor)>
    {
        protected override (Tensor, Tensor) OnForward(Tensor a, Tensor b, Tensor c, int k) => (a * 2, (a * 3).Sum());
    }

    private sealed class Product : Module<Tensor, Tensor, Tensor>
    {
        protected override Tensor OnForward(Tensor a, Tensor b) => a * b;
    }

    private static Tensor Vec(params double[] v) => Tensor.From(v, dtype: DType.Float64);

    private static Tensor Leaf(params double[] v) => Tensor.From(v, dtype: DType.Float64, requiresGrad: true);

    private static double[] Values(Tensor? t) => Assert.IsType<Tensor>(t).ToArray<double>();

    [Fact]
    public void FullBackwardHook_Linear_GetsGradInputAndGradOutputOnce()
    {
        var linear = new Linear(3, 2, dtype: DType.Float64, generator: new Generator(1));
        Tensor x = Tensor.Randn([1, 3], DType.Float64, new Generator(2), requiresGrad: true);
        Tensor c = Tensor.From(new double[] { 1.5, -2 }, [1, 2], dtype: DType.Float64);
        var calls = new List<(Tensor?[] In, Tensor?[] Out)>();
        using (linear.RegisterFullBackwardHook((m, gi, go) => calls.Add(([.. gi], [.. go]))))
            (linear.Forward(x) * c).Sum().Backward();
        var (gradIn, gradOut) = Assert.Single(calls);
        Assert.Equal(c.ToArray<double>(), Values(Assert.Single(gradOut)));
        double[] expected = c.MatMul(linear.Weight).ToArray<double>();
        Assert.Equal(expected, Values(Assert.Single(gradIn)));
        Assert.Equal(expected, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void FullBackwardHook_SeveralInputs_UnusedInputGetsZerosNonTensorsNullUnusedOutputNull()
    {
        var two = new Two();
        Tensor a = Leaf(1, 1), b = Leaf(1, 1), c = Vec(1, 1);
        Tensor?[] gi = [], go = [];
        two.RegisterFullBackwardHook((_, gradIn, gradOut) => (gi, go) = ([.. gradIn], [.. gradOut]));
        var (o1, _) = two.Forward(a, b, c, 3);
        o1.Sum().Backward();
        Assert.Equal(4, gi.Length);
        Assert.Equal([2.0, 2], Values(gi[0]));
        Assert.Equal([0.0, 0], Values(gi[1]));
        Assert.Null(gi[2]);   // PyTorch gives zeros for a tensor that requires no gradient; null here (documented)
        Assert.Null(gi[3]);
        Assert.Equal(2, go.Length);
        Assert.Equal([1.0, 1], Values(go[0]));
        Assert.Null(go[1]);
        Assert.Equal([2.0, 2], a.Grad!.ToArray<double>());
    }

    [Fact]
    public void FullBackwardHook_NoInputRequiresGrad_CalledWithOutputGradientsAndNullInputs()
    {
        var linear = new Linear(2, 2, dtype: DType.Float64);
        Tensor?[]? gi = null, go = null;
        linear.RegisterFullBackwardHook((_, gradIn, gradOut) => (gi, go) = ([.. gradIn], [.. gradOut]));
        linear.Forward(Tensor.Ones([1, 2], DType.Float64)).Sum().Backward();
        Assert.Equal([null], gi!);
        Assert.Equal([1.0, 1], Values(Assert.Single(go!)));
        Assert.NotNull(linear.Weight.Grad);
    }

    [Fact]
    public void FullBackwardHook_ReturnedGradient_ReplacesTheInputGradient()
    {
        var relu = new Relu();
        relu.RegisterFullBackwardHook((_, gi, _) => [gi[0]! * 10]);
        Tensor x = Leaf(1, -1);
        relu.Forward(x).Sum().Backward();
        Assert.Equal([10.0, 0], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void FullBackwardHook_SeveralInputs_ReplacementGoesToEachInput()
    {
        var product = new Product();
        product.RegisterFullBackwardHook((_, gi, _) => [gi[0], gi[1]! * -1]);
        Tensor a = Leaf(2, 3), b = Leaf(5, 7);
        product.Forward(a, b).Sum().Backward();
        Assert.Equal([5.0, 7], a.Grad!.ToArray<double>());
        Assert.Equal([-2.0, -3], b.Grad!.ToArray<double>());
    }

    [Fact]
    public void FullBackwardHook_TwoHooks_SecondSeesTheFirstsReplacement()
    {
        var relu = new Relu();
        double[]? second = null;
        relu.RegisterFullBackwardHook((_, gi, _) => [gi[0]! * 3]);
        relu.RegisterFullBackwardHook((_, gi, _) => { second = Values(gi[0]); });
        Tensor x = Leaf(1, 2);
        relu.Forward(x).Sum().Backward();
        Assert.Equal([3.0, 3], second!);
        Assert.Equal([3.0, 3], x.Grad!.ToArray<double>());
    }

    [Fact]
    public void FullBackwardHook_WrongReplacement_ThrowsNamingModuleAndShapes()
    {
        var relu = new Relu();
        relu.RegisterFullBackwardHook((_, _, _) => [Vec(1, 2, 3)]);
        var e = Assert.Throws<InvalidOperationException>(() => relu.Forward(Leaf(1, 2)).Sum().Backward());
        ErrorAssert.AssertMessage(e, "backward hook of ReLU", "shape [3]", "expected shape [2]");
        var product = new Product();
        product.RegisterFullBackwardHook((_, _, _) => [null]);
        Assert.Contains("returned 1 input gradients, expected 2", Assert.Throws<InvalidOperationException>(() => product.Forward(Leaf(1), Leaf(2)).Sum().Backward()).Message);
    }

    [Fact]
    public void FullBackwardHook_RetainedGraph_CalledOnEveryBackwardWithFreshGradients()
    {
        var product = new Product();
        var outputs = new List<double[]>();
        product.RegisterFullBackwardHook((_, _, go) => outputs.Add(Values(go[0])));
        Tensor a = Leaf(1, 2), b = Leaf(3, 4);
        Tensor y = product.Forward(a, b);
        y.Backward(Vec(1, 1), retainGraph: true);
        y.Backward(Vec(2, 2));
        Assert.Equal([[1.0, 1], [2.0, 2]], outputs);
        Assert.Equal([9.0, 12], a.Grad!.ToArray<double>());
    }

    [Fact]
    public void FullBackwardHook_DisposedOrNoGrad_NothingIsWrapped()
    {
        var relu = new Relu();
        int calls = 0;
        IDisposable handle = relu.RegisterFullBackwardHook((_, _, _) => { calls++; });
        Tensor x = Leaf(1, 2);
        Tensor y = relu.Forward(x);
        Assert.Equal("BackwardHookFunctionBackward", y.GradFn!.Name);
        Assert.Equal("BackwardHookFunctionBackward", Assert.Single(Assert.Single(y.GradFn.NextFunctions())!.NextFunctions())!.Name);
        using (Autograd.NoGrad()) Assert.Null(relu.Forward(x).GradFn);
        handle.Dispose();
        relu.Forward(x).Sum().Backward();
        Assert.Equal(0, calls);
        Assert.Equal("ReluBackward", relu.Forward(x).GradFn!.Name);
    }

    [Fact]
    public void FullBackwardHook_CreateGraph_SecondDerivativeFlowsThroughTheHook()
    {
        var square = new Product();
        square.RegisterFullBackwardHook((_, _, _) => { });
        Tensor x = Leaf(3);
        Tensor y = square.Forward(x, x);
        Tensor g = Autograd.Grad([y], [x], createGraph: true)[0]!;
        Assert.Equal([6.0], g.ToArray<double>());
        Assert.Equal([2.0], Autograd.Grad([g], [x])[0]!.ToArray<double>());
    }
}
