namespace Nabla.Cli.Expressions;

/// <summary>
/// A recursive-descent parser for scalar expressions.
/// </summary>
/// <remarks>
/// Grammar, loosest binding first:
/// <code>
/// expression := term (('+' | '-') term)*
/// term       := unary (('*' | '/') unary)*
/// unary      := ('-' | '+') unary | power
/// power      := primary ('^' unary)?          right-associative: 2^3^2 = 2^(3^2)
/// primary    := number | name | name '(' expression ')' | '(' expression ')'
/// </code>
/// <c>^</c> binds tighter than unary minus, as in mathematics: <c>-x^2 = -(x^2)</c>, while an exponent
/// may carry its own sign: <c>2^-1 = 0.5</c>. Sums and products are loops, so a long chain such as
/// <c>x+x+...+x</c> costs no stack; only nesting (parentheses, signs, powers) recurses, and it is capped
/// at <see cref="MaxNesting"/> levels.
/// </remarks>
public sealed class Parser
{
    /// <summary>How deeply parentheses, signs, powers and calls may nest.</summary>
    public const int MaxNesting = 200;

    private readonly IReadOnlyList<Token> _tokens;
    private readonly List<ExprNode> _nodes = [];
    private readonly List<VariableNode> _variables = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private int _next;
    private int _depth;

    private Parser(string source) => _tokens = Lexer.Tokenize(source);

    /// <summary>Parses <paramref name="source"/> into a tree.</summary>
    /// <exception cref="ParseException">The text is not a well-formed expression.</exception>
    public static ParsedExpression Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var parser = new Parser(source);
        if (parser.Peek.Kind == TokenKind.End)
            throw new ParseException("empty expression at position 1", 0, "write an expression such as \"x^2 + 1\"");
        parser.ParseExpression();
        Token end = parser.Peek;
        if (end.Kind != TokenKind.End)
            throw end.Kind == TokenKind.RightParen
                ? new ParseException($"unmatched ')' at position {end.Position + 1}", end.Position, "remove it, or add the '(' it closes")
                : Unexpected(end, "expected an operator");
        return new ParsedExpression(source, parser._nodes, parser._variables);
    }

    private Token Peek => _tokens[_next];

    private Token Advance() => _tokens[_next++];

    private T Add<T>(T node) where T : ExprNode
    {
        node.Index = _nodes.Count;
        _nodes.Add(node);
        return node;
    }

    private ExprNode ParseExpression()
    {
        ExprNode left = ParseTerm();
        while (Peek.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            Token op = Advance();
            ExprNode right = ParseTerm();
            left = Add(new BinaryNode(op.Kind == TokenKind.Plus ? BinaryOperator.Add : BinaryOperator.Subtract, left, right, op.Position));
        }
        return left;
    }

    private ExprNode ParseTerm()
    {
        ExprNode left = ParseUnary();
        while (Peek.Kind is TokenKind.Star or TokenKind.Slash)
        {
            Token op = Advance();
            ExprNode right = ParseUnary();
            left = Add(new BinaryNode(op.Kind == TokenKind.Star ? BinaryOperator.Multiply : BinaryOperator.Divide, left, right, op.Position));
        }
        return left;
    }

    private ExprNode ParseUnary()
    {
        if (++_depth > MaxNesting)
            throw new ParseException($"expression nested too deeply at position {Peek.Position + 1}", Peek.Position,
                $"at most {MaxNesting} levels of parentheses, signs and powers may nest; simplify the expression");
        try
        {
            if (Peek.Kind == TokenKind.Minus)
            {
                Token minus = Advance();
                ExprNode operand = ParseUnary();
                return Add(new NegateNode(operand, minus.Position));
            }
            if (Peek.Kind == TokenKind.Plus)
            {
                Advance();
                return ParseUnary();
            }
            return ParsePower();
        }
        finally
        {
            _depth--;
        }
    }

    private ExprNode ParsePower()
    {
        ExprNode bas = ParsePrimary();
        if (Peek.Kind != TokenKind.Caret) return bas;
        Token caret = Advance();
        ExprNode exponent = ParseUnary();
        return Add(new BinaryNode(BinaryOperator.Power, bas, exponent, caret.Position));
    }

    private ExprNode ParsePrimary()
    {
        Token t = Peek;
        switch (t.Kind)
        {
            case TokenKind.Number:
                Advance();
                return Add(new NumberNode(t.Value, t.Position));
            case TokenKind.Identifier:
                Advance();
                return Peek.Kind == TokenKind.LeftParen ? ParseCall(t) : Variable(t);
            case TokenKind.LeftParen:
                Advance();
                ExprNode inner = ParseExpression();
                ExpectClose(t, "");
                return inner;
            case TokenKind.End:
                throw new ParseException(
                    $"expression ends too early at position {t.Position + 1}; expected a number, variable, function or '('", t.Position,
                    "complete the expression after the last operator");
            default:
                throw Unexpected(t, "expected a number, variable, function or '('");
        }
    }

    private VariableNode Variable(Token name)
    {
        if (MathFunctions.IsFunctionName(name.Text))
            throw new ParseException($"function '{name.Text}' at position {name.Position + 1} needs an argument", name.Position,
                $"call it with parentheses, as in {name.Text}(x)");
        var node = Add(new VariableNode(name.Text, name.Position));
        if (_seen.Add(name.Text)) _variables.Add(node);
        return node;
    }

    private CallNode ParseCall(Token name)
    {
        if (!MathFunctions.TryGet(name.Text, out MathFunction function))
        {
            string? suggestion = MathFunctions.Suggest(name.Text);
            throw new ParseException($"unknown function '{name.Text}' at position {name.Position + 1}", name.Position,
                suggestion is not null ? $"did you mean '{suggestion}'?"
                    : $"available functions: {MathFunctions.NameList}; to multiply, write {name.Text}*(...)");
        }
        Token open = Advance();
        if (Peek.Kind == TokenKind.RightParen)
            throw new ParseException($"function '{name.Text}' at position {name.Position + 1} is missing its argument before the ')' at position {Peek.Position + 1}", Peek.Position,
                $"write {name.Text}(x)");
        ExprNode argument = ParseExpression();
        ExpectClose(open, name.Text);
        return Add(new CallNode(function, argument, name.Position));
    }

    private void ExpectClose(Token open, string function)
    {
        Token t = Peek;
        if (t.Kind == TokenKind.RightParen)
        {
            Advance();
            return;
        }
        if (t.Kind == TokenKind.End)
            throw new ParseException($"missing ')' at position {t.Position + 1} to close the '(' at position {open.Position + 1}", t.Position,
                "add the closing parenthesis");
        if (t.Kind == TokenKind.Comma && function.Length > 0)
            throw new ParseException($"function '{function}' takes one argument; unexpected ',' at position {t.Position + 1}", t.Position,
                $"every function ({MathFunctions.NameList}) takes exactly one argument");
        throw Unexpected(t, "expected an operator or ')'");
    }

    private static ParseException Unexpected(Token t, string expected)
    {
        bool operandAfterOperand = t.Kind is TokenKind.Number or TokenKind.Identifier or TokenKind.LeftParen
            && expected.StartsWith("expected an operator", StringComparison.Ordinal);
        string hint = operandAfterOperand ? "write multiplication explicitly, as in 2*x"
            : t.Kind switch
            {
                TokenKind.Comma => "functions take one argument, so an expression has no commas",
                TokenKind.Star or TokenKind.Slash or TokenKind.Caret => $"'{t.Text}' needs an operand on each side",
                TokenKind.RightParen => "parentheses must enclose an expression",
                _ => $"check the expression near position {t.Position + 1}",
            };
        return new ParseException($"unexpected {t.Describe()} at position {t.Position + 1}; {expected}", t.Position, hint);
    }
}
