using Nabla.Cli.Expressions;
using Nabla.Diagnostics;

namespace Nabla.Cli.Commands;

/// <summary>
/// <c>nabla grad "&lt;expr&gt;" --at name=value,... [--graph [--format text|dot|svg]]</c>: evaluates an expression over named scalars with
/// the autograd engine and prints its value and its gradient with respect to every variable.
/// </summary>
public static class GradCommand
{
    public const string Name = "grad";

    private static readonly string[] GraphHeader = ["node", "op", "inputs", "value", "grad"];

    public const string Summary = "evaluate a scalar expression and print its gradient with respect to each variable";

    public static string Usage { get; } = $"""
        usage: nabla grad <expression> [--at name=value[,name=value...]] [--graph [--format text|dot|svg]]

        Evaluates <expression> in float64 with Nabla's autograd engine, runs backward from it,
        and prints its value and its derivative with respect to every variable.

        expression:
          numbers     2  0.5  .5  1e-3  2.5E+4
          variables   names such as x, w1 or learning_rate; each needs a value in --at
          operators   + - * / ^ and parentheses; ^ is right-associative and binds tighter
                      than unary minus: 2^3^2 = 2^9 and -x^2 = -(x^2); 2^-1 = 0.5
          functions   {MathFunctions.NameList} (one argument each)

        options:
          --at name=value,...   the variables' values (invariant culture; may be repeated);
                                a name the expression does not use gets a warning
          --graph               also print every node of the autograd graph, inputs first:
                                its op, inputs, forward value and gradient
          --format text|dot|svg with --graph: text (the default) prints the table after the
                                result; dot prints only Graphviz DOT (pipe it into dot -Tpng);
                                svg prints only an SVG drawing laid out by Nabla (no Graphviz)
          -h, --help            show this help
          --                    end of options: later arguments are not options (for an
                                expression that starts with --, as in: --at x=2 -- --x)

        output (stdout):
          value: <value of the expression>
          dL/d<name> = <gradient>          one line per variable, sorted by name
          Numbers are the shortest invariant-culture text that parses back to the same float64
          (16, -24, 0.8099999999999998, 1E-20, NaN, Infinity).

        exit codes: 0 success; 2 usage error or malformed expression or --at (message on stderr).

        examples:
          nabla grad "(w*x-y)^2" --at w=2,x=3,y=10
          nabla grad "tanh(w1*x1 + w2*x2 + b)" --at w1=-3,x1=2,w2=1,x2=0,b=6.88 --graph --format svg > neuron.svg

        """;

    /// <summary>Runs the command on the arguments after <c>grad</c>.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        string? expressionText = null;
        var atTexts = new List<string>();
        bool showGraph = false;
        string? format = null;
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            bool isOption = !optionsEnded && (arg.StartsWith("--", StringComparison.Ordinal) || arg == "-h");
            if (!isOption)
            {
                if (expressionText is not null)
                    return UsageError(stderr, $"unexpected extra argument '{arg}'",
                        "quote the expression so that the shell passes it as one argument, as in \"x * y\"");
                expressionText = arg;
                continue;
            }
            switch (arg)
            {
                case "--":
                    optionsEnded = true;
                    break;
                case "-h" or "--help":
                    stdout.Write(Usage);
                    return ExitCodes.Success;
                case "--graph":
                    showGraph = true;
                    break;
                case "--format":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        return UsageError(stderr, "option --format needs a value", "write --format text, --format dot or --format svg");
                    format = args[++i];
                    break;
                case "--at":
                    if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        return UsageError(stderr, "option --at needs a value", "write --at name=value,name=value, as in --at x=2,y=3");
                    atTexts.Add(args[++i]);
                    break;
                default:
                    if (arg.StartsWith("--at=", StringComparison.Ordinal))
                    {
                        atTexts.Add(arg["--at=".Length..]);
                        break;
                    }
                    if (arg.StartsWith("--format=", StringComparison.Ordinal))
                    {
                        format = arg["--format=".Length..];
                        break;
                    }
                    return UsageError(stderr, $"unknown option '{arg}' for 'nabla grad'",
                        "the options are --at, --graph, --format and --help; put -- before an expression that starts with --");
            }
        }
        if (format is not (null or "text" or "dot" or "svg"))
            return UsageError(stderr, $"unknown --format '{format}'", "use --format text, --format dot or --format svg");
        if (format is not null && !showGraph)
            return UsageError(stderr, "--format needs --graph", "add --graph to print the autograd graph in that format");
        if (expressionText is null)
            return UsageError(stderr, "missing expression", "give the expression to differentiate, as in nabla grad \"x^2\" --at x=3");

        ParsedExpression expression;
        try
        {
            expression = Parser.Parse(expressionText);
        }
        catch (ParseException e)
        {
            Reporter.Error(stderr, e, expressionText);
            return ExitCodes.Usage;
        }

        var assignments = new VariableAssignments();
        foreach (string atText in atTexts)
        {
            try
            {
                assignments.Add(atText);
            }
            catch (ParseException e)
            {
                Reporter.Error(stderr, e, atText);
                return ExitCodes.Usage;
            }
        }

        var used = expression.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var unused = assignments.All.Where(a => !used.Contains(a.Name)).ToList();
        foreach (VariableNode variable in expression.Variables)
        {
            if (assignments.TryGet(variable.Name, out _)) continue;
            string hint = $"give it a value with --at {variable.Name}=<number>";
            if (unused.Count > 0) hint += $" (--at names not in the expression: {string.Join(", ", unused.Select(a => a.Name))})";
            Reporter.Error(stderr, new ParseException(
                $"unknown variable '{variable.Name}' at position {variable.Position + 1}: it has no value in --at", variable.Position, hint), expressionText);
            return ExitCodes.Usage;
        }
        foreach (Assignment a in unused)
            Reporter.Warning(stderr, $"unused --at variable '{a.Name}' at position {a.Position + 1}: the expression does not use it",
                a.Source, a.Position, "its gradient would be 0; remove it or check the spelling");

        Evaluation evaluation = Evaluator.Evaluate(expression, assignments.Values());
        if (format is "dot" or "svg")
        {
            if (!evaluation.Output.RequiresGrad)
            {
                Reporter.Error(stderr, "the expression uses no variable, so it has no autograd graph to draw", "add a variable, as in nabla grad \"x^2\" --at x=3 --graph");
                return ExitCodes.Usage;
            }
            // The graph is captured before backward frees it; values and gradients are read when it is drawn.
            var graph = ComputationGraph.From(evaluation.Output, inputs: evaluation.Leaves.Select(p => (p.Key, p.Value)));
            evaluation.Backward();
            stdout.Write(format == "dot" ? graph.ToDot() : graph.ToSvg());
            return ExitCodes.Success;
        }
        evaluation.Backward();
        WriteResult(stdout, evaluation);
        if (showGraph) WriteGraph(stdout, evaluation);
        WarnIfNotFinite(stderr, evaluation);
        return ExitCodes.Success;
    }

    // A NaN or an infinity is printed as it is, and named on stderr so that it is never a silent result.
    private static void WarnIfNotFinite(TextWriter stderr, Evaluation evaluation)
    {
        var names = new List<string>();
        if (!double.IsFinite(evaluation.Output.Item())) names.Add("the value");
        foreach (string name in evaluation.Leaves.Keys.Order(StringComparer.Ordinal))
            if (evaluation.Leaves[name].Grad is { } g && !double.IsFinite(g.Item())) names.Add($"dL/d{name}");
        if (names.Count == 0) return;
        Reporter.Warning(stderr, $"{string.Join(", ", names)} {(names.Count == 1 ? "is" : "are")} not a finite number (NaN or infinity) at these values",
            "an operation is undefined there or overflowed float64: log or sqrt of 0 or of a negative number, division by 0, " +
            "0 to a negative power, exp of a number above about 709; --graph shows which node it starts at");
    }

    private static int UsageError(TextWriter stderr, string message, string hint)
    {
        Reporter.Error(stderr, message, hint);
        stderr.WriteLine();
        stderr.Write(Usage);
        return ExitCodes.Usage;
    }

    private static void WriteResult(TextWriter stdout, Evaluation evaluation)
    {
        stdout.WriteLine($"value: {NumberText.Format(evaluation.Output.Item())}");
        foreach (string name in evaluation.Leaves.Keys.Order(StringComparer.Ordinal))
            stdout.WriteLine($"dL/d{name} = {FormatGrad(evaluation.Leaves[name])}");
    }

    // A node's gradient; a node that backward did not reach would have a null gradient, which is 0.
    private static string FormatGrad(Tensor t) => NumberText.Format(t.Grad?.Item() ?? 0.0);

    /// <summary>
    /// Writes the graph as a table, one node a row, inputs before the ops that read them:
    /// <code>
    /// graph (inputs first, output last):
    ///   node  op           inputs  value  grad
    ///   %0    leaf w               2      -24
    ///   %1    leaf x               3      16
    ///   %2    MulBackward  %0, %1  6      -8
    /// </code>
    /// An input is another node (<c>%id</c>) or a constant, shown as its value.
    /// </summary>
    private static void WriteGraph(TextWriter stdout, Evaluation evaluation)
    {
        stdout.WriteLine();
        if (evaluation.Graph.Count == 0)
        {
            stdout.WriteLine("graph: empty (the expression uses no variable, so nothing requires a gradient)");
            return;
        }
        stdout.WriteLine("graph (inputs first, output last):");
        var rows = new List<string[]> { GraphHeader };
        foreach (GraphEntry entry in evaluation.Graph)
        {
            string inputs = string.Join(", ", entry.Inputs.Select(o => o.NodeId is int id ? $"%{id}" : NumberText.Format(o.Constant)));
            rows.Add([$"%{entry.Id}", entry.Op, inputs, NumberText.Format(entry.Tensor.Item()), FormatGrad(entry.Tensor)]);
        }
        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (string[] row in rows)
            for (int c = 0; c < columns; c++)
                widths[c] = Math.Max(widths[c], row[c].Length);
        foreach (string[] row in rows)
        {
            var line = new System.Text.StringBuilder("  ");
            for (int c = 0; c < columns; c++)
                line.Append(c < columns - 1 ? row[c].PadRight(widths[c] + 2) : row[c]);
            stdout.WriteLine(line.ToString().TrimEnd());
        }
    }
}
