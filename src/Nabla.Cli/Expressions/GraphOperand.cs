namespace Nabla.Cli.Expressions;

/// <summary>An input of a graph node: another node (by id) or a constant that needs no gradient.</summary>
public readonly record struct GraphOperand(int? NodeId, double Constant)
{
    public static GraphOperand Node(int id) => new(id, 0);

    public static GraphOperand Const(double value) => new(null, value);
}
