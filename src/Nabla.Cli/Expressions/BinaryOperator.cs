namespace Nabla.Cli.Expressions;

/// <summary>The infix operators <c>+ - * / ^</c>.</summary>
public enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Power,
}
