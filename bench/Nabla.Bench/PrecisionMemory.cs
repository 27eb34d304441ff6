using System.Globalization;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.Graph;
using Nabla.Models;
using Nabla.Ops;
using Nabla.Optim;

namespace Nabla.Bench;

/// <summary>
/// Issue 17's mixed-precision memory figures on the 8-layer GPT (n_layer 8, n_head 4, n_embd 256, block 256, batch 16,
/// AdamW, no dropout): for fp32 and bf16 (autocast) alternated fp32 bf16 bf16 fp32, the bytes the graph holds between
/// forward and backward, as the managed heap grown by the forward after full collections (this application forces
/// them; the library never does) and as <see cref="GraphMemory.SavedBytes"/>. With <c>--by-node</c>, each precision's
/// saved arrays are also listed by the node that saved them and their dtype (an array counts once, at its first node).
/// One JSON line per figure.
/// </summary>
/// <example><c>dotnet bench/Nabla.Bench/bin/Release/net10.0/Nabla.Bench.dll gpt-precision-memory [--by-node]</c></example>
internal static class PrecisionMemory
{
    public static void Run(string[] args)
    {
        bool byNode = args.Contains("--by-node");
        var gpt = ScaleGpt.Create();
        var (model, optimizer) = (gpt.Model, gpt.Optimizer);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

        foreach (string precision in new[] { "fp32", "bf16", "bf16", "fp32" })
        {
            var (x, y) = gpt.NextBatch();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            Tensor loss;
            using (precision == "bf16" ? Autocast.Enable(DType.BFloat16) : null) loss = model.Forward(x, y).Loss;
            long after = GC.GetTotalMemory(forceFullCollection: true);
            long saved = GraphMemory.SavedBytes(loss);
            Console.WriteLine($"{{\"precision\":\"{precision}\",\"loss\":{F(loss.Item())},\"heap_growth_mb\":{F((after - before) / 1048576.0)},\"graph_saved_mb\":{F(saved / 1048576.0)}}}");
            if (byNode)
                foreach (var ((node, dtype), bytes) in ByNode(loss).OrderByDescending(kv => kv.Value))
                    Console.WriteLine($"{{\"precision\":\"{precision}\",\"node\":\"{node}\",\"dtype\":\"{dtype}\",\"saved_mb\":{F(bytes / 1048576.0)}}}");
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
    }

    /// <summary>The graph's saved arrays by (saving node, dtype), walked as <see cref="GraphMemory.SavedBytes"/> walks it.</summary>
    private static Dictionary<(string, string), long> ByNode(Tensor root)
    {
        var arrays = new HashSet<Array>(ReferenceEqualityComparer.Instance);
        var seen = new HashSet<Node>(ReferenceEqualityComparer.Instance);
        var result = new Dictionary<(string, string), long>();
        var stack = new Stack<Node>();
        if (root.GradFn is { } fn) stack.Push(fn);
        while (stack.Count > 0)
        {
            Node node = stack.Pop();
            if (!seen.Add(node)) continue;
            string name = node is CompositeBackward ? node.Name + " (composite)" : node.Name;
            for (int i = 0; i < node.SavedCount; i++)
            {
                if (node.SavedEntry(i).Tensor is not { } t) continue;
                if (arrays.Add(t.Storage.Data))
                {
                    var key = (name, t.DType.Name());
                    result[key] = result.GetValueOrDefault(key) + (long)t.Storage.Data.LongLength * t.DType.ElementSize();
                }
                // A composite's inner graph hangs off its saved result (Note [Composite ops]).
                if (node is CompositeBackward && i == 0 && t.GradFn is { } inner) stack.Push(inner);
            }
            foreach (Edge e in node.Edges)
                if (e.Fn is { } next) stack.Push(next);
        }
        return result;
    }
}
