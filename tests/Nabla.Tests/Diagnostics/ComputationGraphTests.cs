using System.Diagnostics;
using System.Xml.Linq;
using Nabla.Diagnostics;
using Nabla.NN;

namespace Nabla.Tests.Diagnostics;

/// <summary>Graph export: text, DOT (checked by Graphviz) and Nabla's own SVG layout.</summary>
public sealed class ComputationGraphTests
{
    private static (ComputationGraph Graph, Tensor W, Tensor X) Neuron()
    {
        // micrograd's neuron: o = tanh(w1*x1 + w2*x2 + b), with the intermediate results retained.
        var w = Tensor.From(new[] { -3.0, 1.0 }, requiresGrad: true, dtype: DType.Float64);
        var x = Tensor.From(new[] { 2.0, 0.0 }, requiresGrad: true, dtype: DType.Float64);
        var b = Tensor.Scalar(6.8813735870195432, requiresGrad: true, dtype: DType.Float64);
        Tensor wx = w * x;
        wx.RetainGrad();
        Tensor n = wx.Sum() + b;
        n.RetainGrad();
        Tensor o = n.Tanh();
        var graph = ComputationGraph.From(o, inputs: [("x", x)], parameters: [("w", w), ("b", b)]);
        o.Backward();
        return (graph, w, x);
    }

    private static List<string> SvgTexts(string svg) =>
        XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();

    [Fact]
    public void From_Neuron_NodesInTopologicalOrderWithKinds()
    {
        var (graph, _, _) = Neuron();
        var labels = graph.Nodes.Select(n => n.Label).ToList();
        Assert.Equal(7, graph.Nodes.Count);
        Assert.Equal("TanhBackward", labels[^1]);
        Assert.True(graph.Nodes[^1].IsOutput);
        foreach (GraphNode n in graph.Nodes)
            Assert.All(n.Inputs, i => Assert.True(i < n.Id));
        Assert.Equal(GraphNodeKind.Parameter, graph.Nodes.Single(n => n.Label == "w").Kind);
        Assert.Equal(GraphNodeKind.Input, graph.Nodes.Single(n => n.Label == "x").Kind);
        Assert.Equal(new Shape(2), graph.Nodes.Single(n => n.Label == "MulBackward").Shape);
    }

    [Fact]
    public void ToSvg_Neuron_ParsesAndShowsOpsShapesValuesAndGradients()
    {
        var (graph, _, _) = Neuron();
        string svg = graph.ToSvg();
        var doc = XDocument.Parse(svg);
        List<string> texts = SvgTexts(svg);
        Assert.Contains("TanhBackward (output)", texts);
        Assert.Contains("MulBackward", texts);
        Assert.Contains("w (parameter)", texts);
        Assert.Contains("x", texts);
        Assert.Contains("value [-3, 1]", texts);    // w
        Assert.Contains("grad [1, 0]", texts);      // dL/dw = x * (1 - tanh^2) = x * 0.5
        Assert.Contains("value 0.7071", texts);     // tanh(0.8814)
        Assert.Contains("grad [-1.5, 0.5]", texts); // dL/dx = w * 0.5
        Assert.Contains("[2] float64", texts);
        var nodes = doc.Descendants().Where(e => e.Name.LocalName == "g" && ((string?)e.Attribute("class"))?.StartsWith("node", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(7, nodes.Count);
        Assert.Equal(2, nodes.Count(n => ((string)n.Attribute("class")!).Contains("parameter", StringComparison.Ordinal)));
        Assert.Equal(6, doc.Descendants().Count(e => e.Name.LocalName == "path" && e.Attribute("marker-end") is not null));
    }

    [Fact]
    public void ToSvg_Layout_BoxesDoNotOverlapAndInputsAreAboveConsumers()
    {
        var model = new Sequential(new Linear(3, 4), new Relu(), new Linear(4, 2));
        var x = Tensor.Randn([5, 3], generator: new Generator(1));
        var graph = ComputationGraph.FromModel(model, () => Functional.CrossEntropy(model.Forward(x), Tensor.From(new long[] { 0, 1, 1, 0, 1 })));
        var rects = XDocument.Parse(graph.ToSvg()).Descendants()
            .Where(e => e.Name.LocalName == "g" && ((string?)e.Attribute("class"))?.StartsWith("node", StringComparison.Ordinal) == true)
            .Select(g => g.Elements().First(e => e.Name.LocalName == "rect"))
            .Select(r => (X: (double)r.Attribute("x")!, Y: (double)r.Attribute("y")!, W: (double)r.Attribute("width")!, H: (double)r.Attribute("height")!))
            .ToList();
        Assert.Equal(graph.Nodes.Count, rects.Count);
        for (int i = 0; i < rects.Count; i++)
            for (int j = i + 1; j < rects.Count; j++)
            {
                var (a, b) = (rects[i], rects[j]);
                bool overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"boxes {i} and {j} overlap");
            }
        foreach (GraphNode n in graph.Nodes)
            foreach (int i in n.Inputs)
                Assert.True(rects[i].Y + rects[i].H < rects[n.Id].Y, $"input %{i} is not above %{n.Id}");
    }

    [Fact]
    public void FromModel_Mlp_GroupsOpsByLayerAndNamesParameters()
    {
        var model = new Sequential(new Linear(3, 4), new Relu(), new Linear(4, 2));
        var x = Tensor.Randn([5, 3], generator: new Generator(1));
        var graph = ComputationGraph.FromModel(model, () => Functional.CrossEntropy(model.Forward(x), Tensor.From(new long[] { 0, 1, 1, 0, 1 })));
        Assert.Equal("Linear", graph.Groups["0"]);
        Assert.Equal("Relu", graph.Groups["1"]);
        Assert.Equal("Linear", graph.Groups["2"]);
        Assert.Equal("0", graph.Nodes.Single(n => n.Label == "0.weight").Group);
        Assert.Equal(GraphNodeKind.Parameter, graph.Nodes.Single(n => n.Label == "2.bias").Kind);
        Assert.Equal("1", Assert.Single(graph.Nodes, n => n.Label == "ReluBackward").Group);
        Assert.Null(graph.Nodes[^1].Group);   // the loss is computed outside the model
        var svgGroups = XDocument.Parse(graph.ToSvg()).Descendants().Where(e => (string?)e.Attribute("class") == "group")
            .Select(e => (string)e.Attribute("data-module")!).Order().ToList();
        Assert.Equal(["0", "1", "2"], svgGroups);
        Assert.Contains("0: Linear", SvgTexts(graph.ToSvg()));
        string dot = graph.ToDot();
        Assert.Contains("label=\"0: Linear\"", dot);
        Assert.Contains("subgraph cluster_", dot);
    }

    [Fact]
    public void ToText_Neuron_ListsNodesInputsFirst()
    {
        var (graph, _, _) = Neuron();
        string[] lines = graph.ToText().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("node", lines[0]);
        Assert.Contains("TanhBackward (output)", lines[^1]);
        Assert.Contains(lines, l => l.Contains("w (parameter)", StringComparison.Ordinal) && l.Contains("[-3, 1]", StringComparison.Ordinal));
    }

    [Fact]
    public void From_AfterBackward_ErrorSaysBuildItFirst()
    {
        var w = Tensor.From(new[] { 1.0 }, requiresGrad: true, dtype: DType.Float64);
        Tensor y = (w * 2).Sum();
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => ComputationGraph.From(y));
        Assert.Contains("before calling Backward()", e.Message);
    }

    [Fact]
    public void ToDot_IsAcceptedByGraphviz()
    {
        var (graph, _, _) = Neuron();
        var model = new Sequential(new Linear(3, 4), new Relu(), new Sequential(new Linear(4, 4), new Tanh()), new Linear(4, 2));
        var x = Tensor.Randn([2, 3], generator: new Generator(1));
        var modelGraph = ComputationGraph.FromModel(model, () => model.Forward(x).Pow(2).Mean());
        Assert.Contains("2.0", modelGraph.Groups.Keys);
        foreach (string dot in new[] { graph.ToDot(), modelGraph.ToDot() })
        {
            string svg = RunDot(dot);
            Assert.Contains("<svg", svg);
        }
    }

    /// <summary>Runs Graphviz's <c>dot -Tsvg</c>; the test needs Debian's <c>graphviz</c> package.</summary>
    internal static string RunDot(string dot)
    {
        Process process;
        try
        {
            process = Process.Start(new ProcessStartInfo("dot", "-Tsvg")
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            })!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("Graphviz's 'dot' was not found; install it with 'apt-get install -y graphviz' to run this test", e);
        }
        process.StandardInput.Write(dot);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"dot rejected the graph: {stderr.Result}\n{dot}");
        Assert.DoesNotContain("Warning", stderr.Result);
        return output;
    }
}
