namespace Nabla.Cli.Expressions;

/// <summary>A function call such as <c>exp(x)</c>; its position is the function name's.</summary>
public sealed class CallNode(MathFunction function, ExprNode argument, int position) : ExprNode(position)
{
    public MathFunction Function { get; } = function;

    public ExprNode Argument { get; } = argument;

    public override IReadOnlyList<ExprNode> Children => [Argument];
}
