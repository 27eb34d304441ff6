namespace Nabla.Cli.Commands;

/// <summary>A subcommand of <c>nabla</c>: its name, a one-line summary for the top-level help, and its handler.</summary>
/// <remarks>
/// Note [Help wins]
/// <c>--help</c> or <c>-h</c> anywhere among a command's arguments (before a <c>--</c> that ends the options) prints
/// that command's usage and exits 0, whatever else the arguments hold: <c>nabla plot --bogus --help</c> shows the help,
/// not an error about <c>--bogus</c>. The rule lives here, where every command is registered, so no command parses (and
/// refuses) its options before it sees the request for help: <see cref="Run"/> hands a command the arguments
/// <c>["--help"]</c> alone when help is asked for, and each command prints its usage for those.
/// </remarks>
public sealed record Command
{
    /// <summary>Registers a command; <paramref name="run"/> receives the arguments after its name (see Note [Help wins]).</summary>
    /// <param name="name">What the user types after <c>nabla</c>.</param>
    /// <param name="summary">One line shown by <c>nabla --help</c>.</param>
    /// <param name="run">Runs the command on the arguments that follow its name and returns the exit code.</param>
    public Command(string name, string summary, Func<IReadOnlyList<string>, TextWriter, TextWriter, int> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Name = name;
        Summary = summary;
        Run = (args, stdout, stderr) => run(HelpRequested(args) ? HelpArguments : args, stdout, stderr);
    }

    private static readonly string[] HelpArguments = ["--help"];

    /// <summary>What the user types after <c>nabla</c>.</summary>
    public string Name { get; }

    /// <summary>One line shown by <c>nabla --help</c>.</summary>
    public string Summary { get; }

    /// <summary>Runs the command on the arguments that follow its name and returns the exit code; a request for help wins over every other argument.</summary>
    public Func<IReadOnlyList<string>, TextWriter, TextWriter, int> Run { get; }

    /// <summary>Whether <paramref name="args"/> hold <c>--help</c> or <c>-h</c> before any <c>--</c>.</summary>
    public static bool HelpRequested(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        foreach (string a in args)
        {
            if (a == "--") return false;
            if (a is "--help" or "-h") return true;
        }
        return false;
    }
}
