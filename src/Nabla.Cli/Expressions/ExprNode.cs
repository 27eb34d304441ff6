namespace Nabla.Cli.Expressions;

/// <summary>
/// A node of a parsed expression. Nodes are plain classes (not records) so that equality and hashing
/// stay by reference and never walk a deep tree.
/// </summary>
public abstract class ExprNode
{
    private protected ExprNode(int position) => Position = position;

    /// <summary>The 0-based index in the source of the character this node starts at (its operator for a binary node).</summary>
    public int Position { get; }

    /// <summary>This node's place in <see cref="ParsedExpression.Nodes"/>, which lists children before parents.</summary>
    public int Index { get; internal set; } = -1;

    /// <summary>The operands of this node, left to right.</summary>
    public abstract IReadOnlyList<ExprNode> Children { get; }
}
