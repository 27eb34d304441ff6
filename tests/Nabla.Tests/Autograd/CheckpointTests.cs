using System.Runtime.CompilerServices;
using Nabla.Diagnostics;
using Nabla.Graph;
using Nabla.NN;

namespace Nabla.Tests.Graph;

/// <summary>
/// Checkpoint.Run and Checkpoint.Sequential (Note [Checkpoint frames]): values and every gradient bit for bit those of
/// the plain run, dropout included; the forward keeps no activation; Autograd.Grad, nesting, several outputs, second
/// derivatives, gradcheck; errors for a recomputation that differs and an input changed in place.
/// </summary>
public class CheckpointTests
{
    internal static void AssertBitIdentical(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double[] e = expected.ToDoubleArray(), a = actual.ToDoubleArray();
        for (int i = 0; i < e.Length; i++)
            if (BitConverter.DoubleToInt64Bits(e[i]) != BitConverter.DoubleToInt64Bits(a[i]))
                Assert.Fail($"{what}: element {i} is {a[i]:R} with checkpointing, {e[i]:R} without");
    }

    /// <summary>An MLP with two dropouts: the first draws from <paramref name="first"/>, the second from <paramref name="second"/> (the default generator when null).</summary>
    internal static Sequential Mlp(DType dtype, double dropout, ulong seed, Generator? first, Generator? second)
    {
        var g = new Generator(seed);
        return new Sequential(
            new Linear(6, 16, dtype: dtype, generator: g), new Gelu(), new Dropout(dropout, first),
            new Linear(16, 16, dtype: dtype, generator: g), new Tanh(), new Dropout(dropout, second),
            new Linear(16, 3, dtype: dtype, generator: g));
    }

    internal static Tensor Input(DType dtype, bool requiresGrad) =>
        Tensor.Randn([5, 6], dtype, new Generator(7), requiresGrad: requiresGrad);

    /// <summary>Runs the MLP on x (its first 6 modules checkpointed when asked) and backward from a scalar loss; returns the loss and the gradients.</summary>
    internal static (Tensor Loss, Tensor?[] Grads) LossAndGrads(Sequential model, Tensor x, bool checkpointed, bool preserveRngState = true)
    {
        Tensor Body(Tensor h)
        {
            for (int i = 0; i < 6; i++) h = model[i].Forward(h);
            return h;
        }
        Tensor y = model[6].Forward(checkpointed ? Checkpoint.Run(Body, x, preserveRngState) : Body(x));
        Tensor loss = (y * y).Mean();
        loss.Backward();
        return (loss, [.. model.Parameters().Select(p => p.Grad), x.Grad]);
    }

    [Theory]
    [InlineData(DType.Float32, 0.0)]
    [InlineData(DType.Float64, 0.0)]
    [InlineData(DType.Float32, 0.3)]
    [InlineData(DType.Float64, 0.3)]
    public void Run_Mlp_LossAndEveryGradientBitIdenticalToThePlainRun(DType dtype, double dropout)
    {
        // The dropouts draw from generators of their own (CheckpointDefaultGeneratorTests: from the default one).
        var (plainLoss, plainGrads) = LossAndGrads(Mlp(dtype, dropout, 3, new Generator(5), new Generator(6)), Input(dtype, true), checkpointed: false);
        var (loss, grads) = LossAndGrads(Mlp(dtype, dropout, 3, new Generator(5), new Generator(6)), Input(dtype, true), checkpointed: true);
        AssertBitIdentical(plainLoss, loss, "loss");
        Assert.Equal(plainGrads.Length, grads.Length);
        for (int i = 0; i < grads.Length; i++) AssertBitIdentical(plainGrads[i]!, grads[i]!, $"gradient {i}");
    }

    [Fact]
    public void Run_WithoutPreservingRngState_TheRecomputationDrawsNewMasksAndTheGradientsDiffer()
    {
        // What setting the generators back buys: without it (PyTorch's preserve_rng_state=False) the forward is the
        // same, but backward differentiates a recomputation with other dropout masks.
        var (plainLoss, plainGrads) = LossAndGrads(Mlp(DType.Float64, 0.3, 3, new Generator(5), new Generator(6)), Input(DType.Float64, true), checkpointed: false);
        var (loss, grads) = LossAndGrads(Mlp(DType.Float64, 0.3, 3, new Generator(5), new Generator(6)), Input(DType.Float64, true), checkpointed: true, preserveRngState: false);
        AssertBitIdentical(plainLoss, loss, "loss");
        Assert.Contains(Enumerable.Range(0, grads.Length), i => !plainGrads[i]!.ToDoubleArray().SequenceEqual(grads[i]!.ToDoubleArray()));
    }

    [Fact]
    public void Run_WithDropout_LeavesEveryGeneratorWhereThePlainRunDoes()
    {
        var (a, b) = (new Generator(5), new Generator(6));
        LossAndGrads(Mlp(DType.Float32, 0.5, 3, a, b), Input(DType.Float32, true), checkpointed: true);
        var (a2, b2) = (new Generator(5), new Generator(6));
        LossAndGrads(Mlp(DType.Float32, 0.5, 3, a2, b2), Input(DType.Float32, true), checkpointed: false);
        Assert.Equal(a2.GetState(), a.GetState());
        Assert.Equal(b2.GetState(), b.GetState());
    }

    [Fact]
    public void Run_NoInputRequiresGrad_ParametersInsideGetThePlainGradients()
    {
        var (plainLoss, plainGrads) = LossAndGrads(Mlp(DType.Float64, 0.2, 3, new Generator(5), new Generator(6)), Input(DType.Float64, false), checkpointed: false);
        var (loss, grads) = LossAndGrads(Mlp(DType.Float64, 0.2, 3, new Generator(5), new Generator(6)), Input(DType.Float64, false), checkpointed: true);
        AssertBitIdentical(plainLoss, loss, "loss");
        Assert.Null(grads[^1]);
        for (int i = 0; i < grads.Length - 1; i++) AssertBitIdentical(plainGrads[i]!, grads[i]!, $"gradient {i}");
    }

    [Fact]
    public void Run_AutogradGrad_GivesThePlainGradientsAndTouchesNoGrad()
    {
        var w = Tensor.Randn([4, 4], DType.Float64, new Generator(1), requiresGrad: true);
        var x = Tensor.Randn([3, 4], DType.Float64, new Generator(2), requiresGrad: true);
        Tensor Segment(Tensor h) => h.MatMul(w).Sigmoid().MatMul(w).Exp();
        Tensor?[] plain = Autograd.Grad([Segment(x).Sum()], [x, w]);
        Tensor?[] ck = Autograd.Grad([Checkpoint.Run(Segment, x).Sum()], [x, w]);
        AssertBitIdentical(plain[0]!, ck[0]!, "dx");
        AssertBitIdentical(plain[1]!, ck[1]!, "dw");
        Assert.Null(w.Grad);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Run_Nested_GivesThePlainGradients()
    {
        var w = Tensor.Randn([4, 4], DType.Float32, new Generator(1), requiresGrad: true);
        var x = Tensor.Randn([3, 4], DType.Float32, new Generator(2), requiresGrad: true);
        var g = new Generator(3);
        Tensor Inner(Tensor h) => Functional.Dropout(h.MatMul(w).Tanh(), 0.4, generator: g);
        Tensor Outer(Tensor h) => Checkpoint.Run(Inner, h.Exp()).MatMul(w).Sigmoid() * Checkpoint.Run(Inner, h);
        Tensor?[] plain = Autograd.Grad([Outer2(x, Inner, w).Sum()], [x, w]);
        g.ManualSeed(3);
        Tensor?[] ck = Autograd.Grad([Checkpoint.Run(Outer, x).Sum()], [x, w]);
        AssertBitIdentical(plain[0]!, ck[0]!, "dx");
        AssertBitIdentical(plain[1]!, ck[1]!, "dw");

        static Tensor Outer2(Tensor h, Func<Tensor, Tensor> inner, Tensor w) => inner(h.Exp()).MatMul(w).Sigmoid() * inner(h);
    }

    [Fact]
    public void Run_SeveralInputsAndOutputs_GivesThePlainGradients()
    {
        var a = Tensor.Randn([3, 4], DType.Float64, new Generator(1), requiresGrad: true);
        var b = Tensor.Randn([3, 4], DType.Float64, new Generator(2), requiresGrad: true);
        Tensor[] F(Tensor[] xs) => [(xs[0] * xs[1]).Exp(), xs[0].Sin() + xs[1].Square(), xs[1]];
        Tensor Loss(Tensor[] ys) => (ys[0] * ys[1]).Sum() + ys[2].Square().Sum();
        Tensor?[] plain = Autograd.Grad([Loss(F([a, b]))], [a, b]);
        Tensor?[] ck = Autograd.Grad([Loss(Checkpoint.Run(F, a, b))], [a, b]);
        AssertBitIdentical(plain[0]!, ck[0]!, "da");
        AssertBitIdentical(plain[1]!, ck[1]!, "db");

        Tensor?[] two = Autograd.Grad([Checkpoint.Run((x, y) => (x * y).Exp(), a, b).Sum()], [a, b]);
        Tensor?[] twoPlain = Autograd.Grad([(a * b).Exp().Sum()], [a, b]);
        AssertBitIdentical(twoPlain[0]!, two[0]!, "two-input da");
    }

    [Fact]
    public void Run_CreateGraph_SecondDerivativeIsThePlainOne()
    {
        var x = Tensor.Randn([5], DType.Float64, new Generator(1), requiresGrad: true);
        static Tensor F(Tensor h) => (h.Sin() * h).Exp();
        Tensor gPlain = Autograd.Grad([F(x).Sum()], [x], createGraph: true)[0]!;
        Tensor hPlain = Autograd.Grad([gPlain.Sum()], [x])[0]!;
        Tensor g = Autograd.Grad([Checkpoint.Run(F, x).Sum()], [x], createGraph: true)[0]!;
        Tensor h = Autograd.Grad([g.Sum()], [x])[0]!;
        AssertBitIdentical(gPlain, g, "first derivative");
        AssertBitIdentical(hPlain, h, "second derivative");
    }

    [Fact]
    public void Run_GradCheckFloat64_Passes()
    {
        var w = Tensor.Randn([4, 4], DType.Float64, new Generator(1), requiresGrad: true);
        var x = Tensor.Randn([3, 4], DType.Float64, new Generator(2), requiresGrad: true);
        var report = GradCheck.Check(xs => Checkpoint.Run(h => Checkpoint.Run(k => k.MatMul(xs[1]).Tanh(), h).MatMul(xs[1]).Sigmoid(), xs[0]), [x, w]);
        Assert.True(report.Passed, string.Join("; ", report.Failures()));
    }

    [Fact]
    public void Run_GradModeOff_JustRunsTheFunctionOnce()
    {
        var x = Tensor.Randn([3], requiresGrad: true);
        int calls = 0;
        Tensor y;
        using (Autograd.NoGrad()) y = Checkpoint.Run(h => { calls++; return h.Exp(); }, x);
        Assert.False(y.RequiresGrad);
        Assert.Equal(1, calls);
        AssertBitIdentical(x.Detach().Exp(), y, "value");
    }

    [Fact]
    public void Run_Backward_RunsTheFunctionOnceMore()
    {
        var x = Tensor.Randn([3], DType.Float64, new Generator(1), requiresGrad: true);
        int calls = 0;
        Tensor y = Checkpoint.Run(h => { calls++; return h.Exp().Sin().Exp(); }, x);
        Assert.Equal(1, calls);
        y.Sum().Backward();
        Assert.Equal(2, calls);
        Tensor plain = Autograd.Grad([x.Exp().Sin().Exp().Sum()], [x])[0]!;
        AssertBitIdentical(plain, x.Grad!, "gradient");
    }

    /// <summary>The segment's forward, in its own frame so that no local of the test keeps the intermediate alive.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Tensor Output, WeakReference Intermediate) ForwardKeepingAWeakReference(Tensor x, bool checkpointed)
    {
        WeakReference? weak = null;
        Tensor F(Tensor h)
        {
            Tensor e = h.Exp();           // saved by ExpBackward (its output) and by MulBackward
            weak = new WeakReference(e);
            return (e * h).Sum(1);
        }
        Tensor y = checkpointed ? Checkpoint.Run(F, x) : F(x);
        return (y, weak!);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void Run_Forward_KeepsNoIntermediateAlive(bool checkpointed, bool expectAlive)
    {
        var x = Tensor.Randn([64, 64], DType.Float32, new Generator(1), requiresGrad: true);
        var (y, weak) = ForwardKeepingAWeakReference(x, checkpointed);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.Equal(expectAlive, weak.IsAlive);
        y.Sum().Backward();
        Tensor e = x.Detach().Exp();
        AssertBitIdentical(e * x.Detach() + e, x.Grad!, "gradient");
    }

    [Fact]
    public void Run_RecomputationDoesOtherOps_ErrorNamesTheCheckpointAndTheCounts()
    {
        var x = Tensor.Randn([3], requiresGrad: true);
        int calls = 0;
        Tensor y = Checkpoint.Run(h => ++calls == 1 ? h.Exp() : h.Exp().Sin(), x);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("checkpoint of a lambda in CheckpointTests.Run_RecomputationDoesOtherOps_ErrorNamesTheCheckpointAndTheCounts (inputs [3])", ex.Message);
        Assert.Contains("the forward recorded 1 operations saving 1 tensors, the recomputation 2 saving 2", ex.Message);
    }

    [Fact]
    public void Run_RecomputedTensorOfAnotherShape_ErrorNamesTheOpAndBothShapes()
    {
        var x = Tensor.Randn([4], requiresGrad: true);
        var w = Tensor.Randn([2], requiresGrad: true);
        int calls = 0;
        Tensor y = Checkpoint.Run(h => (++calls == 1 ? h : w).Exp().Sum(), x);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("tensor 0 saved by ExpBackward (operation 0) is [2] float32 in the recomputation but was [4] float32 in the forward", ex.Message);
    }

    [Fact]
    public void Run_InputModifiedInPlaceAfterTheForward_IsAnErrorNamingTheInput()
    {
        var w = Tensor.Randn([3], requiresGrad: true);
        Tensor x = Tensor.Randn([3]);
        Tensor y = Checkpoint.Run(h => (h * w).Exp(), x);
        x.AddInPlace(Tensor.OnesLike(x));
        var ex = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("input 0", ex.Message);
        Assert.Contains("modified by an in-place operation", ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_ParameterSavedByARuleModifiedInPlaceAfterTheForward_IsAnErrorWithOrWithoutCheckpointing(bool checkpointed)
    {
        var w = Tensor.Randn([3], requiresGrad: true);
        Tensor x = Tensor.Randn([3]);
        Tensor F(Tensor h) => (w * w * h).Sum();
        Tensor y = checkpointed ? Checkpoint.Run(F, x) : F(x);
        using (Autograd.NoGrad()) w.AddInPlace(Tensor.OnesLike(w));
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("saved by MulBackward was modified by an in-place operation", ex.Message);
    }

    [Fact]
    public void Run_NullArguments_AreRefusedByName()
    {
        var x = Tensor.Randn([3], requiresGrad: true);
        Assert.Throws<ArgumentNullException>(() => Checkpoint.Run((Func<Tensor, Tensor>)null!, x));
        Assert.Contains("input 1", Assert.Throws<ArgumentNullException>(() => Checkpoint.Run(xs => xs, x, null!)).Message);
        Assert.Contains("output 0", Assert.Throws<ArgumentNullException>(() => Checkpoint.Run(_ => new Tensor[] { null! }, x)).Message);
    }

    [Fact]
    public void Run_MaxPoolInside_GivesThePlainGradients()
    {
        var conv = new Conv2d(2, 3, 3, padding: 1, dtype: DType.Float64, generator: new Generator(1));
        var x = Tensor.Randn([2, 2, 6, 6], DType.Float64, new Generator(2), requiresGrad: true);
        Tensor F(Tensor h) => Functional.MaxPool2d(conv.Forward(h).Relu(), 2).Square();
        Tensor?[] plain = Autograd.Grad([F(x).Sum()], [x, conv.Weight]);
        Tensor?[] ck = Autograd.Grad([Checkpoint.Run(F, x).Sum()], [x, conv.Weight]);
        AssertBitIdentical(plain[0]!, ck[0]!, "dx");
        AssertBitIdentical(plain[1]!, ck[1]!, "dw");
    }
}
