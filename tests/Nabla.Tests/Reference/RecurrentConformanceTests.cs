using System.Text.Json;
using Nabla.NN;

namespace Nabla.Tests.Reference;

/// <summary>
/// Every RNN, LSTM and GRU case of seq/modules.jsonl (reference README, 3.2): the module built from the case's config with
/// its state_dict loaded by name, one forward and backward; every output, input gradient and parameter gradient compared.
/// </summary>
public class RecurrentConformanceTests
{
    private const string File = "seq/modules.jsonl";
    private const double Rtol = 1e-7, Atol = 1e-9;
    private static readonly string[] Modules = ["RNN", "LSTM", "GRU"];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string id in RecurrentIds()) data.Add(id);
        return data;
    }

    private static IEnumerable<string> RecurrentIds() =>
        ReferenceData.Cases(File).Where(c => Modules.Contains(c.Value.GetProperty("module").GetString())).Select(c => c.Key);

    [Fact]
    public void Cases_EveryRecurrentModule_AreAllPresent()
    {
        string[] ids = [.. RecurrentIds()];
        Assert.True(ids.Length >= 10, $"expected at least 10 recurrent cases in {File}, found {ids.Length}");
        foreach (string m in Modules) Assert.Contains(ids, id => id.StartsWith(m + "/", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Module_ForwardAndBackward_MatchPyTorch(string id)
    {
        JsonElement c = ReferenceData.Cases(File)[id];
        string kind = c.GetProperty("module").GetString()!;
        ModuleBase module = Build(kind, c.GetProperty("config"));
        var state = new Dictionary<string, Tensor>();
        foreach (JsonElement p in c.GetProperty("state_dict").EnumerateArray())
            state[p.GetProperty("name").GetString()!] = ReferenceData.ToTensor(p, honourRequiresGrad: false);
        Assert.Equal(state.Keys, module.StateDict().Keys);
        module.LoadStateDict(state);

        var inputs = c.GetProperty("inputs").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!, i => ReferenceData.ToTensor(i));
        Tensor[] outputs = Run(module, inputs);
        JsonElement[] expected = [.. c.GetProperty("outputs").EnumerateArray()];
        JsonElement[] upstream = [.. c.GetProperty("grad_outputs").EnumerateArray()];
        Assert.Equal(expected.Length, outputs.Length);
        Tensor loss = Tensor.Zeros([], DType.Float64);
        for (int k = 0; k < outputs.Length; k++)
        {
            ReferenceData.AssertClose(expected[k], outputs[k], $"{id} {expected[k].GetProperty("name").GetString()}", Rtol, Atol);
            loss = loss + (outputs[k] * ReferenceData.ToTensor(upstream[k], honourRequiresGrad: false)).Sum();
        }
        loss.Backward();

        foreach (JsonElement g in c.GetProperty("input_grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            ReferenceData.AssertClose(g, inputs[name].Grad, $"{id} grad of {name}", Rtol, Atol);
        }
        foreach (JsonElement g in c.GetProperty("param_grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            ReferenceData.AssertClose(g, module.GetParameter(name).Grad, $"{id} grad of {name}", Rtol, Atol);
        }
    }

    private static ModuleBase Build(string kind, JsonElement cfg)
    {
        int input = cfg.GetProperty("input_size").GetInt32(), hidden = cfg.GetProperty("hidden_size").GetInt32();
        int layers = cfg.GetProperty("num_layers").GetInt32();
        bool bias = cfg.GetProperty("bias").GetBoolean(), batchFirst = cfg.GetProperty("batch_first").GetBoolean();
        bool bidirectional = cfg.GetProperty("bidirectional").GetBoolean();
        double dropout = cfg.GetProperty("dropout").GetDouble();
        return kind switch
        {
            "LSTM" when cfg.GetProperty("proj_size").GetInt32() == 0 =>
                new Lstm(input, hidden, layers, bias, batchFirst, dropout, bidirectional, DType.Float64),
            "GRU" => new Gru(input, hidden, layers, bias, batchFirst, dropout, bidirectional, DType.Float64),
            "RNN" => new Rnn(input, hidden, layers, cfg.GetProperty("nonlinearity").GetString() switch
            {
                "tanh" => Nonlinearity.Tanh,
                "relu" => Nonlinearity.Relu,
                var other => throw new InvalidDataException($"nonlinearity {other}"),
            }, bias, batchFirst, dropout, bidirectional, DType.Float64),
            _ => throw new InvalidDataException($"unsupported recurrent case {kind} {cfg}"),
        };
    }

    private static Tensor[] Run(ModuleBase module, Dictionary<string, Tensor> inputs)
    {
        Tensor x = inputs["input"];
        Tensor? h0 = inputs.GetValueOrDefault("h0"), c0 = inputs.GetValueOrDefault("c0");
        switch (module)
        {
            case Lstm lstm:
                var (output, (hn, cn)) = lstm.Forward(x, h0 is null ? null : (h0, c0!));
                return [output, hn, cn];
            case Gru gru:
                var (gOut, gHn) = gru.Forward(x, h0);
                return [gOut, gHn];
            default:
                var (rOut, rHn) = ((Rnn)module).Forward(x, h0);
                return [rOut, rHn];
        }
    }
}
