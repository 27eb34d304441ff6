using Nabla.NN;

namespace Nabla.Tests.NN;

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
    public void Linear_DefaultInit_IsWithinPyTorchBounds()
    {
        var l = new Linear(100, 50, generator: new Generator(3));
        float[] w = l.Weight.ToArray<float>();
        Assert.All(w, v => Assert.InRange(v, -0.1f, 0.1f));
        Assert.InRange(w.Select(v => (double)v).Average(), -0.01, 0.01);
        Assert.InRange(l.Weight.Detach().Std().Item(), 0.1 / Math.Sqrt(3) * 0.95, 0.1 / Math.Sqrt(3) * 1.05);
    }

    [Fact]
    public void Linear_WrongInputWidth_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Linear(3, 2).Forward(Tensor.Zeros([4, 5])));
        Assert.Contains("[4, 5]", ex.Message);
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

public class InitTests
{
    [Fact]
    public void CalculateGain_MatchesPyTorch()
    {
        Assert.Equal(Math.Sqrt(2), Init.CalculateGain(Nonlinearity.Relu));
        Assert.Equal(5.0 / 3, Init.CalculateGain(Nonlinearity.Tanh));
        Assert.Equal(Math.Sqrt(2.0 / (1 + 0.2 * 0.2)), Init.CalculateGain(Nonlinearity.LeakyRelu, 0.2));
    }

    [Fact]
    public void XavierAndKaiming_HaveTheRightSpread()
    {
        var g = new Generator(11);
        Tensor w = Tensor.Zeros([400, 300], DType.Float64);
        Init.XavierUniform(w, generator: g);
        double a = Math.Sqrt(6.0 / 700);
        Assert.InRange(w.Std().Item(), a / Math.Sqrt(3) * 0.97, a / Math.Sqrt(3) * 1.03);
        Init.XavierNormal(w, generator: g);
        Assert.InRange(w.Std().Item(), Math.Sqrt(2.0 / 700) * 0.97, Math.Sqrt(2.0 / 700) * 1.03);
        Init.KaimingNormal(w, mode: FanMode.FanIn, nonlinearity: Nonlinearity.Relu, generator: g);
        Assert.InRange(w.Std().Item(), Math.Sqrt(2.0 / 300) * 0.97, Math.Sqrt(2.0 / 300) * 1.03);
        Init.KaimingUniform(w, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: g);
        Assert.InRange(w.Std().Item(), Math.Sqrt(2.0 / 400) * 0.97, Math.Sqrt(2.0 / 400) * 1.03);
    }

    [Fact]
    public void Orthogonal_GivesOrthonormalRows()
    {
        Tensor w = Tensor.Zeros([4, 6], DType.Float64);
        Init.Orthogonal(w, generator: new Generator(2));
        Tensor wwt = w.MatMul(w.MT);
        double[] v = wwt.ToArray<double>();
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) Assert.Equal(i == j ? 1.0 : 0.0, v[i * 4 + j], 10);
    }

    [Fact]
    public void ConstantZerosOnesUniformNormal_FillAsAsked()
    {
        Tensor t = Tensor.Zeros([1000], DType.Float64);
        Assert.All(Init.Constant(t, 3).ToArray<double>(), v => Assert.Equal(3, v));
        Assert.All(Init.Ones(t).ToArray<double>(), v => Assert.Equal(1, v));
        Assert.All(Init.Zeros(t).ToArray<double>(), v => Assert.Equal(0, v));
        Assert.All(Init.Uniform(t, 2, 3).ToArray<double>(), v => Assert.InRange(v, 2, 3));
        Assert.InRange(Init.Normal(t, 5, 0.1).Mean().Item(), 4.98, 5.02);
    }

    [Fact]
    public void Fans_OfRank1Tensor_Throw()
        => Assert.Contains("rank 2", Assert.Throws<ArgumentException>(() => Init.XavierUniform(Tensor.Zeros([3]))).Message);
}
