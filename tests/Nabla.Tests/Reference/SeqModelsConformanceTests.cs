using System.Text.Json;
using Nabla.Models;
using Nabla.NN;

namespace Nabla.Tests.Reference;

/// <summary>
/// Every case of seq/models.jsonl (reference README section 4): nanoGPT (<c>gpt</c>) and the character LSTM
/// (<c>char_lstm</c>) in float64, one forward and backward with cross-entropy; logits, loss and every parameter gradient
/// within the models tolerance (rtol 1e-7, atol 1e-9).
/// </summary>
public class SeqModelsConformanceTests
{
    private const string File = "seq/models.jsonl";
    private const double Rtol = 1e-7, Atol = 1e-9;

    public static TheoryData<string> GptCases() => CasesOf("gpt");

    public static TheoryData<string> CharLstmCases() => CasesOf("char_lstm");

    private static TheoryData<string> CasesOf(string model)
    {
        var data = new TheoryData<string>();
        foreach (var (id, c) in ReferenceData.Cases(File))
            if (c.GetProperty("model").GetString() == model) data.Add(id);
        return data;
    }

    [Fact]
    public void ModelsFile_EveryCase_IsAGptOrCharLstmCaseRunHere()
    {
        var kinds = ReferenceData.Cases(File).Values.GroupBy(c => c.GetProperty("model").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(2, kinds["gpt"]);
        Assert.Equal(2, kinds["char_lstm"]);
        Assert.Equal(["char_lstm", "gpt"], kinds.Keys.Order());
    }

    private static GptConfig Config(JsonElement c)
    {
        JsonElement cfg = c.GetProperty("config");
        return new GptConfig(cfg.GetProperty("vocab_size").GetInt32(), cfg.GetProperty("block_size").GetInt32(),
            cfg.GetProperty("n_layer").GetInt32(), cfg.GetProperty("n_head").GetInt32(), cfg.GetProperty("n_embd").GetInt32(),
            cfg.GetProperty("dropout").GetDouble(), cfg.GetProperty("bias").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(GptCases))]
    public void Gpt_ForwardAndBackward_MatchPyTorch(string id) => Check(id, new Gpt(Config(ReferenceData.Cases(File)[id]), DType.Float64));

    [Theory]
    [MemberData(nameof(CharLstmCases))]
    public void CharLstm_ForwardAndBackward_MatchPyTorch(string id)
    {
        JsonElement cfg = ReferenceData.Cases(File)[id].GetProperty("config");
        Check(id, new CharLstm(new CharLstmConfig(cfg.GetProperty("vocab_size").GetInt32(), cfg.GetProperty("embed_dim").GetInt32(),
            cfg.GetProperty("hidden_size").GetInt32(), cfg.GetProperty("num_layers").GetInt32()), DType.Float64));
    }

    private static void Check(string id, Module model)
    {
        JsonElement c = ReferenceData.Cases(File)[id];
        var state = new Dictionary<string, Tensor>();
        string[] order = c.GetProperty("params").EnumerateArray().Select(p => p.GetProperty("name").GetString()!).ToArray();
        foreach (JsonElement p in c.GetProperty("params").EnumerateArray())
            state[p.GetProperty("name").GetString()!] = ReferenceData.ToTensor(p, honourRequiresGrad: false);
        model.LoadStateDict(state);
        model.Train(c.GetProperty("mode").GetString() == "train");
        Assert.Equal(order, model.NamedParameters().Select(p => p.Name));

        Tensor input = ReferenceData.ToTensor(c.GetProperty("input"), honourRequiresGrad: false);
        Tensor target = ReferenceData.ToTensor(c.GetProperty("target"), honourRequiresGrad: false);
        Tensor logits = model.Forward(input), loss = Gpt.Loss(logits, target);
        JsonElement expected = c.GetProperty("expected");
        ReferenceData.AssertClose(expected.GetProperty("output"), logits, $"{id} logits", Rtol, Atol);
        ReferenceData.AssertClose(expected.GetProperty("loss").GetDouble(), loss.Item(), $"{id} loss", Rtol, Atol);
        loss.Backward();
        var named = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        int checkedGrads = 0;
        foreach (JsonElement g in expected.GetProperty("grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            ReferenceData.AssertClose(g, named[name].Grad, $"{id} grad {name}", Rtol, Atol);
            checkedGrads++;
        }
        Assert.Equal(order.Length, checkedGrads);
    }
}
