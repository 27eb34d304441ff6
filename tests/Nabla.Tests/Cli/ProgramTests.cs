using Nabla.Cli;
using Nabla.Cli.Commands;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli;

/// <summary>The tool's entry point (Program.cs): usage errors, help, the command table, the guard around commands and a run as a real process.</summary>
public class ProgramTests
{
    // ---- usage errors and help

    [Theory]
    [InlineData(new string[0], "missing command")]
    [InlineData(new[] { "train-foo" }, "unknown command 'train-foo'")]
    [InlineData(new[] { "--verbose" }, "unknown option '--verbose'")]
    [InlineData(new[] { "grad" }, "missing expression")]
    [InlineData(new[] { "grad", "x", "--at", "x=1", "--bogus" }, "unknown option '--bogus' for 'nabla grad'")]
    [InlineData(new[] { "grad", "x", "--at" }, "option --at needs a value")]
    [InlineData(new[] { "grad", "x", "--at", "--graph" }, "option --at needs a value")]
    [InlineData(new[] { "grad", "x", "*", "y" }, "unexpected extra argument '*'")]
    public void Run_UsageError_PrintsErrorAndUsageAndExits2(string[] args, string message)
    {
        var r = Invoke(args);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Equal("error: " + message, r.StderrLines[0]);
        Assert.StartsWith("hint: ", r.StderrLines[1]);
        Assert.Contains("usage: nabla", r.Stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Run_Help_PrintsCommandsAndExits0(string flag)
    {
        var r = Invoke(flag);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.StartsWith("usage: nabla <command>", r.Stdout);
        Assert.Contains("  grad  ", r.Stdout);
    }

    [Fact]
    public void Program_Commands_AreADictionaryByName()
    {
        Assert.True(Program.Commands.ContainsKey("grad"));
        Assert.All(Program.Commands, p => Assert.Equal(p.Key, p.Value.Name));
    }

    // ---- end to end, as a separate process

    [Fact]
    public void Main_RunAsProcess_PrintsGradientsAndReturnsExitCodes()
    {
        var ok = RunProcess("grad", "(w*x-y)^2", "--at", "w=2,x=3,y=10");
        Assert.Equal(0, ok.ExitCode);
        Assert.Equal("value: 16\ndL/dw = -24\ndL/dx = -16\ndL/dy = 8\n", ok.Stdout);
        Assert.Equal("", ok.Stderr);

        var bad = RunProcess("grad", "foo(x)", "--at", "x=1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("", bad.Stdout);
        Assert.StartsWith("error: unknown function 'foo' at position 1\n  foo(x)\n  ^\n", bad.Stderr);

        var unknown = RunProcess("frobnicate");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("usage: nabla", unknown.Stderr);
    }

    [Fact]
    public void Guarded_ExceptionNoCommandReported_IsOneLineWithExitCode70()
    {
        var stderr = new StringWriter();
        int code = Program.Guarded(() => throw new InvalidOperationException("boom"), stderr);
        Assert.Equal(ExitCodes.InternalError, code);
        Assert.StartsWith("error: internal error: InvalidOperationException: boom", stderr.ToString());
        Assert.DoesNotContain("   at ", stderr.ToString());
    }
}
