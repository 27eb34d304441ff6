using System.Xml.Linq;
using Nabla.Cli.Commands;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary><c>nabla plot</c> keeps the files beside the CSV and reads it as the library reads CSV: quoting, true line numbers, bounds.</summary>
public sealed class PlotCommandCsvTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<string> SvgTexts(string svg) =>
        XDocument.Parse(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value).ToList();

    [Fact]
    public void Plot_RunsMetricsCsv_KeepsTrainsChartAndWritesMetricsPlotSvg()
    {
        string csv = _dir.File("metrics.csv");
        File.WriteAllLines(csv, ["epoch,train_loss,test_accuracy", "1,1.5,0.6", "2,0.8,0.7"]);
        string trainsChart = _dir.File("metrics.svg");
        File.WriteAllText(trainsChart, "<svg>the three panels train drew</svg>");

        var (code, output, err) = Run("plot", csv);
        Assert.True(code == 0, err);
        Assert.Equal("<svg>the three panels train drew</svg>", File.ReadAllText(trainsChart));
        string plotted = _dir.File("metrics.plot.svg");
        Assert.Contains($"wrote {plotted}", output);
        Assert.Contains("train_loss", SvgTexts(File.ReadAllText(plotted)));
    }

    [Fact]
    public void Plot_OutNamingTheCsvItself_IsRefusedAndTheCsvKept()
    {
        string csv = _dir.File("m.csv");
        File.WriteAllLines(csv, ["epoch,loss", "1,2", "2,1"]);
        string before = File.ReadAllText(csv);
        var (code, _, err) = Run("plot", csv, "--out", csv);
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains("is the CSV file being plotted", err);
        Assert.Equal(before, File.ReadAllText(csv));
    }

    [Fact]
    public void Plot_QuotedFieldsAndLeadingBlankLines_ReadAsCsv()
    {
        string csv = _dir.File("quoted.csv");
        File.WriteAllText(csv, "\n\nepoch,\"loss, train\",note\n1,0.5,\"a, b\"\n\n2,0.4,\"c\"\"d\"\n3,0.3,plain\n");
        var (code, output, err) = Run("plot", csv, "--out", _dir.File("quoted.svg"));
        Assert.True(code == 0, err);
        Assert.Contains("wrote", output);
        Assert.Contains("loss, train", SvgTexts(File.ReadAllText(_dir.File("quoted.svg"))));
    }

    [Fact]
    public void Plot_RowOfAnotherWidthAfterBlankLines_NamesItsTrueLine()
    {
        string csv = _dir.File("ragged.csv");
        File.WriteAllText(csv, "\n\nepoch,loss\n1,0.5\n\n2,0.4,9\n");
        var (code, _, err) = Run("plot", csv);
        Assert.Equal(ExitCodes.Failure, code);
        AssertMessage(err);
        Assert.Contains($"{csv}: line 6 has 3 cells but the header (line 3) has 2", err);
    }

    [Fact]
    public void Plot_FieldBeyondTheCsvBound_IsRefusedNamingTheLine()
    {
        string csv = _dir.File("huge-field.csv");
        File.WriteAllText(csv, "epoch,loss\n1," + new string('9', 70_000) + "\n");
        var (code, _, err) = Run("plot", csv);
        Assert.Equal(ExitCodes.Failure, code);
        AssertMessage(err);
        Assert.Contains($"{csv}: line 2: field 2 is longer than", err);
    }

    [Fact]
    public void ReadCsv_MoreNumbersThanTheBound_IsRefusedNamingTheLine()
    {
        var text = new StringReader("epoch,loss,name\n1,2,a\n2,3,b\n3,4,c\n4,5,d\n");
        var e = Assert.Throws<InvalidDataException>(() => PlotCommand.ReadCsv(text, "m.csv", maxValues: 7));
        Assert.Contains("m.csv: line 5: the numeric columns hold more than 7 numbers", e.Message);

        // A column that turns out not to be numeric frees what it held.
        var (_, columns) = PlotCommand.ReadCsv(new StringReader("epoch,loss,name\n1,2,3\n2,3,b\n3,4,c\n"), "m.csv", maxValues: 6);
        Assert.Equal(["epoch", "loss"], columns.Keys);
    }

    [Fact]
    public void ReadCsv_OnlyAHeader_NamesTheProblem()
    {
        var e = Assert.Throws<InvalidDataException>(() => PlotCommand.ReadCsv(new StringReader("\nepoch,loss\n\n"), "m.csv", PlotCommand.MaxValues));
        Assert.Contains("m.csv: expected a header row and at least one data row, but there is only the header (line 2)", e.Message);
        e = Assert.Throws<InvalidDataException>(() => PlotCommand.ReadCsv(new StringReader("\n \n"), "m.csv", PlotCommand.MaxValues));
        Assert.Contains("m.csv: the file is empty", e.Message);
    }
}
