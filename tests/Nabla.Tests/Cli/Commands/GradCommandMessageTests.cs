using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary><c>nabla grad</c>'s messages for text that is hard to show and for results that are not finite numbers.</summary>
public class GradCommandMessageTests
{
    [Fact]
    public void Grad_ControlCharacters_AreNamedInTheMessageAndShownAsSpacesAboveTheCaret()
    {
        var r = Invoke("grad", "x +\n\t2 * \u0001", "--at", "x=1");

        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["error: unexpected character U+0001 at position 10", "  x +  2 *  ", new string(' ', 2 + 9) + "^"], r.StderrLines[..3]);
    }

    [Theory]
    [InlineData("log(x)", "x=0", "the value, dL/dx are not a finite number")]
    [InlineData("sqrt(x) + y", "x=-1,y=2", "the value, dL/dx are not a finite number")]
    [InlineData("exp(x) * 0 + y", "x=800,y=1", "the value, dL/dx are not a finite number")]
    public void Grad_NotFiniteResult_PrintsItAndWarnsOnStderr(string expression, string at, string warning)
    {
        var r = Invoke("grad", expression, "--at", at);

        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("value: ", r.Stdout);
        Assert.StartsWith("warning: " + warning, r.Stderr);
        Assert.Contains("hint: an operation is undefined there", r.Stderr);
    }
}
