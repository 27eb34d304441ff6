using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>Closed-form single steps, param groups, ZeroGrad and argument validation of the optimizers.</summary>
public class OptimizerTests
{
    [Fact]
    public void SgdStep_Plain_SubtractsLrTimesGrad()
    {
        Tensor p = WithGrad(Param(1.0, 2.0, -3.0), 0.5, -1.0, 2.0);
        new Sgd([p], lr: 0.1).Step();
        AssertValues([1.0 - 0.05, 2.0 + 0.1, -3.0 - 0.2], p);
    }

    [Fact]
    public void SgdStep_MomentumDampeningWeightDecay_MatchesHandComputation()
    {
        Tensor p = Param(1.0);
        var sgd = new Sgd([p], lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.01);
        WithGrad(p, 2.0);
        sgd.Step();
        double d1 = 2.0 + 0.01 * 1.0, buf = d1;               // first step: buf = d, no dampening
        double p1 = 1.0 - 0.1 * buf;
        AssertValues([p1], p);
        WithGrad(p, -1.0);
        sgd.Step();
        double d2 = -1.0 + 0.01 * p1;
        buf = 0.9 * buf + 0.5 * d2;
        AssertValues([p1 - 0.1 * buf], p);
    }

    [Fact]
    public void SgdStep_Nesterov_AddsMomentumTimesBufferToGradient()
    {
        Tensor p = Param(0.0);
        var sgd = new Sgd([p], lr: 0.1, momentum: 0.5, nesterov: true);
        WithGrad(p, 1.0);
        sgd.Step();                                            // buf = 1, d = 1 + 0.5 * 1
        AssertValues([-0.15], p);
        WithGrad(p, 1.0);
        sgd.Step();                                            // buf = 0.5 + 1, d = 1 + 0.75
        AssertValues([-0.15 - 0.175], p);
    }

    [Theory]
    [InlineData(1e-4)]
    [InlineData(0.3)]
    [InlineData(-5.0)]
    [InlineData(1e4)]
    public void AdamStep_First_MovesEachParameterByLrAgainstTheGradient(double grad)
    {
        Tensor p = WithGrad(Param(1.0), grad);
        new Adam([p], lr: 0.01).Step();
        // m/(1-b1) = g and sqrt(v/(1-b2)) = |g|, so the step is lr * g / (|g| + eps) ~ lr * sign(g).
        double expected = 1.0 - 0.01 * grad / (Math.Abs(grad) + 1e-8);
        AssertValues([expected], p, 1e-12);
        Assert.Equal(0.01, Math.Abs(1.0 - p.Item()), 5);
    }

    [Fact]
    public void AdamStep_WeightDecay_IsAddedToTheGradient()
    {
        Tensor p = WithGrad(Param(2.0), 0.0);
        new Adam([p], lr: 0.1, weightDecay: 0.5).Step();
        // g = 0 + 0.5 * 2 = 1 > 0, so the first step moves by ~lr.
        AssertValues([2.0 - 0.1 * 1.0 / (1.0 + 1e-8)], p, 1e-12);
    }

    [Fact]
    public void AdamWStep_ZeroGradient_OnlyDecaysTheWeights()
    {
        Tensor p = WithGrad(Param(2.0, -4.0), 0.0, 0.0);
        new AdamW([p], lr: 0.1, weightDecay: 0.5).Step();
        AssertValues([2.0 * (1 - 0.05), -4.0 * (1 - 0.05)], p);
    }

    [Fact]
    public void AdamStep_AmsGrad_KeepsTheMaximumSecondMoment()
    {
        Tensor p = Param(0.0);
        var adam = new Adam([p], lr: 0.1, amsGrad: true);
        WithGrad(p, 10.0);
        adam.Step();
        WithGrad(p, 0.1);
        adam.Step();
        Tensor v = adam.StateOf(p)!.Buffers["expAvgSq"];
        Tensor vMax = adam.StateOf(p)!.Buffers["maxExpAvgSq"];
        Assert.Equal(0.999 * 0.001 * 100 + 0.001 * 0.01, v.Item(), 15);
        Assert.Equal(0.001 * 100, vMax.Item(), 15);
    }

    [Fact]
    public void RmsPropStep_First_DividesByRootOfSquareAverageWithEpsOutside()
    {
        Tensor p = WithGrad(Param(1.0), 2.0);
        new RmsProp([p], lr: 0.01, alpha: 0.9, eps: 1e-3).Step();
        double avg = Math.Sqrt(0.1 * 4.0) + 1e-3;
        AssertValues([1.0 - 0.01 * 2.0 / avg], p);
    }

    [Fact]
    public void RmsPropStep_CenteredWithMomentum_MatchesHandComputation()
    {
        Tensor p = WithGrad(Param(1.0), 2.0);
        new RmsProp([p], lr: 0.01, alpha: 0.9, eps: 1e-3, momentum: 0.5, centered: true).Step();
        double sq = 0.1 * 4.0, ga = 0.1 * 2.0;
        double avg = Math.Sqrt(sq - ga * ga) + 1e-3;
        double buf = 2.0 / avg;
        AssertValues([1.0 - 0.01 * buf], p);
    }

    [Fact]
    public void AdagradStep_TwoSteps_AccumulatesSquaresAndDecaysLr()
    {
        Tensor p = Param(1.0);
        var adagrad = new Adagrad([p], lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 0.25);
        WithGrad(p, 1.0);
        adagrad.Step();
        double sum = 0.25 + 1.0;
        double p1 = 1.0 - 0.1 * 1.0 / (Math.Sqrt(sum) + 1e-10);
        AssertValues([p1], p);
        WithGrad(p, 2.0);
        adagrad.Step();
        sum += 4.0;
        AssertValues([p1 - 0.1 / (1 + 0.5) * 2.0 / (Math.Sqrt(sum) + 1e-10)], p);
        Assert.Equal(2, adagrad.StateOf(p)!.Step);
    }

    [Fact]
    public void Step_ParameterWithoutGradient_IsSkippedAndGetsNoState()
    {
        Tensor a = WithGrad(Param(1.0), 1.0);
        Tensor b = Param(5.0);
        var adam = new Adam([a, b], lr: 0.1);
        adam.Step();
        Assert.Equal(5.0, b.Item());
        Assert.Null(adam.StateOf(b));
        Assert.NotEqual(1.0, a.Item());
    }

    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Step_WarmOptimizers_AllocateNothingPerElement(DType dtype)
    {
        Tensor[] ps = [Tensor.Ones([100_000], dtype, requiresGrad: true), Tensor.Ones([37], dtype, requiresGrad: true)];
        foreach (Tensor p in ps) p.Grad = Tensor.OnesLike(p);
        Optimizer[] optimizers =
        [
            new Sgd(ps, lr: 1e-3, momentum: 0.9, nesterov: true, weightDecay: 1e-4), new Adam(ps, amsGrad: true), new AdamW(ps),
            new RmsProp(ps, momentum: 0.9, centered: true), new Adagrad(ps), new NAdam(ps, weightDecay: 1e-4), new RAdam(ps),
            new Adamax(ps, weightDecay: 1e-4), new Adadelta(ps, maximize: true),
        ];
        foreach (Optimizer o in optimizers)
        {
            o.Step();
            o.Step();
            // NOTE: the least of several steps, because the JIT (tiering up a method mid-run) may allocate on
            // this thread during any one of them; a per-element allocation would show up in every step.
            long allocated = long.MaxValue;
            for (int i = 0; i < 5; i++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                o.Step();
                allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            Assert.True(allocated < 1024, $"{o.GetType().Name}: one step allocated {allocated} bytes");
        }
    }

    [Fact]
    public void Step_BumpsTheParameterVersion()
    {
        Tensor p = WithGrad(Param(1.0), 1.0);
        int before = p.Version;
        new Sgd([p], lr: 0.1).Step();
        Assert.True(p.Version > before);
    }

    [Fact]
    public void Step_WithClosure_ReturnsTheLossAndUpdates()
    {
        Tensor p = Param(3.0);
        var sgd = new Sgd([p], lr: 0.25);
        Tensor loss = sgd.Step(() =>
        {
            sgd.ZeroGrad();
            Tensor l = p * p;
            l.Backward();
            return l;
        });
        Assert.Equal(9.0, loss.Item());
        Assert.Equal(3.0 - 0.25 * 6.0, p.Item());
    }

    [Fact]
    public void ZeroGrad_Default_SetsGradientsToNull()
    {
        Tensor p = WithGrad(Param(1.0, 2.0), 1.0, 1.0);
        var sgd = new Sgd([p], lr: 0.1);
        sgd.ZeroGrad();
        Assert.Null(p.Grad);
    }

    [Fact]
    public void ZeroGrad_SetToNoneFalse_FillsZerosInPlace()
    {
        Tensor p = WithGrad(Param(1.0, 2.0), 1.0, 1.0);
        Tensor grad = p.Grad!;
        var sgd = new Sgd([p], lr: 0.1);
        sgd.ZeroGrad(setToNone: false);
        Assert.Same(grad, p.Grad);
        Assert.Equal([0.0, 0.0], p.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ParamGroups_DifferentLrs_EachGroupUsesItsOwn()
    {
        Tensor a = WithGrad(Param(1.0), 1.0);
        Tensor b = WithGrad(Param(1.0), 1.0);
        var sgd = new Sgd([new ParamGroup([a]), new ParamGroup([b]) { Lr = 0.01, Momentum = 0.9 }], lr: 0.1);
        sgd.Step();
        Assert.Equal(0.9, a.Item(), 15);
        Assert.Equal(0.99, b.Item(), 15);
        Assert.Equal(0.1, sgd.ParamGroups[0].Lr);
        Assert.Equal(0.0, sgd.ParamGroups[0].Momentum);
        Assert.Equal(0.9, sgd.ParamGroups[1].Momentum);
        Assert.Null(sgd.StateOf(a)!.FindBuffer("momentumBuffer"));
        Assert.NotNull(sgd.StateOf(b)!.FindBuffer("momentumBuffer"));
    }

    [Fact]
    public void ParamGroup_LrChangedBetweenSteps_TakesEffect()
    {
        Tensor p = Param(1.0);
        var sgd = new Sgd([p], lr: 0.1);
        sgd.ParamGroups[0].Lr = 0.5;
        WithGrad(p, 1.0);
        sgd.Step();
        Assert.Equal(0.5, p.Item(), 15);
    }

    [Fact]
    public void ParamGroup_UnsetOption_ThrowsNamingIt()
    {
        var group = new ParamGroup([Param(1.0)]);
        var ex = Assert.Throws<InvalidOperationException>(() => group.Beta1);
        Assert.Contains("beta1", ex.Message);
        var sgd = new Sgd([group], lr: 0.1);
        Assert.Equal(0.1, group.Lr);
        Assert.Contains("beta1", Assert.Throws<InvalidOperationException>(() => group.Beta1).Message);
        Assert.Same(group, sgd.ParamGroups[0]);
    }

    [Fact]
    public void AddParamGroup_NewParameters_AreOptimisedWithDefaults()
    {
        Tensor a = Param(1.0);
        Tensor b = WithGrad(Param(1.0), 1.0);
        var adam = new Adam([a], lr: 0.1);
        adam.AddParamGroup(new ParamGroup([b]) { Lr = 0.2 });
        Assert.Equal(2, adam.ParamGroups.Count);
        Assert.Equal(0.9, adam.ParamGroups[1].Beta1);
        adam.Step();
        Assert.Equal(0.8, b.Item(), 6);
    }

    [Fact]
    public void AddParamGroup_ParameterAlreadyOptimised_Throws()
    {
        Tensor a = Param(1.0);
        var adam = new Adam([a]);
        var ex = Assert.Throws<ArgumentException>(() => adam.AddParamGroup(new ParamGroup([a])));
        Assert.Contains("more than one parameter group", ex.Message);
    }

    public static TheoryData<string, Func<Tensor[], Optimizer>, string, string> BadHyperParameters() => new()
    {
        { "negative lr", p => new Sgd(p, lr: -0.1), "lr", "-0.1" },
        { "NaN lr", p => new AdamW(p, lr: double.NaN), "lr", "NaN" },
        { "negative momentum", p => new Sgd(p, lr: 0.1, momentum: -0.5), "momentum", "-0.5" },
        { "negative weight decay", p => new Adam(p, weightDecay: -1), "weightDecay", "-1" },
        { "beta1 = 1", p => new Adam(p, beta1: 1.0), "beta1", "1" },
        { "negative beta2", p => new AdamW(p, beta2: -0.1), "beta2", "-0.1" },
        { "negative eps", p => new Adam(p, eps: -1e-8), "eps", "-1E-08" },
        { "negative alpha", p => new RmsProp(p, alpha: -0.99), "alpha", "-0.99" },
        { "negative RMSprop momentum", p => new RmsProp(p, momentum: -1), "momentum", "-1" },
        { "negative lrDecay", p => new Adagrad(p, lrDecay: -0.1), "lrDecay", "-0.1" },
        { "negative initial accumulator", p => new Adagrad(p, initialAccumulatorValue: -2), "initialAccumulatorValue", "-2" },
        { "NAdam negative momentumDecay", p => new NAdam(p, momentumDecay: -0.004), "momentumDecay", "-0.004" },
        { "NAdam beta1 = 1", p => new NAdam(p, beta1: 1.0), "beta1", "1" },
        { "RAdam negative lr", p => new RAdam(p, lr: -1e-3), "lr", "-0.001" },
        { "RAdam beta2 = 1.5", p => new RAdam(p, beta2: 1.5), "beta2", "1.5" },
        { "Adamax negative eps", p => new Adamax(p, eps: -1), "eps", "-1" },
        { "Adamax NaN weight decay", p => new Adamax(p, weightDecay: double.NaN), "weightDecay", "NaN" },
        { "Adadelta rho 1.1", p => new Adadelta(p, rho: 1.1), "rho", "1.1" },
        { "Adadelta negative rho", p => new Adadelta(p, rho: -0.1), "rho", "-0.1" },
        { "Lbfgs maxIter 0", p => new Lbfgs(p, maxIter: 0), "maxIter", "0" },
        { "Lbfgs maxEval 0", p => new Lbfgs(p, maxEval: 0), "maxEval", "0" },
        { "Lbfgs historySize 0", p => new Lbfgs(p, historySize: 0), "historySize", "0" },
        { "Lbfgs negative toleranceGrad", p => new Lbfgs(p, toleranceGrad: -1e-7), "toleranceGrad", "-1E-07" },
        { "Lbfgs infinite toleranceChange", p => new Lbfgs(p, toleranceChange: double.PositiveInfinity), "toleranceChange", "Infinity" },
        { "Lbfgs unknown line search", p => new Lbfgs(p, lineSearchFn: (LineSearch)7), "lineSearchFn", "7" },
        { "nesterov without momentum", p => new Sgd(p, lr: 0.1, nesterov: true), "nesterov", "momentum = 0" },
        { "nesterov with dampening", p => new Sgd(p, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true), "nesterov", "dampening = 0.1" },
    };

    [Theory]
    [MemberData(nameof(BadHyperParameters))]
    public void Constructor_BadHyperParameter_ThrowsNamingOptimizerParameterAndValue(string scenario, Func<Tensor[], Optimizer> create, string parameter, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => create([Param(1.0)]));
        string optimizer = ex.Message[..ex.Message.IndexOf(':', StringComparison.Ordinal)];
        Assert.Contains(optimizer, new[] { "Sgd", "Adam", "AdamW", "RmsProp", "Adagrad", "NAdam", "RAdam", "Adamax", "Adadelta", "Lbfgs" });
        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(parameter, ex.Message);
        Assert.True(ex.Message.Contains(value, StringComparison.Ordinal), $"{scenario}: '{ex.Message}' does not mention {value}");
    }

    [Fact]
    public void Constructor_BadGroupOption_ThrowsNamingTheGroup()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Adam([new ParamGroup([Param(1.0)]), new ParamGroup([Param(2.0)]) { Beta2 = 1.5 }]));
        Assert.StartsWith("Adam: invalid beta2 = 1.5 in param group 1", ex.Message);
    }

    [Fact]
    public void Constructor_EmptyParameterList_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Sgd(Array.Empty<Tensor>(), lr: 0.1));
        Assert.Contains("empty parameter list", ex.Message);
    }

    [Fact]
    public void Constructor_NonLeafParameter_Throws()
    {
        Tensor p = Param(1.0);
        var ex = Assert.Throws<ArgumentException>(() => new Adam([p * 2.0]));
        Assert.Contains("non-leaf", ex.Message);
    }

    [Fact]
    public void Constructor_IntegerParameter_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Sgd([Tensor.From([1L, 2L])], lr: 0.1));
        Assert.Contains("int64", ex.Message);
    }

    [Fact]
    public void Step_NonContiguousParameter_ThrowsClearly()
    {
        Tensor p = Tensor.Zeros([3, 2], DType.Float64).MT.Detach();
        p.RequiresGrad = true;
        p.Grad = Tensor.Ones([2, 3], DType.Float64);
        var ex = Assert.Throws<InvalidOperationException>(() => new Sgd([p], lr: 0.1).Step());
        Assert.Contains("not contiguous", ex.Message);
    }

    [Fact]
    public void Step_GradientOfAnotherShape_ThrowsClearly()
    {
        Tensor p = Param(1.0, 2.0);
        p.Grad = Tensor.Ones([3], DType.Float64);
        var ex = Assert.Throws<InvalidOperationException>(() => new Sgd([p], lr: 0.1).Step());
        Assert.Contains("gradient of shape [3]", ex.Message);
    }

    [Fact]
    public void Step_NonContiguousGradient_IsRead()
    {
        Tensor p = Tensor.Zeros([2, 3], DType.Float64, requiresGrad: true);
        p.Grad = Tensor.From([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [3, 2], dtype: DType.Float64).MT;
        new Sgd([p], lr: 1.0).Step();
        Assert.Equal([-1.0, -3.0, -5.0, -2.0, -4.0, -6.0], p.ToDoubleArray());
    }
}
