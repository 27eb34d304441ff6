using System.Globalization;
using System.Xml.Linq;
using Nabla.Cli;
using Nabla.Tests.Diagnostics;

namespace Nabla.Tests.Cli.Commands;

/// <summary>The diagnostics commands end to end: gradcheck, graph, plot, grad --format and train's diagnostic flags.</summary>
public sealed class GraphCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nabla-diag-" + Guid.NewGuid().ToString("N"));

    public GraphCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static List<string> SvgTexts(string svg) =>
        XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();

    [Fact]
    public void Grad_FormatSvg_PrintsOnlyAnSvgWithValuesAndGradients()
    {
        var (code, output, err) = Run("grad", "(w*x-y)^2", "--at", "w=2,x=3,y=10", "--graph", "--format", "svg");
        Assert.True(code == 0, err);
        Assert.StartsWith("<svg", output);
        List<string> texts = SvgTexts(output);
        Assert.Contains("w", texts);
        Assert.Contains("value 2", texts);
        Assert.Contains("grad -24", texts);
        Assert.Contains("PowBackward (output)", texts);
        Assert.Contains("value 16", texts);
    }

    [Fact]
    public void Grad_FormatDot_IsAcceptedByGraphviz()
    {
        var (code, output, err) = Run("grad", "tanh(w1*x1 + w2*x2 + b)", "--at", "w1=-3,x1=2,w2=1,x2=0,b=6.88", "--graph", "--format=dot");
        Assert.True(code == 0, err);
        Assert.StartsWith("digraph", output);
        Assert.Contains("grad -1.5", output);
        ComputationGraphTests.RunDot(output);
    }

    [Fact]
    public void Grad_FormatText_KeepsTheTable()
    {
        var (code, output, _) = Run("grad", "x*y", "--at", "x=2,y=3", "--graph", "--format", "text");
        Assert.Equal(0, code);
        Assert.Contains("dL/dx = 3", output);
        Assert.Contains("MulBackward", output);
    }

    [Theory]
    [InlineData("--format", "png", "unknown --format 'png'")]
    [InlineData("--format", "dot", "--format needs --graph")]
    public void Grad_BadFormat_IsAUsageError(string option, string value, string message)
    {
        string[] args = value == "dot" ? ["grad", "x", "--at", "x=1", option, value] : ["grad", "x", "--at", "x=1", "--graph", option, value];
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, err);
    }

    [Fact]
    public void GradCheck_SmallMlp_PassesEveryParameter()
    {
        var (code, output, err) = Run("gradcheck", "--layers", "64,8,10", "--activation", "tanh", "--max-elements", "6");
        Assert.True(code == 0, err + output);
        Assert.Contains("gradcheck: mlp 64,8,10 on digits", output);
        foreach (string p in new[] { "0.weight", "0.bias", "2.weight", "2.bias" })
            Assert.Contains($"ok    {p}", output);
        Assert.Contains("passed:", output);
    }

    [Fact]
    public void GradCheck_ZeroTolerance_FailsWithExitCode1()
    {
        var (code, output, _) = Run("gradcheck", "--layers", "2,4,2", "--dataset", "xor", "--tolerance", "0", "--eps", "1e-3");
        Assert.Equal(1, code);
        Assert.Contains("FAIL", output);
        Assert.Contains("FAILED:", output);
    }

    [Fact]
    public void Graph_MlpToSvgAndDot_GroupsLayersAndGraphvizAcceptsIt()
    {
        string svgPath = Path.Combine(_dir, "mlp.svg"), dotPath = Path.Combine(_dir, "mlp.dot");
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

    [Fact]
    public void Plot_MetricsCsv_DrawsPanelsForChosenColumns()
    {
        string csv = Path.Combine(_dir, "metrics.csv");
        File.WriteAllLines(csv, ["epoch,train_loss,test_loss,test_accuracy,lr", "1,1.5,1.2,0.6,0.01", "2,0.8,0.9,0.7,0.005", "3,0.5,0.7,0.8,0.001"]);
        var (code, output, err) = Run("plot", csv);
        Assert.True(code == 0, err);
        Assert.Contains("wrote", output);
        List<string> texts = SvgTexts(File.ReadAllText(Path.Combine(_dir, "metrics.svg")));
        Assert.Contains("Loss", texts);
        Assert.Contains("Accuracy", texts);
        Assert.Contains("Learning rate", texts);
        Assert.Contains("train_loss", texts);
        Assert.Contains("epoch", texts);

        string only = Path.Combine(_dir, "loss.svg");
        (code, _, err) = Run("plot", csv, "--columns", "train_loss,test_loss", "--out", only, "--log-y");
        Assert.True(code == 0, err);
        List<string> lossTexts = SvgTexts(File.ReadAllText(only));
        Assert.DoesNotContain("Accuracy", lossTexts);
        Assert.Contains("test_loss", lossTexts);

        (code, _, err) = Run("plot", csv, "--columns", "nope");
        Assert.Equal(2, code);
        Assert.Contains("no numeric column 'nope'", err);
    }

    [Fact]
    public void Train_Diagnose_WritesGradientFlowFilesAndReport()
    {
        string outDir = Path.Combine(_dir, "diag");
        var (code, output, err) = Run("train", "--dataset", "xor", "--epochs", "3", "--out", outDir, "--diagnose");
        Assert.True(code == 0, err);
        Assert.Contains("gradient flow over", output);
        Assert.Contains("healthy", output);
        Assert.True(File.Exists(Path.Combine(outDir, "gradient-flow.csv")));
        Assert.Contains("Gradient norm per layer", SvgTexts(File.ReadAllText(Path.Combine(outDir, "gradient-flow.svg"))));
        Assert.Contains("Learning rate", SvgTexts(File.ReadAllText(Path.Combine(outDir, "metrics.svg"))));
    }

    [Fact]
    public void Train_DetectAnomaly_NamesTheOpThatOverflowed()
    {
        string csv = Path.Combine(_dir, "huge.csv");
        File.WriteAllLines(csv, ["a,b,label", .. Enumerable.Range(0, 20).Select(i => string.Create(CultureInfo.InvariantCulture, $"{3e38},{2.5e38},{i % 2}"))]);
        var (code, output, _) = Run("train", "--dataset", "csv:" + csv, "--layers", "2,8,2", "--epochs", "1", "--out", Path.Combine(_dir, "nan"), "--detect-anomaly");
        Assert.Equal(1, code);
        Assert.Contains("--detect-anomaly: at epoch 1, batch 1: anomaly in the forward pass: op AddmmRelu (backward node AddmmReluBackward)", output);
        Assert.Contains("input shapes: [16, 2], [8, 2], [8]", output);
        Assert.Contains("in module LinearRelu(in_features=2, out_features=8, bias=True), inside Sequential", output);

        (code, output, _) = Run("train", "--dataset", "csv:" + csv, "--layers", "2,8,2", "--epochs", "1", "--out", Path.Combine(_dir, "nan2"));
        Assert.Equal(1, code);
        Assert.Contains("run with --detect-anomaly", output);
    }
}
