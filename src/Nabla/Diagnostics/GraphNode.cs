namespace Nabla.Diagnostics;

/// <summary>One node of a <see cref="ComputationGraph"/>.</summary>
/// <param name="Id">The node's position in <see cref="ComputationGraph.Nodes"/> (inputs come before the ops that read them).</param>
/// <param name="Label">The op's backward node name (<c>MulBackward</c>) or the leaf's name (<c>0.weight</c>, <c>x</c>).</param>
/// <param name="Kind">Op, input leaf or parameter.</param>
/// <param name="Shape">The shape of the tensor the node produces (or of the leaf).</param>
/// <param name="DType">Its dtype.</param>
/// <param name="Inputs">The ids of the nodes whose results this op reads, one per differentiable input, in input order.</param>
/// <param name="Group">The module that computed it (<c>0</c>, <c>features.3</c>), or null.</param>
/// <param name="Tensor">The tensor itself when known (leaves, the output, tensors that called <see cref="Nabla.Tensor.RetainGrad"/>, module outputs), else null.</param>
/// <param name="IsOutput">True for the node of the graph's output.</param>
public sealed record GraphNode(int Id, string Label, GraphNodeKind Kind, Shape Shape, DType DType, IReadOnlyList<int> Inputs,
    string? Group, Tensor? Tensor, bool IsOutput);
