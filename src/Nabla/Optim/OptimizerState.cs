namespace Nabla.Optim;

/// <summary>
/// A snapshot of an optimizer's state in a plain form a checkpoint writer can serialise: named tensors and
/// named numbers.
/// </summary>
/// <remarks>
/// <para>Parameters are numbered 0, 1, ... in order across the param groups (PyTorch's packing).
/// Keys:</para>
/// <list type="bullet">
/// <item><description><see cref="Tensors"/>: <c>state.{paramIndex}.{buffer}</c>, e.g. <c>state.0.expAvg</c>.</description></item>
/// <item><description><see cref="Scalars"/>: <c>state.{paramIndex}.step</c> (update count);
/// <c>paramGroups.count</c>; <c>paramGroups.{group}.params</c> (number of parameters in the group);
/// <c>paramGroups.{group}.{option}</c> for every hyper-parameter of the group (see <see cref="ParamGroup"/>).</description></item>
/// </list>
/// <para>The tensors are copies: training on after <see cref="Optimizer.StateDict"/> does not change them.</para>
/// </remarks>
public sealed class OptimizerState
{
    /// <summary>The per-parameter buffers, by key.</summary>
    public IDictionary<string, Tensor> Tensors { get; } = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);

    /// <summary>The step counts and group hyper-parameters, by key.</summary>
    public IDictionary<string, double> Scalars { get; } = new SortedDictionary<string, double>(StringComparer.Ordinal);
}
