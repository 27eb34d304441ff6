namespace Nabla.Cli.Expressions;

/// <summary>The one-argument functions an expression may call.</summary>
public enum MathFunction
{
    Exp,
    Log,
    Sqrt,
    Tanh,
    Sigmoid,
    Relu,
}
