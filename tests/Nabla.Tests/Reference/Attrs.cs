using System.Text.Json;

namespace Nabla.Tests.Reference;

/// <summary>Typed access to a reference case's <c>attrs</c> object; a missing attribute is an error naming the case.</summary>
/// <param name="json">The <c>attrs</c> object.</param>
/// <param name="id">The case's id, for error messages.</param>
internal class Attrs(JsonElement json, string id = "")
{
    /// <summary>The case's id, such as <c>add/02_3x1x4-2x4</c>.</summary>
    public string Id { get; } = id;

    /// <summary>The <c>attrs</c> object.</summary>
    protected JsonElement Json { get; } = json;

    /// <summary>True when the attribute is present and not null.</summary>
    public bool Has(string key) => Json.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    private JsonElement Get(string key) => Json.TryGetProperty(key, out var v)
        ? v
        : throw new InvalidDataException($"{Id}: attribute '{key}' missing");

    /// <summary>A float attribute.</summary>
    public double Double(string key) => Get(key).GetDouble();

    /// <summary>A float attribute that may be null.</summary>
    public double? OptDouble(string key) => Has(key) ? Get(key).GetDouble() : null;

    /// <summary>An int attribute.</summary>
    public int Int(string key) => Get(key).GetInt32();

    /// <summary>An int attribute that may be null.</summary>
    public int? OptInt(string key) => Has(key) ? Get(key).GetInt32() : null;

    /// <summary>A bool attribute.</summary>
    public bool Bool(string key) => Get(key).GetBoolean();

    /// <summary>A string attribute.</summary>
    public string String(string key) => Get(key).GetString()!;

    /// <summary>An int attribute read as a long (indices such as ignore_index).</summary>
    public long Long(string key) => Get(key).GetInt64();

    /// <summary>A 2-D attribute given as [h, w] or as one int for both.</summary>
    public int[] Pair(string key)
    {
        int[] v = Ints(key);
        return v.Length == 1 ? [v[0], v[0]] : v;
    }

    /// <summary>The <c>reduction</c> attribute.</summary>
    public Nabla.Reduction Reduction() => String("reduction") switch
    {
        "mean" => Nabla.Reduction.Mean,
        "sum" => Nabla.Reduction.Sum,
        "none" => Nabla.Reduction.None,
        var r => throw new InvalidDataException($"{Id}: unknown reduction {r}"),
    };

    /// <summary>An attribute given as an int or a list of ints.</summary>
    public int[] Ints(string key)
    {
        JsonElement v = Get(key);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetInt32()).ToArray() : [v.GetInt32()];
    }

    /// <summary>True when the attribute is a list (an int and a one-element list can mean different things, as in split).</summary>
    public bool IsList(string key) => Get(key).ValueKind == JsonValueKind.Array;

    /// <summary>An attribute given as a float or a list of floats.</summary>
    public double[] Doubles(string key)
    {
        JsonElement v = Get(key);
        return v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetDouble()).ToArray() : [v.GetDouble()];
    }

    /// <summary>A dim attribute that may be null (all dims), an int or a list of ints.</summary>
    public int[]? Dims(string key) => Has(key) ? Ints(key) : null;
}
