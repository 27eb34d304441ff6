using System.Text.Json;
using Nabla.NN;

namespace Nabla.Tests.Reference;

/// <summary>
/// Every <c>MultiheadAttention</c>, <c>TransformerEncoderLayer</c> and <c>TransformerDecoderLayer</c> case of
/// <c>seq/modules.jsonl</c> (reference README, section 3): built from its config, loaded from its state dict by name, one
/// forward and one backward, every output, input gradient and parameter gradient against PyTorch 1.13 (float64, the
/// README's module tolerances).
/// </summary>
public class AttentionConformanceTests
{
    private const string File = "seq/modules.jsonl";
    private const double Rtol = 1e-7, Atol = 1e-9;
    private static readonly string[] Modules = ["MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer"];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var (id, c) in ReferenceData.Cases(File))
            if (Modules.Contains(c.GetProperty("module").GetString())) data.Add(id);
        return data;
    }

    [Fact]
    public void Cases_AllFourteenAttentionModuleCases_ArePresent()
    {
        var counts = Modules.ToDictionary(m => m, m => ReferenceData.Cases(File).Values.Count(c => c.GetProperty("module").GetString() == m));
        Assert.Equal(6, counts["MultiheadAttention"]);
        Assert.Equal(4, counts["TransformerEncoderLayer"]);
        Assert.Equal(4, counts["TransformerDecoderLayer"]);
        Assert.Equal(14, Cases().Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Module_ForwardAndBackward_MatchPyTorch(string id)
    {
        JsonElement c = ReferenceData.Cases(File)[id];
        JsonElement cfg = c.GetProperty("config");
        Assert.Equal(0.0, cfg.GetProperty("dropout").GetDouble());
        ModuleBase module = Build(c.GetProperty("module").GetString()!, cfg);

        var state = new Dictionary<string, Tensor>();
        foreach (JsonElement p in c.GetProperty("state_dict").EnumerateArray())
            state[p.GetProperty("name").GetString()!] = ReferenceData.ToTensor(p, honourRequiresGrad: false);
        Assert.Equal(state.Keys, module.StateDict().Keys);
        module.LoadStateDict(state);
        module.Train(c.GetProperty("mode").GetString() == "train");

        var inputs = new Dictionary<string, Tensor>();
        foreach (JsonElement t in c.GetProperty("inputs").EnumerateArray()) inputs[t.GetProperty("name").GetString()!] = ReferenceData.ToTensor(t);
        Tensor? In(string name) => inputs.GetValueOrDefault(name);
        Tensor[] outputs = module switch
        {
            MultiheadAttention mha => Outputs(mha.Forward(In("query")!, In("key")!, In("value")!, In("key_padding_mask"),
                c.GetProperty("attrs").GetProperty("need_weights").GetBoolean(), In("attn_mask"),
                c.GetProperty("attrs").GetProperty("average_attn_weights").GetBoolean())),
            TransformerEncoderLayer enc => [enc.Forward(In("src")!, In("src_mask"), In("src_key_padding_mask"))],
            TransformerDecoderLayer dec => [dec.Forward(In("tgt")!, In("memory")!, In("tgt_mask"), In("memory_mask"),
                In("tgt_key_padding_mask"), In("memory_key_padding_mask"))],
            _ => throw new InvalidDataException(id),
        };

        JsonElement[] expected = [.. c.GetProperty("outputs").EnumerateArray()];
        Assert.Equal(expected.Length, outputs.Length);
        Tensor? objective = null;
        JsonElement[] upstream = [.. c.GetProperty("grad_outputs").EnumerateArray()];
        for (int k = 0; k < outputs.Length; k++)
        {
            ReferenceData.AssertClose(expected[k], outputs[k], $"{id} {expected[k].GetProperty("name").GetString()}", Rtol, Atol);
            Tensor term = (outputs[k] * ReferenceData.ToTensor(upstream[k], honourRequiresGrad: false)).Sum();
            objective = objective is null ? term : objective + term;
        }
        objective!.Backward();

        foreach (JsonElement g in c.GetProperty("input_grads").EnumerateArray())
            if (g.ValueKind != JsonValueKind.Null)
                ReferenceData.AssertClose(g, inputs[g.GetProperty("name").GetString()!].Grad, $"{id} grad of {g.GetProperty("name").GetString()}", Rtol, Atol);
        var parameters = module.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        JsonElement[] paramGrads = [.. c.GetProperty("param_grads").EnumerateArray()];
        Assert.Equal(state.Count, paramGrads.Length);
        foreach (JsonElement g in paramGrads)
            ReferenceData.AssertClose(g, parameters[g.GetProperty("name").GetString()!].Grad, $"{id} grad of {g.GetProperty("name").GetString()}", Rtol, Atol);
    }

    private static Tensor[] Outputs((Tensor Output, Tensor? Weights) result) => result.Weights is null ? [result.Output] : [result.Output, result.Weights];

    private static int? OptionalInt(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();

    private static ModuleBase Build(string module, JsonElement cfg)
    {
        if (module == "MultiheadAttention")
        {
            Assert.False(cfg.GetProperty("add_bias_kv").GetBoolean());
            Assert.False(cfg.GetProperty("add_zero_attn").GetBoolean());
            return new MultiheadAttention(cfg.GetProperty("embed_dim").GetInt32(), cfg.GetProperty("num_heads").GetInt32(),
                cfg.GetProperty("dropout").GetDouble(), cfg.GetProperty("bias").GetBoolean(), OptionalInt(cfg.GetProperty("kdim")),
                OptionalInt(cfg.GetProperty("vdim")), cfg.GetProperty("batch_first").GetBoolean(), DType.Float64);
        }
        int dModel = cfg.GetProperty("d_model").GetInt32(), nhead = cfg.GetProperty("nhead").GetInt32(), ff = cfg.GetProperty("dim_feedforward").GetInt32();
        double dropout = cfg.GetProperty("dropout").GetDouble(), eps = cfg.GetProperty("layer_norm_eps").GetDouble();
        var activation = cfg.GetProperty("activation").GetString() switch
        {
            "relu" => TransformerActivation.Relu,
            "gelu" => TransformerActivation.Gelu,
            var other => throw new InvalidDataException($"activation {other}"),
        };
        bool batchFirst = cfg.GetProperty("batch_first").GetBoolean(), normFirst = cfg.GetProperty("norm_first").GetBoolean();
        return module == "TransformerEncoderLayer"
            ? new TransformerEncoderLayer(dModel, nhead, ff, dropout, activation, eps, batchFirst, normFirst, DType.Float64)
            : new TransformerDecoderLayer(dModel, nhead, ff, dropout, activation, eps, batchFirst, normFirst, DType.Float64);
    }
}
