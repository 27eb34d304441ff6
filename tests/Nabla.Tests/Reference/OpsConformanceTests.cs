using System.Text.Json;

namespace Nabla.Tests.Reference;

/// <summary>Every case of ops.jsonl: forward output, extra outputs and input gradients against PyTorch.</summary>
public class OpsConformanceTests
{
    public static TheoryData<string> Cases() => ReferenceData.Ids("ops.jsonl");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Op_MatchesPyTorch(string id)
    {
        JsonElement c = ReferenceData.Cases("ops.jsonl")[id];
        string op = c.GetProperty("op").GetString()!;
        Assert.True(ReferenceOps.Table.TryGetValue(op, out var f), $"op '{op}' has no mapping to Nabla");

        var byName = new Dictionary<string, Tensor>();
        var ordered = new List<Tensor>();
        foreach (JsonElement i in c.GetProperty("inputs").EnumerateArray())
        {
            Tensor t = ReferenceData.ToTensor(i);
            byName[i.GetProperty("name").GetString()!] = t;
            ordered.Add(t);
        }
        var attrs = c.GetProperty("attrs");
        // attrs.pre: replace inputs[k] by transposed (non-contiguous) views before the op.
        var viewed = new List<Tensor>(ordered);
        if (attrs.TryGetProperty("pre", out JsonElement pre))
            foreach (JsonElement p in pre.EnumerateArray())
            {
                int k = p.GetProperty("input").GetInt32();
                int[] dims = p.GetProperty("dims").EnumerateArray().Select(e => e.GetInt32()).ToArray();
                viewed[k] = viewed[k].Transpose(dims[0], dims[1]);
            }
        var names = c.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToList();
        Tensor Input(string name) => viewed[names.IndexOf(name) is var ix and >= 0 ? ix : throw new InvalidDataException($"{id}: no input '{name}'")];
        Tensor? Optional(string name) => names.IndexOf(name) is var ix and >= 0 ? viewed[ix] : null;

        Tensor output = f(Input, Optional, viewed, new Attrs(attrs));
        ReferenceData.AssertClose(c.GetProperty("output"), output, $"{id} output");

        if (c.TryGetProperty("extra_outputs", out JsonElement extra) && extra.ValueKind == JsonValueKind.Object)
            foreach (JsonProperty e in extra.EnumerateObject())
                ReferenceData.AssertClose(e.Value, byName[e.Name], $"{id} {e.Name}");

        if (!output.RequiresGrad) return;
        output.Backward(ReferenceData.ToTensor(c.GetProperty("grad_output"), honourRequiresGrad: false));
        var grads = c.GetProperty("grads").EnumerateArray().ToList();
        for (int k = 0; k < ordered.Count; k++)
        {
            if (grads[k].ValueKind == JsonValueKind.Null)
                Assert.True(ordered[k].Grad is null, $"{id}: input {names[k]} should get no gradient");
            else
                ReferenceData.AssertClose(grads[k], ordered[k].Grad, $"{id} grad {names[k]}");
        }
    }
}
