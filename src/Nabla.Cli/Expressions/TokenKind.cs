namespace Nabla.Cli.Expressions;

/// <summary>The kinds of token an expression is made of.</summary>
public enum TokenKind
{
    Number,
    Identifier,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    LeftParen,
    RightParen,
    Comma,
    End,
}
