namespace Nabla.Cli.Expressions;

/// <summary>A named scalar input, such as <c>w</c>; its value comes from <c>--at</c>.</summary>
public sealed class VariableNode(string name, int position) : ExprNode(position)
{
    public string Name { get; } = name;

    public override IReadOnlyList<ExprNode> Children => [];
}
