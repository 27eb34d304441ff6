using System.Text.Json;
using Nabla.NN;

namespace Nabla.Tests.Reference;

/// <summary>Every case of models.jsonl: a small MLP or CNN built from Nabla's layers, one forward and backward pass.</summary>
public class ModelsConformanceTests
{
    public static TheoryData<string> Cases() => ReferenceData.Ids("models.jsonl");

    private static Module Build(JsonElement c)
    {
        string kind = c.GetProperty("model").GetString()!;
        JsonElement cfg = c.GetProperty("config");
        if (kind == "mlp")
        {
            int[] sizes = cfg.GetProperty("sizes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            string act = cfg.GetProperty("activation").GetString()!;
            var seq = new Sequential();
            for (int i = 0; i + 1 < sizes.Length; i++)
            {
                seq.Add(new Linear(sizes[i], sizes[i + 1], dtype: DType.Float64));
                if (i + 2 < sizes.Length)
                    seq.Add(act switch
                    {
                        "relu" => new Relu(),
                        "tanh" => new Tanh(),
                        "sigmoid" => new Sigmoid(),
                        "gelu" => new Gelu(),
                        _ => throw new InvalidDataException($"activation {act}"),
                    });
            }
            return seq;
        }
        if (kind == "cnn")
        {
            int[] Ints(string k) => cfg.GetProperty(k).EnumerateArray().Select(e => e.GetInt32()).ToArray();
            int cin = cfg.GetProperty("in_channels").GetInt32(), cout = cfg.GetProperty("out_channels").GetInt32();
            int[] k = Ints("kernel_size"), s = Ints("stride"), p = Ints("padding"), pool = Ints("pool"), hw = Ints("input_hw");
            int h1 = (hw[0] + 2 * p[0] - k[0]) / s[0] + 1, w1 = (hw[1] + 2 * p[1] - k[1]) / s[1] + 1;
            int features = cout * (h1 / pool[0]) * (w1 / pool[1]);
            var seq = new Sequential(new Conv2d(cin, cout, k, s, p, dtype: DType.Float64));
            if (cfg.GetProperty("batch_norm").GetBoolean())
                seq.Add(new BatchNorm2d(cout, cfg.GetProperty("bn_eps").GetDouble(), cfg.GetProperty("bn_momentum").GetDouble(), dtype: DType.Float64));
            seq.Add(new Relu()).Add(new MaxPool2d(pool)).Add(new Flatten()).Add(new Linear(features, cfg.GetProperty("num_classes").GetInt32(), dtype: DType.Float64));
            return seq;
        }
        throw new InvalidDataException($"unknown model kind {kind}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_ForwardAndBackward_MatchPyTorch(string id)
    {
        JsonElement c = ReferenceData.Cases("models.jsonl")[id];
        Module model = Build(c);
        var state = new Dictionary<string, Tensor>();
        foreach (JsonElement p in c.GetProperty("params").EnumerateArray())
            state[p.GetProperty("name").GetString()!] = ReferenceData.ToTensor(p, honourRequiresGrad: false);
        if (c.TryGetProperty("buffers", out JsonElement buffers))
            foreach (JsonElement b in buffers.EnumerateArray())
                state[b.GetProperty("name").GetString()!] = ReferenceData.ToTensor(b, honourRequiresGrad: false);
        model.LoadStateDict(state);
        model.Train(c.GetProperty("mode").GetString() == "train");

        Tensor input = ReferenceData.ToTensor(c.GetProperty("input"), honourRequiresGrad: false);
        Tensor target = ReferenceData.ToTensor(c.GetProperty("target"), honourRequiresGrad: false);
        JsonElement lossSpec = c.GetProperty("loss");
        Reduction reduction = lossSpec.GetProperty("reduction").GetString() switch
        {
            "sum" => Reduction.Sum,
            "none" => Reduction.None,
            _ => Reduction.Mean,
        };
        Tensor output = model.Forward(input);
        Tensor loss = lossSpec.GetProperty("name").GetString() switch
        {
            "cross_entropy" => Functional.CrossEntropy(output, target, reduction: reduction),
            "mse_loss" => Functional.MseLoss(output, target, reduction),
            var other => throw new InvalidDataException($"loss {other}"),
        };
        JsonElement expected = c.GetProperty("expected");
        ReferenceData.AssertClose(expected.GetProperty("output"), output, $"{id} output");
        ReferenceData.AssertClose(expected.GetProperty("loss").GetDouble(), loss.Item(), $"{id} loss");
        loss.Backward();
        var named = model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (JsonElement g in expected.GetProperty("grads").EnumerateArray())
        {
            string name = g.GetProperty("name").GetString()!;
            ReferenceData.AssertClose(g, named[name].Grad, $"{id} grad {name}");
        }
        if (expected.TryGetProperty("buffers_after", out JsonElement after))
        {
            var own = model.StateDict();
            foreach (JsonElement b in after.EnumerateArray())
            {
                string name = b.GetProperty("name").GetString()!;
                ReferenceData.AssertClose(b, own[name], $"{id} buffer {name}");
            }
        }
    }
}
