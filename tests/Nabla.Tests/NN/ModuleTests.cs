using Nabla.NN;

namespace Nabla.Tests.NN;

/// <summary>Module: parameter names, state dicts, train/eval, ZeroGrad, Apply, Summary and forward hooks.</summary>
public class ModuleTests
{
    private sealed class Block : Module
    {
        public Block()
        {
            Features = RegisterModule("features", new Sequential(new Linear(4, 8), new Relu(), new Dropout(0.5), new Linear(8, 3)));
            Scale = RegisterParameter("scale", Tensor.Ones([3]));
            RegisterBuffer("count", Tensor.Zeros([1], DType.Int64));
        }

        public Sequential Features { get; }

        public Tensor Scale { get; }

        protected override Tensor OnForward(Tensor input) => Features.Forward(input) * Scale;
    }

    [Fact]
    public void NamedParameters_UsePyTorchStateDictNames()
    {
        var m = new Block();
        Assert.Equal(["scale", "features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias"],
            m.NamedParameters().Select(p => p.Name).ToArray());
        Assert.Equal(["count"], m.NamedBuffers().Select(b => b.Name).ToArray());
        Assert.Equal(3 + 4 * 8 + 8 + 8 * 3 + 3, m.ParameterCount());
        Assert.All(m.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void StateDict_ListsParametersThenBuffersPerModule()
    {
        var m = new Block();
        Assert.Equal(["scale", "count", "features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias"], m.StateDict().Keys.ToArray());
    }

    [Fact]
    public void LoadStateDict_CopiesValuesAndRejectsMismatches()
    {
        var a = new Sequential(new Linear(3, 2, generator: new Generator(1)));
        var b = new Sequential(new Linear(3, 2, generator: new Generator(2)));
        b.LoadStateDict(a.StateDict());
        Assert.Equal(a.StateDict()["0.weight"].ToArray<float>(), b.StateDict()["0.weight"].ToArray<float>());

        var wrong = new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Zeros([2, 4]), ["0.bias"] = Tensor.Zeros([2]) };
        var ex = Assert.Throws<ArgumentException>(() => b.LoadStateDict(wrong));
        Assert.Contains("0.weight", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);

        var missing = new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Zeros([2, 3]) };
        Assert.Contains("tensor '0.bias' (shape [2] in the model) is missing", Assert.Throws<ArgumentException>(() => b.LoadStateDict(missing)).Message);
    }

    [Fact]
    public void TrainEval_PropagatesAndDropoutFollowsMode()
    {
        var m = new Block();
        m.Eval();
        Assert.All(m.NamedModules(), x => Assert.False(x.Module.IsTraining));
        var x = Tensor.Ones([2, 4]);
        Assert.Equal(m.Forward(x).ToArray<float>(), m.Forward(x).ToArray<float>());
        m.Train();
        Assert.All(m.NamedModules(), x => Assert.True(x.Module.IsTraining));
    }

    [Fact]
    public void ZeroGrad_ClearsAllGradients()
    {
        var m = new Sequential(new Linear(3, 2), new Tanh(), new Linear(2, 1));
        m.Forward(Tensor.Ones([4, 3])).Sum().Backward();
        Assert.All(m.Parameters(), p => Assert.NotNull(p.Grad));
        m.ZeroGrad();
        Assert.All(m.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Apply_VisitsChildrenThenSelf()
    {
        var m = new Sequential(new Linear(3, 2), new Relu());
        var visited = new List<string>();
        m.Apply(x => visited.Add(x.GetType().Name));
        Assert.Equal(["Linear", "Relu", "Sequential"], visited);
    }

    [Fact]
    public void Summary_ListsLayersShapesAndTotals()
    {
        var m = new Sequential(new Linear(784, 512), new Relu(), new Linear(512, 10));
        string s = m.Summary([1, 784]);
        Assert.Contains("Linear (0)", s);
        Assert.Contains("[1, 512]", s);
        Assert.Contains("401,920", s);
        Assert.Contains("Total params: 407,050", s);
    }

    [Fact]
    public void ForwardHook_SeesOutputAndCanBeRemoved()
    {
        var l = new Linear(3, 2);
        int calls = 0;
        using (l.RegisterForwardHook((_, _, y) => { calls++; Assert.Equal(new Shape(1, 2), y.Shape); }))
            l.Forward(Tensor.Ones([1, 3]));
        l.Forward(Tensor.Ones([1, 3]));
        Assert.Equal(1, calls);
    }
}
