using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Nabla.Cli;

namespace Nabla.Tests.Fuzz;

/// <summary>
/// <c>nabla grad</c> over seeded mutations of a valid expression and of a valid <c>--at</c> list (Note [Mutation tests]),
/// in-process: no exception escapes, the exit code is 0 or 2, and every refusal is an error message that points at a
/// position in the text (a caret line), never a stack trace.
/// </summary>
public sealed class ExpressionMutationTests
{
    private const string Expression = "tanh(w1*x1 + w2*x2 + b)^2 / sqrt(exp(-x1) + 1e-3) - log(relu(w1) + .5) * sigmoid(-b)^-1.5";
    private const string At = "w1=-3,x1=2,w2=1,x2=0.5,b=6.88";

    /// <summary>Runs <c>nabla grad</c> and checks the outcome; true when it succeeded.</summary>
    private static bool Grad(string expression, string at)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(["grad", "--graph", "--at=" + at, "--", expression], stdout, stderr);
        string error = stderr.ToString().Replace("\r\n", "\n");
        Assert.True(code is 0 or 2, $"exit code {code}: {error}");
        Assert.DoesNotContain("   at ", error);   // no stack trace
        if (code == 0)
        {
            Assert.StartsWith("value: ", stdout.ToString());
            return true;
        }
        // error: <message naming position N>, the text, a caret under character N, a hint.
        string[] lines = error.Split('\n');
        Assert.StartsWith("error: ", lines[0]);
        Assert.Matches(@"^ *\^$", lines[2]);
        var positions = Regex.Matches(lines[0], "position ([0-9]+)").Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(positions.Contains(lines[2].IndexOf('^') - 1), $"the caret is not under a position the message names:\n{error}");
        return false;
    }

    [Fact]
    public void Expression_Mutations_ExitCleanlyWithAPositionedMessage()
    {
        int succeeded = 0;
        Mutations.Run("nabla grad expression", Encoding.UTF8.GetBytes(Expression),
            bytes => succeeded += Grad(Encoding.UTF8.GetString(bytes), At) ? 1 : 0, [], count: 4000, seed: 31, maxBytes: 16L << 20, maxSeconds: 2);
        Assert.True(succeeded is > 50 and < 3000, $"{succeeded} of 4000 mutated expressions succeeded");
    }

    [Fact]
    public void AtList_Mutations_ExitCleanlyWithAPositionedMessage()
    {
        int succeeded = 0;
        Mutations.Run("nabla grad --at", Encoding.UTF8.GetBytes(At),
            bytes => succeeded += Grad(Expression, Encoding.UTF8.GetString(bytes)) ? 1 : 0, [], count: 2000, seed: 32, maxBytes: 16L << 20, maxSeconds: 2);
        Assert.True(succeeded is > 50 and < 1500, $"{succeeded} of 2000 mutated --at lists succeeded");
    }
}
