using System.Text.Json;

namespace Nabla.Tests.Reference;

/// <summary>
/// One case of an ops.jsonl file bound for a call into Nabla: inputs by name (after the <c>attrs.pre</c> transposes),
/// typed attributes by key, and the extra outputs the call reports (reference README, section 2).
/// </summary>
internal sealed class ReferenceCase : Attrs
{
    private readonly List<string> _names = [];
    private readonly List<Tensor> _viewed = [];
    private readonly Dictionary<string, Tensor> _extra = [];

    /// <summary>Binds the case <paramref name="c"/>: each input as a tensor, then the views <c>attrs.pre</c> asks for.</summary>
    public ReferenceCase(JsonElement c)
        : base(c.GetProperty("attrs"), c.GetProperty("id").GetString()!)
    {
        Op = c.GetProperty("op").GetString()!;
        foreach (JsonElement i in c.GetProperty("inputs").EnumerateArray())
        {
            _names.Add(i.GetProperty("name").GetString()!);
            Leaves.Add(ReferenceData.ToTensor(i));
        }
        _viewed.AddRange(Leaves);
        // attrs.pre: replace inputs[k] by transposed (non-contiguous) views before the op.
        if (Json.TryGetProperty("pre", out JsonElement pre))
            foreach (JsonElement p in pre.EnumerateArray())
            {
                int k = p.GetProperty("input").GetInt32();
                int[] dims = p.GetProperty("dims").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                _viewed[k] = _viewed[k].Transpose(dims[0], dims[1]);
            }
    }

    /// <summary>The reference op name, such as <c>add</c>.</summary>
    public string Op { get; }

    /// <summary>The inputs as created from the file, in order: the tensors whose gradients the case checks.</summary>
    public List<Tensor> Leaves { get; } = [];

    /// <summary>The names of the inputs, in order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>The inputs as the op sees them (after <c>attrs.pre</c>), in order: the pieces of <c>cat</c> and <c>stack</c>.</summary>
    public IReadOnlyList<Tensor> Tensors => _viewed;

    /// <summary>The extra outputs the call reported through <see cref="Extra"/>.</summary>
    public IReadOnlyDictionary<string, Tensor> ExtraOutputs => _extra;

    /// <summary>The input named <paramref name="name"/>; the case is malformed without it.</summary>
    public Tensor Input(string name = "input") =>
        Optional(name) ?? throw new InvalidDataException($"{Id}: no input '{name}'");

    /// <summary>The input named <paramref name="name"/>, or null when the case leaves it out (an optional weight or bias).</summary>
    public Tensor? Optional(string name) => _names.IndexOf(name) is var ix and >= 0 ? _viewed[ix] : null;

    /// <summary>Reports a second output of the op (such as the indices of sort), compared with <c>extra_outputs</c>.</summary>
    public void Extra(string name, Tensor value) => _extra[name] = value;
}
