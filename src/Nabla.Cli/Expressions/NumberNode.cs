namespace Nabla.Cli.Expressions;

/// <summary>A numeric literal such as <c>3</c>, <c>0.5</c> or <c>1e-3</c>.</summary>
public sealed class NumberNode(double value, int position) : ExprNode(position)
{
    public double Value { get; } = value;

    public override IReadOnlyList<ExprNode> Children => [];
}
