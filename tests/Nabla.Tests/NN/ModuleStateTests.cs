using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Tests.NN;

/// <summary>Freezing (RequiresGrad), dtype conversion (To) and non-strict state loading.</summary>
public class ModuleStateTests
{
    private static Sequential Mlp(DType dtype = DType.Float32) => new(
        new Linear(3, 4, dtype: dtype, generator: new Generator(1)), new BatchNorm1d(4, dtype: dtype), new Relu(),
        new Linear(4, 2, dtype: dtype, generator: new Generator(2)));

    [Fact]
    public void RequiresGrad_False_FreezesEveryParameterAndChainsWithItsType()
    {
        Sequential model = Mlp().RequiresGrad(false);
        Assert.All(model.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.Contains("Trainable params: 0", model.Summary([2, 3]));
        Tensor y = model.Forward(Tensor.Ones([2, 3]));
        Assert.False(y.RequiresGrad);
        Assert.All(model.RequiresGrad().Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void RequiresGrad_FrozenFirstLayer_GetsNoGradientAndTheOptimizerSkipsIt()
    {
        Sequential model = Mlp();
        ((Linear)model[0]).RequiresGrad(false);
        var optimizer = new Sgd(model.Parameters(), lr: 0.1);
        Tensor frozen = ((Linear)model[0]).Weight.Clone();
        model.Forward(Tensor.Ones([2, 3])).Sum().Backward();
        optimizer.Step();
        Assert.Null(((Linear)model[0]).Weight.Grad);
        Assert.Equal(frozen.ToArray<float>(), ((Linear)model[0]).Weight.ToArray<float>());
        Assert.NotNull(((Linear)model[3]).Weight.Grad);
    }

    [Fact]
    public void To_Float64_ConvertsInPlaceKeepingTensorIdentityAndIntegerBuffers()
    {
        Sequential model = Mlp();
        Tensor weight = ((Linear)model[0]).Weight;
        float[] before = weight.ToArray<float>();
        var optimizer = new Sgd(model.Parameters(), lr: 0.1);
        Assert.Same(model, model.To(DType.Float64));
        Assert.Same(weight, ((Linear)model[0]).Weight);
        Assert.Equal(DType.Float64, weight.DType);
        Assert.Equal(before.Select(v => (double)v), weight.ToArray<double>());
        Assert.All(model.StateDict(), p => Assert.Equal(p.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? DType.Int64 : DType.Float64, p.Value.DType));

        // The optimizer built before still updates the converted tensors.
        model.Forward(Tensor.Randn([4, 3], DType.Float64, new Generator(5))).Pow(2).Sum().Backward();
        optimizer.Step();
        Assert.NotEqual(before.Select(v => (double)v), weight.ToArray<double>());
    }

    [Fact]
    public void To_ConvertsGradientsAndRefusesIntegerDTypes()
    {
        var linear = new Linear(2, 2);
        linear.Forward(Tensor.Ones([1, 2])).Sum().Backward();
        linear.To(DType.Float64);
        Assert.Equal(DType.Float64, linear.Weight.Grad!.DType);
        var e = Assert.Throws<ArgumentException>(() => linear.To(DType.Int64));
        ErrorAssert.AssertMessage(e, "to: a module converts only to a floating-point dtype", "int64");
    }

    [Fact]
    public void To_WhileAGraphUsesTheParameter_BackwardRefusesInsteadOfMixingDTypes()
    {
        var linear = new Linear(2, 2);
        Tensor y = linear.Forward(Tensor.Ones([1, 2], requiresGrad: true)).Sum();
        linear.To(DType.Float64);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
    }

    [Fact]
    public void LoadStateDict_NotStrict_LoadsWhatMatchesAndReturnsMissingAndUnexpectedKeys()
    {
        Sequential source = Mlp(), target = Mlp();
        using (Autograd.NoGrad()) ((Linear)source[0]).Weight.Fill(0.25);
        var state = source.StateDict().Where(p => !p.Key.StartsWith("3.", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
        state["extra.weight"] = Tensor.Zeros([1]);
        IncompatibleKeys result = target.LoadStateDict(state, strict: false);
        Assert.Equal(["3.weight", "3.bias"], result.MissingKeys);
        Assert.Equal(["extra.weight"], result.UnexpectedKeys);
        Assert.False(result.IsEmpty);
        Assert.All(((Linear)target[0]).Weight.ToArray<float>(), v => Assert.Equal(0.25f, v));
        Assert.Equal("missing_keys=['3.weight', '3.bias'], unexpected_keys=['extra.weight']", result.ToString());
    }

    [Fact]
    public void LoadStateDict_Strict_ThrowsNamingTheKeysAndCopiesNothing()
    {
        Sequential source = Mlp(), target = Mlp();
        float[] before = ((Linear)target[0]).Weight.ToArray<float>();
        var state = source.StateDict().Where(p => p.Key != "3.bias").ToDictionary(p => p.Key, p => p.Value);
        state["extra"] = Tensor.Zeros([1]);
        var e = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state));
        ErrorAssert.AssertMessage(e, "load_state_dict: the state does not match Sequential", "tensor '3.bias' (shape [2] in the model) is missing",
            "unexpected tensor 'extra' of shape [1]");
        Assert.Equal(before, ((Linear)target[0]).Weight.ToArray<float>());
        Assert.True(target.LoadStateDict(source.StateDict()).IsEmpty);
    }

    [Fact]
    public void LoadStateDict_NotStrict_ShapeMismatchStillThrows()
    {
        var state = Mlp().StateDict().ToDictionary(p => p.Key, p => p.Value);
        state["0.weight"] = Tensor.Zeros([4, 5]);
        var e = Assert.Throws<ArgumentException>(() => Mlp().LoadStateDict(state, strict: false));
        ErrorAssert.AssertMessage(e, "'0.weight' has shape [4, 5] in the state but [4, 3] in the model");
    }
}
