namespace Nabla.Cli.Commands;

/// <summary>A subcommand of <c>nabla</c>: its name, a one-line summary for the top-level help, and its handler.</summary>
/// <param name="Name">What the user types after <c>nabla</c>.</param>
/// <param name="Summary">One line shown by <c>nabla --help</c>.</param>
/// <param name="Run">Runs the command on the arguments that follow its name and returns the exit code.</param>
public sealed record Command(string Name, string Summary, Func<IReadOnlyList<string>, TextWriter, TextWriter, int> Run);
