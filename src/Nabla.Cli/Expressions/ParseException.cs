namespace Nabla.Cli.Expressions;

/// <summary>
/// A mistake in user input (an expression or a <c>--at</c> list) at a known place, with a hint on how to fix it.
/// </summary>
public sealed class ParseException : Exception
{
    public ParseException(string message, int position, string? hint) : base(message)
    {
        Position = position;
        Hint = hint;
    }

    /// <summary>The 0-based index of the offending character in the text that was parsed.</summary>
    public int Position { get; }

    /// <summary>What the user can do about it, or null.</summary>
    public string? Hint { get; }
}
