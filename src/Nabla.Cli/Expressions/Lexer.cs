using System.Globalization;

namespace Nabla.Cli.Expressions;

/// <summary>Splits an expression into tokens: numbers, identifiers, <c>+ - * / ^ ( ) ,</c>; spaces separate.</summary>
public static class Lexer
{
    /// <summary>The tokens of <paramref name="text"/>, ending with one <see cref="TokenKind.End"/> token.</summary>
    /// <exception cref="ParseException">A character that cannot start a token, or a malformed number.</exception>
    public static IReadOnlyList<Token> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<Token>();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(ReadNumber(text, ref i));
                continue;
            }
            if (IsIdentifierStart(c))
            {
                int start = i;
                while (i < text.Length && IsIdentifierPart(text[i])) i++;
                tokens.Add(new Token(TokenKind.Identifier, text[start..i], start));
                continue;
            }
            TokenKind kind = c switch
            {
                '+' => TokenKind.Plus,
                '-' => TokenKind.Minus,
                '*' => TokenKind.Star,
                '/' => TokenKind.Slash,
                '^' => TokenKind.Caret,
                '(' => TokenKind.LeftParen,
                ')' => TokenKind.RightParen,
                ',' => TokenKind.Comma,
                _ => throw new ParseException($"unexpected character {Describe(c)} at position {i + 1}", i,
                    "expressions use numbers, variables, + - * / ^, parentheses and the functions " + MathFunctions.NameList),
            };
            tokens.Add(new Token(kind, c.ToString(), i));
            i++;
        }
        tokens.Add(new Token(TokenKind.End, "", text.Length));
        return tokens;
    }

    /// <summary>Whether <paramref name="name"/> is a valid variable or function name.</summary>
    public static bool IsIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || !IsIdentifierStart(name[0])) return false;
        foreach (char c in name.AsSpan(1))
            if (!IsIdentifierPart(c)) return false;
        return true;
    }

    // A character as an error message shows it: quoted, or as U+XXXX when it is invisible or half a surrogate pair.
    private static string Describe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    // digits [ '.' digits ] [ ('e'|'E') ['+'|'-'] digits ], or '.' digits [exponent]
    private static Token ReadNumber(string text, ref int i)
    {
        int start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            int mark = i++;
            if (i < text.Length && (text[i] == '+' || text[i] == '-')) i++;
            if (i >= text.Length || !char.IsAsciiDigit(text[i]))
            {
                // Swallow the rest of the would-be number so the message shows all of it.
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '.')) i++;
                throw new ParseException($"malformed number '{text[start..i]}' at position {start + 1}", start,
                    $"an exponent needs digits, as in {text[start..mark]}e-3");
            }
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && text[i] == '.')
            throw new ParseException($"malformed number '{text[start..(i + 1)]}' at position {start + 1}", start,
                "a number has at most one decimal point");
        string literal = text[start..i];
        double value = double.Parse(literal, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (double.IsInfinity(value))
            throw new ParseException($"number '{literal}' at position {start + 1} is too large for float64", start,
                "the largest float64 is about 1.8e308");
        return new Token(TokenKind.Number, literal, start, value);
    }
}
