using System.Globalization;
using System.Xml.Linq;
using Nabla.Cli.Commands;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>`nabla plot` end to end: panels for the chosen columns, finite coordinates, and its option errors.</summary>
public sealed class PlotCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Plot_MetricsCsv_DrawsPanelsForChosenColumns()
    {
        string csv = _dir.File("metrics.csv");
        File.WriteAllLines(csv, ["epoch,train_loss,test_loss,test_accuracy,lr", "1,1.5,1.2,0.6,0.01", "2,0.8,0.9,0.7,0.005", "3,0.5,0.7,0.8,0.001"]);
        var (code, output, err) = Run("plot", csv);
        Assert.True(code == 0, err);
        Assert.Contains("wrote", output);
        List<string> texts = SvgTexts(File.ReadAllText(_dir.File("metrics.plot.svg")));
        Assert.Contains("Loss", texts);
        Assert.Contains("Accuracy", texts);
        Assert.Contains("Learning rate", texts);
        Assert.Contains("train_loss", texts);
        Assert.Contains("epoch", texts);

        string only = _dir.File("loss.svg");
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
    public void Plot_EmptyOut_NamesTheOption()
    {
        string csv = _dir.File("m.csv");
        File.WriteAllLines(csv, ["epoch,loss", "1,2", "2,1"]);
        var (code, _, err) = Run("plot", csv, "--out", "");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--out: the path is empty", err);
    }

    [Fact]
    public void Plot_ValuesNearTheLimitsOfDouble_WritesOnlyFiniteCoordinates()
    {
        string csv = _dir.File("extreme.csv");
        File.WriteAllLines(csv, ["step,huge,wide,flat,close",
            "1,1e308,-1e308,1.7976931348623157e308,1e16",
            "2,1.7e308,1e308,1.7976931348623157e308,10000000000000002",
            "3,1.79e308,5,1.7976931348623157e308,10000000000000004"]);
        string svg = _dir.File("extreme.svg");
        var (code, _, err) = Run("plot", csv, "--out", svg);
        Assert.True(code == 0, err);
        string[] coordinates = ["x", "y", "x1", "y1", "x2", "y2", "cx", "cy"];
        var values = XDocument.Load(svg).Descendants()
            .SelectMany(e => e.Attributes().Where(a => coordinates.Contains(a.Name.LocalName)).Select(a => a.Value)
                .Concat(e.Attribute("points")?.Value.Split(' ', ',') ?? []))
            .ToList();
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.True(double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d), $"coordinate '{v}'"));
    }
}
