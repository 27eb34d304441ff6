namespace Nabla.Cli.Expressions;

/// <summary>The result of parsing: the tree, its nodes in evaluation order, and the variables it reads.</summary>
public sealed class ParsedExpression
{
    internal ParsedExpression(string source, IReadOnlyList<ExprNode> nodes, IReadOnlyList<VariableNode> variables)
    {
        Source = source;
        Nodes = nodes;
        Variables = variables;
    }

    /// <summary>The text that was parsed.</summary>
    public string Source { get; }

    /// <summary>The root of the tree (the last of <see cref="Nodes"/>).</summary>
    public ExprNode Root => Nodes[^1];

    /// <summary>
    /// Every node with its children before it (post-order), so evaluation is one loop with no recursion
    /// however long the expression is.
    /// </summary>
    public IReadOnlyList<ExprNode> Nodes { get; }

    /// <summary>The first occurrence of each distinct variable, in order of position.</summary>
    public IReadOnlyList<VariableNode> Variables { get; }
}
