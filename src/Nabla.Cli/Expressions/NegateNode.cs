namespace Nabla.Cli.Expressions;

/// <summary>Unary minus: <c>-operand</c>.</summary>
public sealed class NegateNode(ExprNode operand, int position) : ExprNode(position)
{
    public ExprNode Operand { get; } = operand;

    public override IReadOnlyList<ExprNode> Children => [Operand];
}
