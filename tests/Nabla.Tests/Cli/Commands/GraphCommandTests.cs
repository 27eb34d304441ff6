using System.Xml.Linq;
using Nabla.Tests.Data;
using Nabla.Tests.Diagnostics;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>`nabla graph` end to end: an MLP drawn as SVG and DOT (checked by Graphviz), and the text listing.</summary>
public sealed class GraphCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Graph_MlpToSvgAndDot_GroupsLayersAndGraphvizAcceptsIt()
    {
        string svgPath = _dir.File("mlp.svg"), dotPath = _dir.File("mlp.dot");
        var (code, output, err) = Run("graph", "--layers", "64,16,10", "--out", svgPath);
        Assert.True(code == 0, err);
        Assert.Contains("wrote", output);
        var doc = XDocument.Parse(File.ReadAllText(svgPath));
        var groups = doc.Descendants().Where(e => (string?)e.Attribute("class") == "group").Select(e => (string)e.Attribute("data-module")!).ToList();
        Assert.Equal(["0", "1", "2"], groups.Order());
        List<string> texts = SvgTexts(File.ReadAllText(svgPath));
        Assert.Contains("0.weight (parameter)", texts);
        Assert.Contains("[16, 64] float32", texts);
        Assert.Contains("0: Linear", texts);

        (code, _, err) = Run("graph", "--layers", "64,16,10", "--out", dotPath);
        Assert.True(code == 0, err);
        string dot = File.ReadAllText(dotPath);
        Assert.Contains("label=\"1: Relu\"", dot);
        ComputationGraphTests.RunDot(dot);
    }

    [Fact]
    public void Graph_TextToStdout_ListsGroups()
    {
        var (code, output, err) = Run("graph", "--dataset", "xor", "--layers", "2,4,2");
        Assert.True(code == 0, err);
        Assert.Contains("0.weight (parameter)", output);
        Assert.Contains("ReluBackward", output);
        Assert.Contains("group", output);
    }
}
