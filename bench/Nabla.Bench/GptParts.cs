using System.Diagnostics;
using System.Globalization;
using Nabla.Models;
using Nabla.NN;
using Nabla.Runtime;

namespace Nabla.Bench;

/// <summary>
/// Where a W7 step's time goes: each piece of the GPT forward (and its backward) at the default configuration's shapes,
/// timed alone in a loop, as "name forward_ms backward_ms" lines (medians; the backward includes the Sum() that seeds it).
/// </summary>
/// <example><c>dotnet run -c Release --project bench/Nabla.Bench -- gpt-parts [reps]</c></example>
internal static class GptParts
{
    public static void Run(string[] args)
    {
        int reps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50;
        const int b = 12, t = 64, c = 128, h = 4, v = 65;
        var gen = new Generator(1);
        using var pool = BufferPool.Begin();
        Tensor X(params int[] dims) => Tensor.Randn(dims, generator: gen).RequiresGrad_();
        var config = new GptConfig();
        var lin3 = new Linear(c, 3 * c, bias: false);
        var fc = new Linear(c, 4 * c, bias: false);
        var proj = new Linear(4 * c, c, bias: false);
        var ln = new LayerNorm([c], bias: false);
        var gelu = new Gelu();
        var attn = new CausalSelfAttention(config);
        var block = new GptBlock(config);
        var model = new Gpt(config, generator: new Generator(1337));
        var emb = new Embedding(v, c);
        Tensor idx = Tensor.RandInt(0, v, [b, t], generator: gen);
        Tensor tgt = Tensor.RandInt(0, v, [b, t], generator: gen);
        Tensor x = X(b, t, c), x4 = X(b, t, 4 * c), q = X(b, h, t, c / h), k = X(b, h, t, c / h), vv = X(b, h, t, c / h), logits = X(b * t, v);
        Tensor wte = X(v, c);
        var parts = new (string Name, Func<Tensor> F)[]
        {
            ("embedding", () => emb.Forward(idx)),
            ("layernorm", () => ln.Forward(x)),
            ("linear c_attn 128->384", () => lin3.Forward(x)),
            ("linear c_fc 128->512", () => fc.Forward(x)),
            ("linear c_proj 512->128", () => proj.Forward(x4)),
            ("gelu", () => gelu.Forward(x4)),
            ("add residual", () => x + x),
            ("sdpa causal", () => Functional.ScaledDotProductAttention(q, k, vv, isCausal: true)),
            ("split+heads+sdpa+merge", () => attn.Forward(x)),
            ("lm_head tied", () => Functional.Linear(x, wte)),
            ("cross_entropy", () => Functional.CrossEntropy(logits, tgt.Reshape(-1))),
            ("block", () => block.Forward(x)),
            ("model+loss", () => model.Forward(idx, tgt).Loss),
        };
        foreach (var (name, f) in parts)
        {
            var fwd = new List<double>();
            var bwd = new List<double>();
            for (int r = 0; r < reps + 5; r++)
            {
                var clock = Stopwatch.StartNew();
                Tensor y = f();
                double a = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                (y.Rank == 0 ? y : y.Sum()).Backward();
                if (r < 5) continue;
                fwd.Add(a);
                bwd.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"{name,-26} {Median(fwd),8:0.000} {Median(bwd),8:0.000}");
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
