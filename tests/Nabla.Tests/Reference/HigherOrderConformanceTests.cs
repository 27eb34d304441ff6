using System.Text.Json;

namespace Nabla.Tests.Reference;

/// <summary>Every case of higher_order.jsonl: value, gradient and Hessian-vector product by double backward.</summary>
public class HigherOrderConformanceTests
{
    public static TheoryData<string> Cases() => ReferenceData.Ids("higher_order.jsonl");

    private static readonly Dictionary<string, Func<IReadOnlyDictionary<string, Tensor>, Attrs, Tensor>> Functions = new()
    {
        ["sum_tanh_cubed"] = (x, _) => x["x"].Tanh().Pow(3).Sum(),
        ["rosenbrock"] = (x, _) =>
        {
            Tensor v = x["x"];
            int n = v.Size(0);
            Tensor head = v.Narrow(0, 0, n - 1), tail = v.Narrow(0, 1, n - 1);
            return ((tail - head * head).Pow(2) * 100.0 + (1.0 - head).Pow(2)).Sum();
        },
        ["sum_x2_sigmoid"] = (x, _) => (x["x"] * x["x"] * x["x"].Sigmoid()).Sum(),
        ["pow_xy"] = (x, _) => x["x"].Pow(x["y"]).Sum(),
        ["softmax_ce"] = (x, _) => Functional.CrossEntropy(x["x"], x["target"]),
        ["layer_norm_cubed"] = (x, a) => Functional.LayerNorm(x["x"], [x["x"].Size(-1)], x["weight"], x["bias"], a.Double("eps")).Pow(3).Sum(),
        ["mlp_tanh_mse"] = (x, _) => Functional.MseLoss(Mlp(x), x["Y"]),
        ["mlp_tanh_ce"] = (x, _) => Functional.CrossEntropy(Mlp(x), x["Y"]),
    };

    private static Tensor Mlp(IReadOnlyDictionary<string, Tensor> x) =>
        Functional.Linear(Functional.Linear(x["X"], x["0.weight"], x["0.bias"]).Tanh(), x["2.weight"], x["2.bias"]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Function_ValueGradientAndHvp_MatchPyTorch(string id)
    {
        JsonElement c = ReferenceData.Cases("higher_order.jsonl")[id];
        string fn = c.GetProperty("function").GetString()!;
        Assert.True(Functions.TryGetValue(fn, out var f), $"function '{fn}' has no mapping to Nabla");
        var inputs = new Dictionary<string, Tensor>();
        var ordered = new List<Tensor>();
        foreach (JsonElement i in c.GetProperty("inputs").EnumerateArray())
        {
            Tensor t = ReferenceData.ToTensor(i);
            inputs[i.GetProperty("name").GetString()!] = t;
            ordered.Add(t);
        }
        Tensor value = f(inputs, new Attrs(c.GetProperty("attrs")));
        ReferenceData.AssertClose(c.GetProperty("value").GetDouble(), value.Item(), $"{id} value");

        var diff = ordered.Where(t => t.RequiresGrad).ToList();
        Tensor?[] g = Autograd.Grad([value], diff, createGraph: true);
        var expectedGrads = c.GetProperty("grads").EnumerateArray().ToList();
        var vs = c.GetProperty("v").EnumerateArray().ToList();
        var hvps = c.GetProperty("hvp").EnumerateArray().ToList();
        Tensor? s = null;
        int k = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            if (!ordered[i].RequiresGrad)
            {
                Assert.Equal(JsonValueKind.Null, expectedGrads[i].ValueKind);
                continue;
            }
            ReferenceData.AssertClose(expectedGrads[i], g[k], $"{id} grad {i}");
            Tensor term = (g[k]! * ReferenceData.ToTensor(vs[i], honourRequiresGrad: false)).Sum();
            s = s is null ? term : s + term;
            k++;
        }
        Tensor?[] hv = Autograd.Grad([s!], diff, allowUnused: true);
        k = 0;
        for (int i = 0; i < ordered.Count; i++)
        {
            if (!ordered[i].RequiresGrad) continue;
            Tensor h = hv[k] ?? Tensor.ZerosLike(ordered[i]);
            ReferenceData.AssertClose(hvps[i], h, $"{id} hvp {i}");
            k++;
        }
    }
}
