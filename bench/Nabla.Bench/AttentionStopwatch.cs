using System.Diagnostics;
using System.Globalization;

namespace Nabla.Bench;

/// <summary>
/// Causal scaled dot-product attention, forward + backward, fused (<c>isCausal: true</c>, Note [Fused causal attention])
/// against the unfused composite (the same call with an explicit tril bool mask), alternating in one process: median time
/// of the runs and bytes allocated per run (all threads, <see cref="GC.GetTotalAllocatedBytes(bool)"/>).
/// </summary>
/// <example><c>dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll attention B H T E [float32|float64] [runs] [threads]</c></example>
internal static class AttentionStopwatch
{
    public static void Run(string[] args)
    {
        int[] n = args.Length >= 4 ? [.. args[..4].Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [16, 8, 256, 32];
        DType dtype = args.Length > 4 && args[4] == "float64" ? DType.Float64 : DType.Float32;
        int runs = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 20;
        using IDisposable? threads = args.Length > 6 ? Runtime.ThreadBudget.Limit(int.Parse(args[6], CultureInfo.InvariantCulture)) : null;
        int b = n[0], h = n[1], t = n[2], e = n[3];
        var gen = new Generator(1);
        Tensor Leaf() => Tensor.Randn([b, h, t, e], dtype, gen, requiresGrad: true);
        Tensor q = Leaf(), k = Leaf(), v = Leaf();
        var keep = new bool[t * t];
        for (int i = 0; i < t; i++)
            for (int j = 0; j <= i; j++) keep[i * t + j] = true;
        Tensor tril = Tensor.From(keep, [t, t]);
        var cases = new (string Name, Func<Tensor> Forward)[]
        {
            ("fused", () => Functional.ScaledDotProductAttention(q, k, v, isCausal: true)),
            ("composite", () => Functional.ScaledDotProductAttention(q, k, v, tril)),
        };
        var times = cases.Select(_ => new List<double>()).ToArray();
        var allocated = new long[cases.Length];
        Tensor upstream = Tensor.Randn([b, h, t, e], dtype, gen);
        for (int r = -2; r < runs; r++)
            for (int c = 0; c < cases.Length; c++)
            {
                q.Grad = k.Grad = v.Grad = null;
                long bytes = GC.GetTotalAllocatedBytes(true);
                var sw = Stopwatch.StartNew();
                cases[c].Forward().Backward(upstream);
                sw.Stop();
                allocated[c] = GC.GetTotalAllocatedBytes(true) - bytes;
                if (r >= 0) times[c].Add(sw.Elapsed.TotalMilliseconds);
            }
        for (int c = 0; c < cases.Length; c++)
        {
            double median = times[c].Order().ElementAt(times[c].Count / 2);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{{\"impl\": \"nabla-{cases[c].Name}\", \"shape\": [{b}, {h}, {t}, {e}], \"dtype\": \"{dtype.Name()}\", \"ms\": {median:F2}, \"allocated_mb\": {allocated[c] / 1e6:F2}}}"));
        }
    }
}
