using Nabla.Cli;
using Nabla.Cli.Commands;
using Nabla.Tests.Data;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>An option is applied as its help says or refused with a message (exit 2), in every command; --help always wins.</summary>
public sealed class OptionConsistencyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> CommandNames() => [.. Program.Commands.Keys];

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void Help_AfterAnUnknownOptionOrABadValue_PrintsTheCommandsHelp(string command)
    {
        var (code, help, _) = Run(command, "--help");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("usage: nabla " + command, help);
        foreach (string[] args in new[] { new[] { command, "--bogus", "--help" }, [command, "--batch-size", "x", "-h"], [command, "one", "two", "--help"] })
        {
            var (c, output, err) = Run(args);
            Assert.True(c == ExitCodes.Success, $"{string.Join(' ', args)}: {err}");
            Assert.Equal(help, output);
            Assert.Equal("", err);
        }
    }

    [Fact]
    public void Help_AfterDoubleDash_IsAnArgumentNotARequest()
    {
        var (code, output, err) = Run("grad", "x^2", "--at", "x=3", "--", "-h");
        Assert.Equal(ExitCodes.Usage, code); // "-h" after -- is a second expression
        Assert.Contains("unexpected extra argument '-h'", err);
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData("bench gemm --ops 5", "--ops does not apply to 'bench gemm': it is for 'bench overhead'", "drop --ops; 'bench gemm' takes --sizes, --threads and --json")]
    [InlineData("bench gemm --batch-size 3", "--batch-size does not apply to 'bench gemm': it is for 'bench mlp' and 'bench cnn'", "drop --batch-size")]
    [InlineData("bench overhead --sizes 64", "--sizes does not apply to 'bench overhead': it is for 'bench gemm'", "'bench overhead' takes --ops, --threads and --json")]
    [InlineData("bench overhead --epochs 2", "--epochs does not apply to 'bench overhead'", "drop --epochs")]
    [InlineData("bench scalar --ops 5", "--ops does not apply to 'bench scalar'", "'bench scalar' takes only --threads and --json")]
    [InlineData("bench mlp --ops 5", "--ops does not apply to 'bench mlp'", "'bench mlp' takes --batch-size, --epochs, --threads and --json")]
    public void Bench_OptionOfAnotherWorkload_RefusedNamingOptionAndWorkload(string command, string message, string hint)
    {
        var (code, output, err) = Run(command.Split(' '));
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains(message, err);
        Assert.Contains("hint: drop ", err);
        Assert.Contains(hint, err);
        Assert.Equal("", output);
    }

    [Fact]
    public void Threads_EveryCommandTakingIt_HelpStatesTheRangeTheParserAccepts()
    {
        string[] withThreads = [.. Program.Commands.Keys.Where(c => Run(c, "--help").Out.Contains("--threads", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        Assert.Equal(["bench", "train"], withThreads);
        foreach (string command in withThreads)
        {
            string line = Run(command, "--help").Out.Split('\n').Single(l => l.TrimStart().StartsWith("--threads N", StringComparison.Ordinal));
            Assert.Contains("0 (all cores, the default) to 4096", line);
        }
        foreach (string[] args in new[] { new[] { "train", "--threads", "4097" }, ["bench", "overhead", "--threads", "4097"], ["bench", "overhead", "--threads", "-1"] })
        {
            var (code, _, err) = Run(args);
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("hint: pass a whole number from 0 to 4096", err);
        }
        var (ok, output, error) = Run("bench", "overhead", "--ops", "3", "--threads", "0", "--json");
        Assert.True(ok == 0, error);
        Assert.Contains("\"workload\":\"overhead\"", output);
    }

    [Theory]
    [InlineData("train", "cnn", "digits", "64")]
    [InlineData("train", "cnn-bn", "moons", "2")]
    [InlineData("gradcheck", "cnn", "xor", "2")]
    [InlineData("graph", "cnn", "digits", "64")]
    public void CnnPreset_DatasetWithoutImages_IsAUsageErrorWithHint(string command, string model, string dataset, string features)
    {
        string[] args = command == "train" ? [command, "--model", model, "--dataset", dataset, "--out", _dir.File("cnn")] : [command, "--model", model, "--dataset", dataset];
        var (code, _, err) = Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        AssertMessage(err);
        Assert.Contains($"--model {model} needs 28x28 images, but the dataset '{dataset}' has {features} features per sample", err);
        Assert.Contains("hint: pass --dataset fashion-mnist or --dataset mnist, or use --model mlp", err);
    }

    [Fact]
    public void CnnPreset_CsvWith784Features_IsAUsageErrorNotAShapeFailureMidTraining()
    {
        string csv = _dir.File("wide.csv");
        var rows = new List<string> { string.Join(",", Enumerable.Range(0, 784).Select(i => $"p{i}")) + ",label" };
        for (int r = 0; r < 10; r++) rows.Add(string.Join(",", Enumerable.Repeat("0.5", 784)) + $",{r % 2}");
        File.WriteAllLines(csv, rows);
        var (code, output, err) = Run("train", "--model", "cnn", "--dataset", "csv:" + csv, "--epochs", "1", "--out", _dir.File("wide"));
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("has 784 features per sample", err);
        Assert.DoesNotContain("epoch 1", output);
    }
}
