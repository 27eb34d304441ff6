using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>The custom optimizer of docs/optim.md ("Writing your own optimizer"), written with the in-place ops.</summary>
public class CustomOptimizerTests
{
    /// <summary>SGD with heavy-ball momentum: buf = momentum * buf + g; p = p - lr * buf.</summary>
    private sealed class HeavyBall : Optimizer
    {
        public HeavyBall(IEnumerable<Tensor> parameters, double lr, double momentum = 0.9)
            : base([new ParamGroup(parameters)], new Dictionary<string, double> { ["lr"] = lr, ["momentum"] = momentum }) { }

        protected override IReadOnlyCollection<string> BufferNames => ["momentumBuffer"];

        protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
        {
            Tensor buf = state.GetOrCreateBuffer("momentumBuffer", parameter);   // zeros on the first step
            buf.MulInPlace(group.Momentum).AddInPlace(gradient);                  // buf = momentum * buf + g
            parameter.SubInPlace(buf * group.Lr);                                 // p -= lr * buf
        }
    }

    [Theory]
    [InlineData(DType.Float64)]
    [InlineData(DType.Float32)]
    public void Step_HeavyBall_MatchesSgdWithMomentum(DType dtype)
    {
        Tensor a = Tensor.From([1.0, -2.0, 0.5], [3], requiresGrad: true, dtype: dtype);
        Tensor b = a.Detach().Clone();
        b.RequiresGrad = true;
        var mine = new HeavyBall([a], lr: 0.1, momentum: 0.8);
        var sgd = new Sgd([b], lr: 0.1, momentum: 0.8);
        for (int step = 0; step < 5; step++)
        {
            foreach (var (p, o) in new[] { (a, (Optimizer)mine), (b, sgd) })
            {
                o.ZeroGrad();
                (p * p * p).Sum().Backward();
                o.Step();
            }
            Assert.Equal(b.ToDoubleArray(), a.ToDoubleArray());
        }
    }

    [Fact]
    public void LoadStateDict_HeavyBall_ContinuesAndRefusesAdamState()
    {
        Tensor a = WithGrad(Param(1.0), 2.0);
        var first = new HeavyBall([a], lr: 0.1);
        first.Step();
        Tensor b = Param(a.Item());
        var second = new HeavyBall([b], lr: 0.1);
        second.LoadStateDict(first.StateDict());
        WithGrad(a, 1.0);
        WithGrad(b, 1.0);
        first.Step();
        second.Step();
        Assert.Equal(a.Item(), b.Item());

        var adam = new Adam([WithGrad(Param(1.0), 1.0)]);
        adam.Step();
        OptimizerState state = adam.StateDict();
        foreach (string key in state.Scalars.Keys.Where(k => k.StartsWith("paramGroups.0.", StringComparison.Ordinal) && k != "paramGroups.0.params").ToList())
            state.Scalars.Remove(key);
        var ex = Assert.Throws<ArgumentException>(() => second.LoadStateDict(state));
        ErrorAssert.AssertMessage(ex, "HeavyBall.LoadStateDict", "expAvg");
    }
}
