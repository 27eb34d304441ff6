namespace Nabla.Cli.Expressions;

/// <summary>
/// One node of the autograd graph built for an expression: a variable's leaf tensor or an op's result.
/// </summary>
/// <param name="Id">The node's place in the graph, counted from 0 in topological order (inputs first).</param>
/// <param name="Op">The engine's node name such as <c>MulBackward</c>, or <c>leaf w</c> for variable <c>w</c>.</param>
/// <param name="Tensor">The forward value; after backward its <see cref="Nabla.Tensor.Grad"/> holds the gradient.</param>
/// <param name="Inputs">The operands, left to right.</param>
public sealed record GraphEntry(int Id, string Op, Tensor Tensor, IReadOnlyList<GraphOperand> Inputs);
