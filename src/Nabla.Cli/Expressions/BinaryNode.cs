namespace Nabla.Cli.Expressions;

/// <summary>An infix operation <c>left op right</c>; its position is the operator's.</summary>
public sealed class BinaryNode(BinaryOperator op, ExprNode left, ExprNode right, int position) : ExprNode(position)
{
    public BinaryOperator Operator { get; } = op;

    public ExprNode Left { get; } = left;

    public ExprNode Right { get; } = right;

    public override IReadOnlyList<ExprNode> Children => [Left, Right];
}
