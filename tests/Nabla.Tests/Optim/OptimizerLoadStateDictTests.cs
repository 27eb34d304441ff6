using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>Optimizer.LoadStateDict checks a state as the constructor checks its arguments, and refuses another optimizer's state.</summary>
public class OptimizerLoadStateDictTests
{
    private static Tensor[] Params()
    {
        var gen = new Generator(3);
        Tensor[] ps = [Tensor.Randn([3, 2], generator: gen), Tensor.Randn([3], generator: gen)];
        foreach (Tensor p in ps) p.RequiresGrad = true;
        return ps;
    }

    /// <summary>The state of <paramref name="optimizer"/> after one step on a squared sum.</summary>
    private static OptimizerState Stepped(Optimizer optimizer, Tensor[] ps)
    {
        optimizer.ZeroGrad();
        ((ps[0] * ps[0]).Sum() + ps[1].Sum()).Backward();
        optimizer.Step();
        return optimizer.StateDict();
    }

    [Theory]
    [InlineData("lr", -1.0, "Sgd.LoadStateDict: invalid lr = -1 in param group 0 (expected a finite lr >= 0)")]
    [InlineData("lr", double.NaN, "invalid lr = NaN")]
    [InlineData("momentum", double.PositiveInfinity, "invalid momentum =")]
    [InlineData("weightDecay", -0.5, "invalid weightDecay = -0.5")]
    public void LoadStateDict_OptionOutOfRange_ThrowsAsTheConstructorWouldAndKeepsState(string option, double value, string message)
    {
        Tensor[] ps = Params();
        OptimizerState state = Stepped(new Sgd(ps, lr: 0.1, momentum: 0.9), ps);
        state.Scalars[$"paramGroups.0.{option}"] = value;
        var target = new Sgd(Params(), lr: 0.2, momentum: 0.9);
        var e = Assert.Throws<ArgumentException>(() => target.LoadStateDict(state));
        Assert.Contains(message, e.Message);
        Assert.Equal(0.2, target.ParamGroups[0].Lr);
        Assert.Null(target.StateOf(target.ParamGroups[0].Params[0]));
    }

    [Fact]
    public void LoadStateDict_AdamStateIntoSgd_RefusedNamingTheForeignOption()
    {
        Tensor[] ps = Params();
        OptimizerState adam = Stepped(new Adam(ps, lr: 0.01), ps);
        var e = Assert.Throws<ArgumentException>(() => new Sgd(Params(), lr: 0.1).LoadStateDict(adam));
        Assert.Contains("Sgd.LoadStateDict: param group 0 of the state has the option 'amsGrad', which Sgd does not have", e.Message);
        Assert.Contains("saved by another optimizer", e.Message);
        Assert.Throws<ArgumentException>(() => new Adam(Params()).LoadStateDict(Stepped(new Sgd(ps, lr: 0.1, momentum: 0.9), ps)));
    }

    [Fact]
    public void LoadStateDict_ForeignBuffer_RefusedNamingIt()
    {
        Tensor[] ps = Params();
        OptimizerState state = Stepped(new Sgd(ps, lr: 0.1, momentum: 0.9), ps);
        state.Tensors["state.0.expAvg"] = Tensor.Zeros([3, 2]);
        var e = Assert.Throws<ArgumentException>(() => new Sgd(Params(), lr: 0.1, momentum: 0.9).LoadStateDict(state));
        Assert.Contains("the state has the buffer 'state.0.expAvg', but Sgd keeps only momentumBuffer", e.Message);
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    [InlineData(1e300)]
    public void LoadStateDict_StepNotAWholeNumber_Refused(double step)
    {
        Tensor[] ps = Params();
        OptimizerState state = Stepped(new Adam(ps), ps);
        state.Scalars["state.0.step"] = step;
        var e = Assert.Throws<ArgumentException>(() => new Adam(Params()).LoadStateDict(state));
        Assert.Contains("'state.0.step' is", e.Message);
    }

    [Fact]
    public void LoadStateDict_OptionTheGroupHolds_IsAccepted()
    {
        Tensor[] ps = Params();
        var source = new Sgd([new ParamGroup(ps) { ["layerScale"] = 0.5 }], lr: 0.1);
        OptimizerState state = Stepped(source, ps);
        var target = new Sgd([new ParamGroup(Params()) { ["layerScale"] = 1 }], lr: 0.1);
        target.LoadStateDict(state);
        Assert.Equal(0.5, target.ParamGroups[0]["layerScale"]);
    }
}
