namespace Nabla.Cli.Commands;

/// <summary>One <c>name=value</c> pair of a <c>--at</c> list, with where it was written (for messages).</summary>
/// <param name="Source">The whole <c>--at</c> argument the pair came from.</param>
/// <param name="Position">The 0-based index of the name in <paramref name="Source"/>.</param>
public sealed record Assignment(string Name, double Value, string Source, int Position);
