using Nabla.Optim;
using static Nabla.Tests.Optim.StepAssert;

namespace Nabla.Tests.Optim;

/// <summary>L-BFGS: the closure protocol, the first iteration in closed form, convergence with and without the line
/// search, float32, state save/restore and misuse.</summary>
public class LbfgsTests
{
    // Rosenbrock: (1 - x)^2 + 100 (y - x^2)^2, minimum 0 at (1, 1).
    private static Tensor Rosenbrock(Tensor p)
    {
        Tensor x = p[0], y = p[1];
        return (1.0 - x).Pow(2) + (y - x.Pow(2)).Pow(2) * 100.0;
    }

    private static Func<Tensor> Closure(Optimizer optimizer, Tensor p, Func<Tensor, Tensor> f, Action? counted = null) => () =>
    {
        counted?.Invoke();
        optimizer.ZeroGrad();
        Tensor loss = f(p);
        loss.Backward();
        return loss;
    };

    [Fact]
    public void Step_WithoutClosure_ThrowsNamingTheClosure()
    {
        Tensor p = WithGrad(Param(1.0), 1.0);
        var ex = Assert.Throws<InvalidOperationException>(() => new Lbfgs([p]).Step());
        ErrorAssert.AssertMessage(ex, "Lbfgs", "Step(closure)");
        Assert.Equal(1.0, p.Item());
    }

    [Fact]
    public void Step_OneIteration_MovesAlongMinusGradientScaledByOneOverItsL1Norm()
    {
        Tensor p = Param(1.0, -2.0);
        var lbfgs = new Lbfgs([p], lr: 0.5, maxIter: 1);
        // f = 3 a^2 + b^2: g = (6, -4), sum|g| = 10, the run's first step is min(1, 1/10) * lr along -g.
        int evals = 0;
        Tensor loss = lbfgs.Step(Closure(lbfgs, p, x => (x[0].Pow(2) * 3.0) + x[1].Pow(2), () => evals++));
        Assert.Equal(7.0, loss.Item(), 15);
        AssertValues([1.0 - 0.05 * 6.0, -2.0 - 0.05 * -4.0], p, 1e-15);
        Assert.Equal(1, evals);                                   // the last iteration does not re-evaluate
        Assert.Equal((1, 1), (lbfgs.LastStepEvals, lbfgs.LastStepIters));
    }

    [Fact]
    public void Step_ZeroGradient_ReturnsAtOnceWithoutMoving()
    {
        Tensor p = Param(3.0);
        var lbfgs = new Lbfgs([p]);
        Tensor loss = lbfgs.Step(Closure(lbfgs, p, x => (x - 3.0).Pow(2).Sum()));
        Assert.Equal(0.0, loss.Item());
        Assert.Equal(3.0, p.Item());
        Assert.Equal((1, 0), (lbfgs.LastStepEvals, lbfgs.LastStepIters));
        Assert.Equal(0, lbfgs.NIter);
    }

    [Theory]
    [InlineData(LineSearch.StrongWolfe, 100)]
    [InlineData(LineSearch.None, 500)]
    public void Step_Rosenbrock_ConvergesToTheMinimum(LineSearch lineSearch, int maxIter)
    {
        Tensor p = Param(-1.5, 2.0);
        var lbfgs = new Lbfgs([p], lr: lineSearch == LineSearch.None ? 0.2 : 1, maxIter: maxIter, toleranceGrad: 1e-10, toleranceChange: 1e-14, lineSearchFn: lineSearch);
        for (int i = 0; i < 5; i++) lbfgs.Step(Closure(lbfgs, p, Rosenbrock));
        AssertValues([1.0, 1.0], p, 1e-6);
        Assert.True(lbfgs.NIter > 10, $"{lbfgs.NIter} iterations");
    }

    [Fact]
    public void Step_Quadratic_StrongWolfeSolvesItInOneStep()
    {
        // f = 0.5 x^T A x - b^T x with A = [[3, 1], [1, 2]]: the minimiser is A^-1 b = (0.2, 0.4) for b = (1, 1).
        Tensor a = Tensor.From([3.0, 1.0, 1.0, 2.0], [2, 2], dtype: DType.Float64);
        Tensor b = Tensor.From([1.0, 1.0], [2], dtype: DType.Float64);
        Tensor p = Param(5.0, -7.0);
        var lbfgs = new Lbfgs([p], lineSearchFn: LineSearch.StrongWolfe, toleranceGrad: 1e-12, toleranceChange: 1e-15);
        lbfgs.Step(Closure(lbfgs, p, x => (x * a.MatMul(x)).Sum() * 0.5 - (b * x).Sum()));
        AssertValues([0.2, 0.4], p, 1e-7);
        Assert.True(lbfgs.LastStepIters <= 10, $"{lbfgs.LastStepIters} iterations");
    }

    [Fact]
    public void Step_Float32Parameters_Converge()
    {
        Tensor p = Tensor.From([-1.2, 1.0], [2], requiresGrad: true, dtype: DType.Float32);
        var lbfgs = new Lbfgs([p], lineSearchFn: LineSearch.StrongWolfe, maxIter: 200);
        lbfgs.Step(Closure(lbfgs, p, Rosenbrock));
        Assert.Equal(DType.Float32, p.DType);
        AssertValues([1.0, 1.0], p, 1e-3);
    }

    [Fact]
    public void Step_ParameterWithoutGradient_CountsAsZeroAndStays()
    {
        Tensor used = Param(2.0), unused = Param(5.0);
        var lbfgs = new Lbfgs([used, unused], lineSearchFn: LineSearch.StrongWolfe);
        lbfgs.Step(Closure(lbfgs, used, x => (x - 1.0).Pow(2).Sum()));
        Assert.Equal(1.0, used.Item(), 9);
        Assert.Equal(5.0, unused.Item());
    }

    [Fact]
    public void Step_ClosureReturnsAVector_ThrowsNamingTheShape()
    {
        Tensor p = Param(1.0, 2.0);
        var lbfgs = new Lbfgs([p]);
        var ex = Assert.Throws<InvalidOperationException>(() => lbfgs.Step(() => p * 2.0));
        ErrorAssert.AssertMessage(ex, "Lbfgs", "[2]", "one element");
    }

    [Fact]
    public void AddParamGroup_SecondGroup_IsRefused()
    {
        var lbfgs = new Lbfgs([Param(1.0)]);
        var ex = Assert.Throws<ArgumentException>(() => lbfgs.AddParamGroup(new ParamGroup([Param(2.0)])));
        ErrorAssert.AssertMessage(ex, "Lbfgs", "1 param group");
    }

    [Fact]
    public void Constructor_DefaultMaxEval_IsFiveQuartersOfMaxIterRoundedDown()
    {
        Assert.Equal(25, new Lbfgs([Param(1.0)]).ParamGroups[0].MaxEval);
        Assert.Equal(8, new Lbfgs([Param(1.0)], maxIter: 7).ParamGroups[0].MaxEval);
        Assert.Equal(1, new Lbfgs([Param(1.0)], maxIter: 1).ParamGroups[0].MaxEval);
    }

    [Fact]
    public void LoadStateDict_IntoNewOptimizer_ContinuesBitIdentically()
    {
        static (Tensor, Lbfgs) Create() { Tensor p = Param(-1.5, 2.0); return (p, new Lbfgs([p], maxIter: 4, historySize: 3, lineSearchFn: LineSearch.StrongWolfe)); }
        var (pa, a) = Create();
        for (int i = 0; i < 2; i++) a.Step(Closure(a, pa, Rosenbrock));
        OptimizerState saved = a.StateDict();
        Assert.Equal(3, saved.Tensors.Keys.Count(k => k.StartsWith("state.0.oldDirs.", StringComparison.Ordinal)));

        var (pb, b) = Create();
        pb.Detach().CopyFrom(pa);
        b.LoadStateDict(saved);
        Assert.Equal(a.NIter, b.NIter);
        for (int i = 0; i < 3; i++)
        {
            a.Step(Closure(a, pa, Rosenbrock));
            b.Step(Closure(b, pb, Rosenbrock));
            Assert.Equal(pa.ToDoubleArray(), pb.ToDoubleArray());
        }
    }

    [Fact]
    public void LoadStateDict_VectorOfWrongLength_ThrowsAndKeepsTheState()
    {
        Tensor p = Param(-1.5, 2.0);
        var lbfgs = new Lbfgs([p], maxIter: 3);
        lbfgs.Step(Closure(lbfgs, p, Rosenbrock));
        OptimizerState good = lbfgs.StateDict();
        OptimizerState bad = lbfgs.StateDict();
        bad.Tensors["state.0.d"] = Tensor.Zeros([3], DType.Float64);
        bad.Scalars["paramGroups.0.lr"] = 0.5;
        var ex = Assert.Throws<ArgumentException>(() => lbfgs.LoadStateDict(bad));
        ErrorAssert.AssertMessage(ex, "Lbfgs.LoadStateDict", "state.0.d", "[3]", "2 parameter elements");
        Assert.Equal(1.0, lbfgs.ParamGroups[0].Lr);
        Assert.Equal(good.Scalars["state.0.nIter"], lbfgs.StateDict().Scalars["state.0.nIter"]);
    }

    [Fact]
    public void LoadStateDict_IncompleteMemory_Throws()
    {
        Tensor p = Param(-1.5, 2.0);
        var lbfgs = new Lbfgs([p], maxIter: 5);
        lbfgs.Step(Closure(lbfgs, p, Rosenbrock));
        OptimizerState state = lbfgs.StateDict();
        Assert.True(state.Tensors.Remove("state.0.oldStps.0"));
        var ex = Assert.Throws<ArgumentException>(() => new Lbfgs([Param(0.0, 0.0)], maxIter: 5).LoadStateDict(state));
        ErrorAssert.AssertMessage(ex, "Lbfgs.LoadStateDict", "state.0.oldStps.0");
    }

    [Fact]
    public void LoadStateDict_AdamState_IsRefused()
    {
        Tensor p = WithGrad(Param(1.0), 1.0);
        var adam = new Adam([p]);
        adam.Step();
        var ex = Assert.Throws<ArgumentException>(() => new Lbfgs([Param(1.0)]).LoadStateDict(adam.StateDict()));
        Assert.StartsWith("Lbfgs.LoadStateDict", ex.Message, StringComparison.Ordinal);
    }
}
