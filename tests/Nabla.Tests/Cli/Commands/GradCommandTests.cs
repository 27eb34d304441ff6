using System.Globalization;
using Nabla.Cli;
using Nabla.Tests.Diagnostics;
using static Nabla.Tests.Cli.CliRunner;

namespace Nabla.Tests.Cli.Commands;

/// <summary>The <c>nabla grad</c> command, run in-process: values, gradients, precedence, --graph, --format and positioned errors.</summary>
public class GradCommandTests
{
    // ---- worked examples

    [Fact]
    public void Grad_SquaredErrorAtW2X3Y10_PrintsValue16AndEveryGradient()
    {
        var r = Invoke("grad", "(w*x-y)^2", "--at", "w=2,x=3,y=10");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        // d/dw = 2(wx-y)x = -24, d/dx = 2(wx-y)w = -16, d/dy = -2(wx-y) = 8
        Assert.Equal("value: 16\ndL/dw = -24\ndL/dx = -16\ndL/dy = 8\n", r.Stdout);
    }

    [Fact]
    public void Grad_QuadraticAtX2_GivesValue11AndSlope7()
    {
        var r = Invoke("grad", "x^2+3*x+1", "--at", "x=2");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(11.0, r.Value);
        Assert.Equal(7.0, r.Grad("x"));
    }

    [Theory]
    [InlineData(-2.0)]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(3.0)]
    public void Grad_SquareOfAffine_Gives6Times3xPlus2(double at)
    {
        var r = Invoke("grad", "(3*x+2)^2", "--at", "x=" + at.ToString("R", CultureInfo.InvariantCulture));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal((3 * at + 2) * (3 * at + 2), r.Value, 12);
        Assert.Equal(6 * (3 * at + 2), r.Grad("x"), 12);
    }

    [Fact]
    public void Grad_DifferenceSquaredAtA2B1p1_Gives0p81()
    {
        var r = Invoke("grad", "(a-b)^2", "--at", "a=2,b=1.1");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(0.81, r.Value, 12);
        Assert.Equal(1.8, r.Grad("a"), 12);
        Assert.Equal(-1.8, r.Grad("b"), 12);
    }

    // ---- each function and operator against its closed form

    public static TheoryData<string, double, double, double> Functions => new()
    {
        // expression, x, closed-form value, closed-form derivative
        { "exp(x)", 0.5, Math.Exp(0.5), Math.Exp(0.5) },
        { "log(x)", 2.0, Math.Log(2.0), 0.5 },
        { "sqrt(x)", 4.0, 2.0, 0.25 },
        { "tanh(x)", 0.3, Math.Tanh(0.3), 1 - Math.Tanh(0.3) * Math.Tanh(0.3) },
        { "sigmoid(x)", -1.2, Sigmoid(-1.2), Sigmoid(-1.2) * (1 - Sigmoid(-1.2)) },
        { "relu(x)", 1.5, 1.5, 1.0 },
        { "relu(x)", -2.0, 0.0, 0.0 },
        { "exp(2*x)", 0.25, Math.Exp(0.5), 2 * Math.Exp(0.5) },
        { "log(x^2+1)", 1.5, Math.Log(3.25), 2 * 1.5 / 3.25 },
        { "1/x", 4.0, 0.25, -1.0 / 16 },
        { "x^0.5", 9.0, 3.0, 0.5 / 3.0 },
        { "2^x", 3.0, 8.0, 8.0 * Math.Log(2.0) },
        { "x^x", 2.0, 4.0, 4.0 * (Math.Log(2.0) + 1) },
        { "-x", 1.25, -1.25, -1.0 },
        { "x-x*x/x+x", 0.7, 0.7, 1.0 },
    };

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    [Theory]
    [MemberData(nameof(Functions))]
    public void Grad_Function_MatchesClosedForm(string expression, double x, double value, double derivative)
    {
        var r = Invoke("grad", expression, "--at", "x=" + x.ToString("R", CultureInfo.InvariantCulture));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(value, r.Value, 12);
        Assert.Equal(derivative, r.Grad("x"), 12);
    }

    [Fact]
    public void Grad_TwoVariablePower_GivesBothPartials()
    {
        var r = Invoke("grad", "x^y", "--at", "x=2,y=3");

        // d(x^y)/dx = y x^(y-1) = 12, d(x^y)/dy = x^y ln x = 8 ln 2
        Assert.Equal(8.0, r.Value, 12);
        Assert.Equal(12.0, r.Grad("x"), 12);
        Assert.Equal(8 * Math.Log(2.0), r.Grad("y"), 12);
    }

    // ---- precedence, associativity, literals

    [Theory]
    [InlineData("2^3^2", 512.0)]
    [InlineData("(2^3)^2", 64.0)]
    [InlineData("-2^2", -4.0)]
    [InlineData("(-2)^2", 4.0)]
    [InlineData("2^-1", 0.5)]
    [InlineData("2+3*4", 14.0)]
    [InlineData("(2+3)*4", 20.0)]
    [InlineData("1-2-3", -4.0)]
    [InlineData("8/4/2", 1.0)]
    [InlineData("2*3^2", 18.0)]
    [InlineData("- -3", 3.0)]
    [InlineData("+3", 3.0)]
    [InlineData("1e-3*1000", 1.0)]
    [InlineData(".5 + 2.5E+1 + 1.", 26.5)]
    [InlineData("  1 +\t2 ", 3.0)]
    public void Grad_ConstantExpression_FollowsPrecedenceAndAssociativity(string expression, double expected)
    {
        var r = Invoke("grad", expression);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"value: {expected.ToString("R", CultureInfo.InvariantCulture)}\n", r.Stdout);
    }

    [Fact]
    public void Grad_NegatedSquare_BindsPowerBeforeMinus()
    {
        var r = Invoke("grad", "-x^2", "--at", "x=3");

        Assert.Equal(-9.0, r.Value);
        Assert.Equal(-6.0, r.Grad("x"));
    }

    [Fact]
    public void Grad_SquareOfNegation_Gives9AndSlope6()
    {
        var r = Invoke("grad", "(-x)^2", "--at", "x=3");

        Assert.Equal(9.0, r.Value);
        Assert.Equal(6.0, r.Grad("x"));
    }

    [Fact]
    public void Grad_VariableUsedTwice_SumsBothPaths()
    {
        var r = Invoke("grad", "x*x + x", "--at", "x=3");

        Assert.Equal(12.0, r.Value);
        Assert.Equal(7.0, r.Grad("x"));
    }

    [Fact]
    public void Grad_ExpressionIsOneVariable_GradientIsOne()
    {
        var r = Invoke("grad", "x", "--at", "x=5");

        Assert.Equal("value: 5\ndL/dx = 1\n", r.Stdout);
    }

    [Fact]
    public void Grad_OutputFormat_IsShortestRoundTrip()
    {
        var r = Invoke("grad", "x/3", "--at", "x=1");

        Assert.Equal("value: 0.3333333333333333\ndL/dx = 0.3333333333333333\n", r.Stdout);
        Assert.Equal("1E-20", NumberText.Format(1e-20));
        Assert.Equal("NaN", NumberText.Format(double.NaN));
    }

    [Fact]
    public void Grad_LongSum_DoesNotOverflowTheStack()
    {
        string expression = string.Join("+", Enumerable.Repeat("x*x", 5000));

        var r = Invoke("grad", expression, "--at", "x=1");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(5000.0, r.Value);
        Assert.Equal(10000.0, r.Grad("x"));
    }

    [Fact]
    public void Grad_GradientsAreSortedByName_NotByOrderOfUse()
    {
        var r = Invoke("grad", "z*b+a", "--at", "z=1,a=2,b=3");

        Assert.Equal(["value: 5", "dL/da = 1", "dL/db = 1", "dL/dz = 3"], r.StdoutLines);
    }

    [Fact]
    public void Grad_RepeatedAtOptions_AreMerged()
    {
        var r = Invoke("grad", "x*y", "--at", "x=2", "--at=y=5");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(5.0, r.Grad("x"));
        Assert.Equal(2.0, r.Grad("y"));
    }

    [Fact]
    public void Grad_ExpressionStartingWithMinus_IsNotAnOption()
    {
        var r = Invoke("grad", "-x", "--at", "x=2");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(-2.0, r.Value);
    }

    [Fact]
    public void Grad_DoubleDashSeparator_EndsOptions()
    {
        var r = Invoke("grad", "--at", "x=2", "--", "--x");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(2.0, r.Value);
        Assert.Equal(1.0, r.Grad("x"));
    }

    // ---- --graph

    [Fact]
    public void Grad_Graph_ListsEveryNodeInTopologicalOrderWithValuesAndGradients()
    {
        var r = Invoke("grad", "(w*x-y)^2", "--at", "w=2,x=3,y=10", "--graph");

        Assert.Equal(0, r.ExitCode);
        string expected = """
            value: 16
            dL/dw = -24
            dL/dx = -16
            dL/dy = 8

            graph (inputs first, output last):
              node  op           inputs  value  grad
              %0    leaf w               2      -24
              %1    leaf x               3      -16
              %2    MulBackward  %0, %1  6      -8
              %3    leaf y               10     8
              %4    SubBackward  %2, %3  -4     -8
              %5    PowBackward  %4, 2   16     1

            """;
        Assert.Equal(expected.Replace("\r\n", "\n"), r.Stdout);
    }

    [Fact]
    public void Grad_Graph_NamesEveryFunctionNodeAndPutsInputsFirst()
    {
        var r = Invoke("grad", "sigmoid(x)*exp(-x)/sqrt(x) - log(x)*tanh(relu(x)) + 2^x", "--at", "x=0.7", "--graph");

        Assert.Equal(0, r.ExitCode);
        string[] rows = r.StdoutLines.SkipWhile(l => !l.StartsWith("graph")).Skip(2).ToArray();
        string[] ops = rows.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).ToArray();
        foreach (string op in new[] { "SigmoidBackward", "NegBackward", "ExpBackward", "MulBackward", "SqrtBackward", "DivBackward",
                     "LogBackward", "ReluBackward", "TanhBackward", "SubBackward", "PowBackward", "AddBackward" })
            Assert.Contains(op, ops);
        Assert.Equal("leaf", ops[0]);
        Assert.Single(ops, "leaf");
        // Every input reference points to an earlier row, and the last row is the output with gradient 1.
        for (int i = 0; i < rows.Length; i++)
            foreach (string token in rows[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
                if (token.TrimEnd(',').StartsWith('%'))
                    Assert.True(int.Parse(token.TrimEnd(',')[1..], CultureInfo.InvariantCulture) < i, rows[i]);
        Assert.EndsWith(" 1", rows[^1]);
        Assert.Contains("2, %", rows.Single(l => l.Contains("PowBackward")));
    }

    [Fact]
    public void Grad_Graph_SharedVariableAppearsOnce()
    {
        var r = Invoke("grad", "x*x", "--at", "x=3", "--graph");

        Assert.Contains("  %0    leaf x               3      6", r.StdoutLines);
        Assert.Contains("  %1    MulBackward  %0, %0  9      1", r.StdoutLines);
    }

    [Fact]
    public void Grad_GraphOfConstant_SaysItIsEmpty()
    {
        var r = Invoke("grad", "2^10", "--graph");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("value: 1024", r.StdoutLines[0]);
        Assert.StartsWith("graph: empty", r.StdoutLines[1]);
    }

    // ---- errors: message, caret under the right character, exit code 2

    [Theory]
    [InlineData("foo(x)", "unknown function 'foo' at position 1", 0, "available functions: exp log sqrt tanh sigmoid relu")]
    [InlineData("x + Exp(x)", "unknown function 'Exp' at position 5", 4, "did you mean 'exp'?")]
    [InlineData("x + z", "unknown variable 'z' at position 5", 4, "give it a value with --at z=<number>")]
    [InlineData("", "empty expression", 0, "write an expression")]
    [InlineData("x +", "expression ends too early at position 4", 3, "complete the expression")]
    [InlineData("2x", "unexpected 'x' at position 2; expected an operator", 1, "write multiplication explicitly")]
    [InlineData("x (x)", "unknown function 'x' at position 1", 0, "to multiply, write x*(...)")]
    [InlineData("(x+1", "missing ')' at position 5 to close the '(' at position 1", 4, "add the closing parenthesis")]
    [InlineData("x)", "unmatched ')' at position 2", 1, "remove it")]
    [InlineData("()", "unexpected ')' at position 2", 1, "parentheses must enclose an expression")]
    [InlineData("x * * 2", "unexpected '*' at position 5", 4, "'*' needs an operand on each side")]
    [InlineData("exp(x, 1)", "function 'exp' takes one argument; unexpected ',' at position 6", 5, "takes exactly one argument")]
    [InlineData("exp()", "function 'exp' at position 1 is missing its argument", 4, "write exp(x)")]
    [InlineData("1 + exp", "function 'exp' at position 5 needs an argument", 4, "exp(x)")]
    [InlineData("x $ 1", "unexpected character '$' at position 3", 2, "expressions use numbers")]
    [InlineData("3 * 1e", "malformed number '1e' at position 5", 4, "an exponent needs digits")]
    [InlineData("1.2.3", "malformed number '1.2.' at position 1", 0, "at most one decimal point")]
    [InlineData("1e999 * x", "number '1e999' at position 1 is too large for float64", 0, "largest float64")]
    public void Grad_MalformedExpression_PointsAtPositionAndExits2(string expression, string message, int caret, string hint)
    {
        var r = Invoke("grad", expression, "--at", "x=1");

        AssertPositionedError(r, message, expression, caret, hint);
    }

    [Theory]
    [InlineData("x=", "missing value for 'x' in --at at position 3", 2, "write x=<number>")]
    [InlineData("x", "malformed --at pair 'x' at position 1; expected name=value", 0, "write it as x=<number>")]
    [InlineData("y=2, x 3", "malformed --at pair 'x 3' at position 6; expected name=value", 5, "=<number>")]
    [InlineData("=3", "missing variable name in --at at position 1", 0, "write name=value")]
    [InlineData("x=1,2y=1", "invalid variable name '2y' in --at at position 5", 4, "a name starts with a letter")]
    [InlineData("x=abc", "invalid number 'abc' for 'x' in --at at position 3", 2, "numbers look like")]
    [InlineData("x=1,5", "malformed --at pair '5' at position 5", 4, "x=<number>")]
    [InlineData("x=1,,y=2", "empty name=value pair in --at at position 5", 4, "single commas")]
    [InlineData("x=1,x=2", "variable 'x' is given twice in --at, again at position 5", 4, "the first is 1")]
    [InlineData("exp=1", "'exp' in --at at position 1 is a function name", 0, "rename")]
    [InlineData("x=1e999", "value '1e999' for 'x' in --at at position 3 is not a finite float64", 2, "finite")]
    public void Grad_MalformedAt_PointsAtPositionAndExits2(string at, string message, int caret, string hint)
    {
        var r = Invoke("grad", "x", "--at", at);

        AssertPositionedError(r, message, at, caret, hint);
    }

    private static void AssertPositionedError(CliResult r, string message, string source, int caret, string hint)
    {
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Stdout);
        string[] lines = r.StderrLines;
        Assert.StartsWith("error: " + message, lines[0]);
        Assert.Equal("  " + source, lines[1]);
        Assert.Equal(new string(' ', 2 + caret) + "^", lines[2]);
        Assert.StartsWith("hint: ", lines[3]);
        Assert.Contains(hint, lines[3]);
    }

    [Fact]
    public void Grad_MissingVariableWithUnusedAtName_HintMentionsTheUnusedName()
    {
        var r = Invoke("grad", "w*x-y", "--at", "w=1,x=2,z=3");

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown variable 'y' at position 5", r.Stderr);
        Assert.Contains("--at names not in the expression: z", r.Stderr);
    }

    [Fact]
    public void Grad_UnusedAtVariable_WarnsWithCaretAndStillSucceeds()
    {
        var r = Invoke("grad", "x^2", "--at", "x=3, y=1");

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("value: 9\ndL/dx = 6\n", r.Stdout);
        Assert.Equal("warning: unused --at variable 'y' at position 6: the expression does not use it", r.StderrLines[0]);
        Assert.Equal("  x=3, y=1", r.StderrLines[1]);
        Assert.Equal("       ^", r.StderrLines[2]);
    }

    [Fact]
    public void Grad_TooDeeplyNested_ReportsInsteadOfOverflowing()
    {
        string expression = new string('(', 1000) + "x" + new string(')', 1000);

        var r = Invoke("grad", expression, "--at", "x=1");

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: expression nested too deeply", r.StderrLines[0]);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Grad_Help_PrintsGradUsageAndExits0(string flag)
    {
        var r = Invoke("grad", flag);

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        Assert.StartsWith("usage: nabla grad <expression> [--at name=value", r.Stdout);
        Assert.Contains("--graph", r.Stdout);
        Assert.Contains("exp log sqrt tanh sigmoid relu", r.Stdout);
    }

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
}
