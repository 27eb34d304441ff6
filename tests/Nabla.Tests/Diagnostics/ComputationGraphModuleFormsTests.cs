using Nabla.Diagnostics;
using Nabla.NN;

namespace Nabla.Tests.Diagnostics;

/// <summary>Graph export of models built from modules with several inputs and outputs (Note [Module forms]).</summary>
public class ComputationGraphModuleFormsTests
{
    /// <summary>Two inputs: <c>a * gate + b</c>.</summary>
    private sealed class Mix : Module<Tensor, Tensor, Tensor>
    {
        public Mix() => Gate = RegisterParameter("gate", Tensor.Full([4], 0.5, DType.Float64));

        public Tensor Gate { get; }

        protected override Tensor OnForward(Tensor a, Tensor b) => a * Gate + b;
    }

    /// <summary>A two-input model whose second branch is scaled between two modules, in the model's own forward.</summary>
    private sealed class Net : Module<Tensor, Tensor, Tensor>
    {
        private readonly Linear _left, _right;
        private readonly Mix _mix;

        public Net()
        {
            _left = RegisterModule("left", new Linear(3, 4, dtype: DType.Float64, generator: new Generator(1)));
            _right = RegisterModule("right", new Linear(2, 4, dtype: DType.Float64, generator: new Generator(2)));
            _mix = RegisterModule("mix", new Mix());
        }

        protected override Tensor OnForward(Tensor a, Tensor b) => _mix.Forward(_left.Forward(a), _right.Forward(b) * 2);
    }

    private static ComputationGraph Graph()
    {
        var net = new Net();
        Tensor a = Tensor.Randn([2, 3], DType.Float64, new Generator(3)), b = Tensor.Randn([2, 2], DType.Float64, new Generator(4));
        return ComputationGraph.FromModel(net, () => net.Forward(a, b).Sum());
    }

    [Fact]
    public void FromModel_TwoInputModule_ClaimsOnlyTheOpsBetweenItsInputsAndOutput()
    {
        ComputationGraph graph = Graph();
        Assert.Equal("Mix", graph.Groups["mix"]);
        GraphNode gate = Assert.Single(graph.Nodes, n => n.Label == "mix.gate");
        Assert.Equal("mix", gate.Group);
        var muls = graph.Nodes.Where(n => n.Label == "MulBackward").ToList();
        Assert.Equal(2, muls.Count);
        GraphNode inMix = Assert.Single(muls, n => n.Inputs.Contains(gate.Id));
        Assert.Equal("mix", inMix.Group);
        GraphNode scale = Assert.Single(muls, n => !n.Inputs.Contains(gate.Id));
        Assert.Null(scale.Group);   // computed by Net between right and mix: neither module's op
        Assert.Equal("right", graph.Nodes[scale.Inputs[0]].Group);
        GraphNode add = Assert.Single(graph.Nodes, n => n.Label == "AddBackward" && n.Group == "mix");
        Assert.Contains(inMix.Id, add.Inputs);
        Assert.Contains(scale.Id, add.Inputs);
        Assert.Equal("left", graph.Nodes[inMix.Inputs.Single(i => i != gate.Id)].Group);
    }

    [Fact]
    public void ToDot_TwoInputModule_IsAClusterOfItsOwn()
    {
        string dot = Graph().ToDot();
        Assert.Contains("label=\"mix: Mix\"", dot);
        Assert.Contains("label=\"left: Linear\"", dot);
        Assert.Contains("label=\"right: Linear\"", dot);
    }
}
