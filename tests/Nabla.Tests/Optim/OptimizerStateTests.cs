using Nabla.Optim;

namespace Nabla.Tests.Optim;

/// <summary>StateDict / LoadStateDict of optimizers and schedulers: resuming from a snapshot continues bit for bit.</summary>
public class OptimizerStateTests
{
    public static TheoryData<string> OptimizerKinds() => ["sgd", "sgd-nesterov-wd", "adam-amsgrad", "adamw", "rmsprop-centered-momentum", "adagrad", "nadam", "radam", "adamax", "adadelta"];

    private static Optimizer Create(string kind, IReadOnlyList<Tensor> ps) => kind switch
    {
        "sgd" => new Sgd(ps, lr: 0.05, momentum: 0.9, dampening: 0.1),
        "sgd-nesterov-wd" => new Sgd(ps, lr: 0.05, momentum: 0.9, weightDecay: 1e-3, nesterov: true),
        "adam-amsgrad" => new Adam(ps, lr: 0.01, amsGrad: true, weightDecay: 1e-3),
        "adamw" => new AdamW(ps, lr: 0.01),
        "rmsprop-centered-momentum" => new RmsProp(ps, lr: 0.01, momentum: 0.5, centered: true),
        "adagrad" => new Adagrad(ps, lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1),
        "nadam" => new NAdam(ps, lr: 0.01, weightDecay: 1e-3, momentumDecay: 0.01),
        "radam" => new RAdam(ps, lr: 0.01, beta2: 0.9, weightDecay: 1e-3),
        "adamax" => new Adamax(ps, lr: 0.01, weightDecay: 1e-3),
        "adadelta" => new Adadelta(ps, lr: 1.0, rho: 0.9, weightDecay: 1e-3),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // A small MLP, its parameters created from a fixed seed.
    private sealed class Problem
    {
        private readonly Tensor _x, _y;
        public readonly Tensor[] Params;

        public Problem(DType dtype)
        {
            var gen = new Generator(7);
            _x = Tensor.Randn([8, 3], dtype, gen);
            _y = Tensor.Randn([8, 2], dtype, gen);
            Params = [Tensor.Randn([4, 3], dtype, gen), Tensor.Randn([4], dtype, gen), Tensor.Randn([2, 4], dtype, gen), Tensor.Randn([2], dtype, gen)];
            foreach (Tensor p in Params) p.RequiresGrad = true;
        }

        public Problem(Problem other)
        {
            (_x, _y) = (other._x, other._y);
            Params = other.Params.Select(p => { Tensor c = p.Detach().Clone(); c.RequiresGrad = true; return c; }).ToArray();
        }

        public void Step(Optimizer optimizer, LrScheduler? scheduler = null)
        {
            optimizer.ZeroGrad();
            Tensor h = (_x.MatMul(Params[0].MT) + Params[1]).Tanh();
            Tensor d = h.MatMul(Params[2].MT) + Params[3] - _y;
            (d * d).Mean().Backward();
            optimizer.Step();
            scheduler?.Step();
        }
    }

    [Theory]
    [MemberData(nameof(OptimizerKinds))]
    public void LoadStateDict_IntoNewOptimizer_ContinuesBitIdentically(string kind)
    {
        foreach (DType dtype in new[] { DType.Float64, DType.Float32 })
        {
            var original = new Problem(dtype);
            Optimizer a = Create(kind, original.Params);
            for (int i = 0; i < 3; i++) original.Step(a);

            OptimizerState saved = a.StateDict();
            var resumed = new Problem(original);
            Optimizer b = Create(kind, resumed.Params);
            b.LoadStateDict(saved);

            for (int i = 0; i < 4; i++)
            {
                original.Step(a);
                resumed.Step(b);
            }
            for (int k = 0; k < original.Params.Length; k++)
                Assert.Equal(original.Params[k].ToDoubleArray(), resumed.Params[k].ToDoubleArray());
        }
    }

    [Fact]
    public void LoadStateDict_WithScheduler_ContinuesBitIdentically()
    {
        var original = new Problem(DType.Float64);
        var a = new Adam(original.Params, lr: 0.01);
        var sa = new OneCycleLR(a, maxLr: 0.05, totalSteps: 10);
        for (int i = 0; i < 4; i++) original.Step(a, sa);

        OptimizerState saved = a.StateDict();
        IDictionary<string, double> savedScheduler = sa.StateDict();
        var resumed = new Problem(original);
        var b = new Adam(resumed.Params, lr: 0.01);
        var sb = new OneCycleLR(b, maxLr: 0.05, totalSteps: 10);
        b.LoadStateDict(saved);
        sb.LoadStateDict(savedScheduler.AsReadOnly());

        Assert.Equal(sa.StepCount, sb.StepCount);
        Assert.Equal(sa.LastLr(), sb.LastLr());
        for (int i = 0; i < 6; i++)
        {
            original.Step(a, sa);
            resumed.Step(b, sb);
            Assert.Equal(a.ParamGroups[0].Lr, b.ParamGroups[0].Lr);
            Assert.Equal(a.ParamGroups[0].Beta1, b.ParamGroups[0].Beta1);
        }
        for (int k = 0; k < original.Params.Length; k++)
            Assert.Equal(original.Params[k].ToDoubleArray(), resumed.Params[k].ToDoubleArray());
    }

    [Fact]
    public void StateDict_Adam_HasNamedBuffersStepsAndGroupOptions()
    {
        var problem = new Problem(DType.Float64);
        var adam = new Adam(problem.Params, lr: 0.02, amsGrad: true);
        problem.Step(adam);
        problem.Step(adam);
        OptimizerState state = adam.StateDict();
        Assert.Equal(1, state.Scalars["paramGroups.count"]);
        Assert.Equal(4, state.Scalars["paramGroups.0.params"]);
        Assert.Equal(0.02, state.Scalars["paramGroups.0.lr"]);
        Assert.Equal(1, state.Scalars["paramGroups.0.amsGrad"]);
        Assert.Equal(2, state.Scalars["state.3.step"]);
        Assert.Equal([4, 3], state.Tensors["state.0.expAvg"].Shape.ToArray());
        Assert.Contains("state.2.maxExpAvgSq", state.Tensors.Keys);
        Assert.Equal(12, state.Tensors.Count);
    }

    [Fact]
    public void StateDict_IsACopy_UnchangedByLaterSteps()
    {
        var problem = new Problem(DType.Float64);
        var sgd = new Sgd(problem.Params, lr: 0.1, momentum: 0.9);
        problem.Step(sgd);
        OptimizerState state = sgd.StateDict();
        double[] before = state.Tensors["state.0.momentumBuffer"].ToDoubleArray();
        problem.Step(sgd);
        Assert.Equal(before, state.Tensors["state.0.momentumBuffer"].ToDoubleArray());
        Assert.NotEqual(before, sgd.StateOf(problem.Params[0])!.Buffers["momentumBuffer"].ToDoubleArray());
    }

    [Fact]
    public void LoadStateDict_RestoresGroupHyperParameters()
    {
        var problem = new Problem(DType.Float64);
        var a = new Sgd(problem.Params, lr: 0.1);
        a.ParamGroups[0].Lr = 0.025;
        var b = new Sgd(new Problem(problem).Params, lr: 0.1);
        b.LoadStateDict(a.StateDict());
        Assert.Equal(0.025, b.ParamGroups[0].Lr);
    }

    [Fact]
    public void LoadStateDict_OtherGroupLayout_ThrowsClearly()
    {
        var problem = new Problem(DType.Float64);
        var a = new Sgd(problem.Params, lr: 0.1);
        var other = new Problem(problem).Params;
        var b = new Sgd([new ParamGroup(other[..2]), new ParamGroup(other[2..])], lr: 0.1);
        var ex = Assert.Throws<ArgumentException>(() => b.LoadStateDict(a.StateDict()));
        Assert.Contains("1 param groups, this optimizer has 2", ex.Message);
    }

    [Fact]
    public void LoadStateDict_BufferOfWrongShape_ThrowsAndKeepsState()
    {
        var problem = new Problem(DType.Float64);
        var adam = new Adam(problem.Params);
        problem.Step(adam);
        OptimizerState state = adam.StateDict();
        state.Tensors["state.1.expAvg"] = Tensor.Zeros([7], DType.Float64);
        var ex = Assert.Throws<ArgumentException>(() => adam.LoadStateDict(state));
        Assert.Contains("state.1.expAvg", ex.Message);
        Assert.Equal(1, adam.StateOf(problem.Params[0])!.Step);
    }

    [Fact]
    public void LoadStateDict_Float64StateIntoFloat32Optimizer_ConvertsBuffers()
    {
        var p64 = new Problem(DType.Float64);
        var a = new Adam(p64.Params);
        p64.Step(a);
        var p32 = new Problem(DType.Float32);
        var b = new Adam(p32.Params);
        b.LoadStateDict(a.StateDict());
        Assert.Equal(DType.Float32, b.StateOf(p32.Params[0])!.Buffers["expAvg"].DType);
    }
}
