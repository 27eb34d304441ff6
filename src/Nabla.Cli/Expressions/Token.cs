namespace Nabla.Cli.Expressions;

/// <summary>One token of an expression.</summary>
/// <param name="Position">The 0-based index of the token's first character in the source.</param>
/// <param name="Value">The parsed value of a <see cref="TokenKind.Number"/> token; 0 for the others.</param>
public readonly record struct Token(TokenKind Kind, string Text, int Position, double Value = 0)
{
    /// <summary>How the token reads in an error message.</summary>
    public string Describe() => Kind == TokenKind.End ? "end of expression" : $"'{Text}'";
}
