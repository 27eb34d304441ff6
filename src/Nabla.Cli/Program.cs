using Nabla.Cli.Commands;

namespace Nabla.Cli;

/// <summary>The <c>nabla</c> command-line tool: dispatches to a subcommand by name.</summary>
public static class Program
{
    /// <summary>The subcommands by name. To add one, add a line here.</summary>
    public static IReadOnlyDictionary<string, Command> Commands { get; } = new Dictionary<string, Command>(StringComparer.Ordinal)
    {
        [GradCommand.Name] = new(GradCommand.Name, GradCommand.Summary, GradCommand.Run),
        [TrainCommand.Name] = new(TrainCommand.Name, TrainCommand.Summary, TrainCommand.Run),
        [EvaluateCommand.Name] = new(EvaluateCommand.Name, EvaluateCommand.Summary, EvaluateCommand.Run),
        [GenerateCommand.Name] = new(GenerateCommand.Name, GenerateCommand.Summary, GenerateCommand.Run),
        [BenchCommand.Name] = new(BenchCommand.Name, BenchCommand.Summary, BenchCommand.Run),
        [PlaygroundCommand.Name] = new(PlaygroundCommand.Name, PlaygroundCommand.Summary, PlaygroundCommand.Run),
        [GradCheckCommand.Name] = new(GradCheckCommand.Name, GradCheckCommand.Summary, GradCheckCommand.Run),
        [GraphCommand.Name] = new(GraphCommand.Name, GraphCommand.Summary, GraphCommand.Run),
        [PlotCommand.Name] = new(PlotCommand.Name, PlotCommand.Summary, PlotCommand.Run),
    };

    /// <summary>The tool's process: applies its runtime policy (Note [Runtime policy of the tool]), then runs the command.</summary>
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        using IDisposable runtime = RuntimePolicy.Apply(args, Environment.GetEnvironmentVariable);
        return Guarded(() => Run(args, Console.Out, Console.Error), Console.Error);
    }

    /// <summary>
    /// Runs <paramref name="run"/>; an exception no command turned into a message (a defect of the tool) is reported
    /// in one line with exit code <see cref="ExitCodes.InternalError"/> instead of a stack trace. The commands report
    /// every failure of the input themselves, and the tests, which call <see cref="Run"/>, see any that escapes.
    /// </summary>
    internal static int Guarded(Func<int> run, TextWriter stderr)
    {
        try
        {
            return run();
        }
        catch (Exception e)
        {
            Reporter.Error(stderr, $"internal error: {e.GetType().Name}: {e.Message}",
                "this is a defect of nabla, not of your input; please report it with the command line you ran");
            return ExitCodes.InternalError;
        }
    }

    /// <summary>Runs the tool in-process with the given output streams and returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length == 0)
        {
            Reporter.Error(stderr, "missing command", "run 'nabla grad --help' to get started");
            stderr.WriteLine();
            stderr.Write(Usage());
            return ExitCodes.Usage;
        }
        string first = args[0];
        if (first is "-h" or "--help")
        {
            stdout.Write(Usage());
            return ExitCodes.Success;
        }
        if (Commands.TryGetValue(first, out Command? command))
            return command.Run(args[1..], stdout, stderr);

        string what = first.StartsWith('-') ? "option" : "command";
        Reporter.Error(stderr, $"unknown {what} '{first}'", "run 'nabla --help' to see the commands");
        stderr.WriteLine();
        stderr.Write(Usage());
        return ExitCodes.Usage;
    }

    /// <summary>The top-level help: the commands and how to get help on each.</summary>
    public static string Usage()
    {
        int width = Commands.Keys.Max(k => k.Length);
        var text = new System.Text.StringBuilder();
        text.AppendLine("usage: nabla <command> [arguments]");
        text.AppendLine();
        text.AppendLine("commands:");
        foreach (Command c in Commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal))
            text.AppendLine($"  {c.Name.PadRight(width)}  {c.Summary}");
        text.AppendLine();
        text.AppendLine("options:");
        text.AppendLine("  -h, --help  show this help");
        text.AppendLine();
        text.AppendLine("Run 'nabla <command> --help' for a command's arguments.");
        return text.ToString();
    }
}
