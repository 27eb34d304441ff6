using System.Collections;
using System.Globalization;

namespace Nabla.NN;

/// <summary>
/// A list of parameters named by position (<c>0</c>, <c>1</c>, ...), as PyTorch's <c>nn.ParameterList</c>: held in a
/// module as <c>scales</c>, they are <c>scales.0</c>, <c>scales.1</c> in the state dict.
/// </summary>
/// <remarks>Adding a tensor registers it as a parameter: a leaf (a tensor produced by an op is detached) with
/// <see cref="Tensor.RequiresGrad"/> set. Negative indices count from the end.</remarks>
public sealed class ParameterList : ModuleBase, IReadOnlyList<Tensor>
{
    /// <summary>Creates the list with <paramref name="parameters"/>.</summary>
    public ParameterList(params Tensor[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (Tensor p in parameters) Add(p);
    }

    /// <summary>The number of parameters.</summary>
    public int Count => ParameterEntries.Count;

    /// <summary>The parameter at <paramref name="index"/>; setting it registers the new tensor under the same name.</summary>
    public Tensor this[int index]
    {
        get => ParameterEntries[Normalize(index)].Value;
        set => SetParameter(Normalize(index).ToString(CultureInfo.InvariantCulture), value);
    }

    /// <summary>Appends a parameter (PyTorch's <c>append</c>) and returns the registered tensor.</summary>
    public Tensor Add(Tensor parameter) => RegisterParameter(Count.ToString(CultureInfo.InvariantCulture), parameter);

    /// <summary>Enumerates the parameters in order.</summary>
    public IEnumerator<Tensor> GetEnumerator() => ParameterEntries.Select(e => e.Value).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>PyTorch 1.13's listing: <c>(0): Parameter containing: [torch.float32 of size 3x4]</c>.</summary>
    protected override string ExtraRepr() =>
        string.Join("\n", ParameterEntries.Select(e => $"  ({e.Key}): Parameter containing: [torch.{e.Value.DType.Name()} of size {string.Join("x", e.Value.Shape.ToArray())}]"));

    private int Normalize(int index)
    {
        int i = index < 0 ? index + Count : index;
        return (uint)i < (uint)Count ? i
            : throw new ArgumentOutOfRangeException(nameof(index), $"ParameterList: index {index} is out of range for a list of {Count} parameters");
    }
}
