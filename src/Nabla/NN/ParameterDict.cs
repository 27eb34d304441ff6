using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Nabla.NN;

/// <summary>
/// Parameters by name in insertion order, as PyTorch's <c>nn.ParameterDict</c>: held in a module as <c>bias</c>,
/// <c>bias["en"]</c> is <c>bias.en</c> in the state dict.
/// </summary>
/// <remarks>Keys are registration names: non-empty, without '.'. Adding a tensor registers it as a parameter (a leaf with
/// <see cref="Tensor.RequiresGrad"/> set).</remarks>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "PyTorch's name")]
public sealed class ParameterDict : ModuleBase, IReadOnlyDictionary<string, Tensor>
{
    /// <summary>Creates an empty dictionary.</summary>
    public ParameterDict() { }

    /// <summary>Creates the dictionary with <paramref name="parameters"/>, in order.</summary>
    public ParameterDict(IEnumerable<KeyValuePair<string, Tensor>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        foreach (var (key, p) in parameters) Add(key, p);
    }

    /// <summary>The number of parameters.</summary>
    public int Count => ParameterEntries.Count;

    /// <summary>The parameter under <paramref name="key"/>; setting it adds it or registers the new tensor under that name.</summary>
    /// <exception cref="KeyNotFoundException">Getting a key that is not there.</exception>
    public Tensor this[string key]
    {
        get => TryGetValue(key, out Tensor? p) ? p : throw new KeyNotFoundException($"ParameterDict: no parameter named '{key}'; the keys are {string.Join(", ", Keys.Select(k => $"'{k}'"))}");
        set => SetParameter(CheckKey(key), value);
    }

    /// <summary>The keys in insertion order.</summary>
    public IEnumerable<string> Keys => ParameterEntries.Select(e => e.Key);

    /// <summary>The parameters in insertion order.</summary>
    public IEnumerable<Tensor> Values => ParameterEntries.Select(e => e.Value);

    /// <summary>Registers a parameter under a new key and returns the registered tensor.</summary>
    /// <exception cref="ArgumentException">The key is taken or invalid.</exception>
    public Tensor Add(string key, Tensor parameter) => RegisterParameter(CheckKey(key), parameter);

    /// <summary>Removes the parameter under <paramref name="key"/> (PyTorch's <c>pop</c>); false when there is none.</summary>
    public bool Remove(string key) => RemoveEntry(key);

    /// <summary>Whether a parameter is registered under <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => ParameterEntries.Any(e => e.Key == key);

    /// <summary>The parameter under <paramref name="key"/>, if any.</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out Tensor value)
    {
        value = ParameterEntries.FirstOrDefault(e => e.Key == key).Value;
        return value is not null;
    }

    /// <summary>Enumerates (key, parameter) pairs in insertion order.</summary>
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => ParameterEntries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>PyTorch 1.13's listing: <c>(x): Parameter containing: [torch.FloatTensor of size 3]</c>.</summary>
    protected override string ExtraRepr() =>
        string.Join("\n", ParameterEntries.Select(e => $"  ({e.Key}): Parameter containing: [torch.{LegacyTypeName(e.Value.DType)} of size {string.Join("x", e.Value.Shape.ToArray())}]"));

    private static string LegacyTypeName(DType dtype) => dtype switch
    {
        DType.Float32 => "FloatTensor",
        DType.Float64 => "DoubleTensor",
        DType.Int64 => "LongTensor",
        _ => "BoolTensor",
    };

    private string CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        CheckName(key, GetType());
        return key;
    }
}
