using System.Text.Json;
using Nabla.Tests.Ops;

namespace Nabla.Tests.Reference;

/// <summary>
/// Every case of the ops files named by <see cref="OpInfo.ReferenceFiles"/>: forward output, extra outputs and input
/// gradients against PyTorch, each case called through the <see cref="OpInfo"/> row of its op.
/// </summary>
public class OpsConformanceTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in OpInfo.ReferenceFiles)
            foreach (string id in ReferenceData.Cases(file).Keys) data.Add(file, id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Op_MatchesPyTorch(string file, string id)
    {
        JsonElement c = ReferenceData.Cases(file)[id];
        var bound = new ReferenceCase(c);
        OpInfo? row = OpInfo.ForReference(bound.Op);
        Assert.True(row?.Call is not null, $"op '{bound.Op}' has no row in OpInfo that calls Nabla");

        Tensor output = row!.Call!(bound);
        ReferenceData.AssertClose(c.GetProperty("output"), output, $"{id} output");

        // extra_outputs: a second output the call reported (sort's indices), else an input the op updates (batch_norm's buffers).
        if (c.TryGetProperty("extra_outputs", out JsonElement extra) && extra.ValueKind == JsonValueKind.Object)
            foreach (JsonProperty e in extra.EnumerateObject())
            {
                int k = bound.Names.ToList().IndexOf(e.Name);
                Tensor? actual = bound.ExtraOutputs.TryGetValue(e.Name, out Tensor? reported) ? reported : k >= 0 ? bound.Leaves[k] : null;
                ReferenceData.AssertClose(e.Value, actual, $"{id} {e.Name}");
            }

        if (!c.TryGetProperty("grad_output", out JsonElement gradOutput) || gradOutput.ValueKind == JsonValueKind.Null)
        {
            Assert.False(output.RequiresGrad, $"{id}: the reference has no gradient, but the output requires one");
            return;
        }
        if (!output.RequiresGrad) return;
        output.Backward(ReferenceData.ToTensor(gradOutput, honourRequiresGrad: false));
        var grads = c.GetProperty("grads").EnumerateArray().ToList();
        for (int k = 0; k < bound.Leaves.Count; k++)
        {
            if (grads[k].ValueKind == JsonValueKind.Null)
                Assert.True(bound.Leaves[k].Grad is null, $"{id}: input {bound.Names[k]} should get no gradient");
            else
                ReferenceData.AssertClose(grads[k], bound.Leaves[k].Grad, $"{id} grad {bound.Names[k]}");
        }
    }
}
