using System.Diagnostics;
using System.Globalization;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.Models;
using Nabla.Optim;
using Nabla.Runtime;

namespace Nabla.Bench;

/// <summary>
/// Issue 17's gradient-checkpointing figures on the GPT preset (n_layer 8, n_head 4, n_embd 256, block 256, batch 16,
/// AdamW, no dropout): for checkpointing off and on, (1) the bytes the graph holds between forward and backward, as the
/// managed heap grown by the forward after full collections (this application forces them; the library never does)
/// and as the distinct arrays saved by the graph's rules and checkpoints, and (2) the time of a training step, off and
/// on alternated round by round in one process, medians. One JSON line per figure.
/// </summary>
/// <example><c>dotnet run -c Release --project bench/Nabla.Bench -- gpt-checkpoint [rounds] [steps-per-round] [pool-cap-MiB]</c></example>
internal static class CheckpointStopwatch
{
    public static void Run(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
        int steps = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2;
        long poolMiB = args.Length > 2 ? long.Parse(args[2], CultureInfo.InvariantCulture) : 128;
        var gpt = ScaleGpt.Create();
        var (model, optimizer) = (gpt.Model, gpt.Optimizer);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

        // (1) Bytes held between forward and backward, without a buffer pool (a pool keeps dead arrays reachable).
        foreach (bool on in new[] { false, true, false, true })
        {
            model.GradientCheckpointing = on;
            var (x, y) = gpt.NextBatch();
            long before = GC.GetTotalMemory(forceFullCollection: true);
            Tensor loss = model.Forward(x, y).Loss;
            long after = GC.GetTotalMemory(forceFullCollection: true);
            long saved = GraphMemory.SavedBytes(loss);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
            Console.WriteLine($"{{\"checkpointing\":{(on ? "true" : "false")},\"heap_growth_mb\":{F((after - before) / 1048576.0)},\"graph_saved_mb\":{F(saved / 1048576.0)}}}");
        }

        // (2) Step time, off and on alternated, with a buffer pool capped at poolMiB (the CLI's text training: 128).
        var times = new Dictionary<bool, List<double>> { [false] = [], [true] = [] };
        var clock = new Stopwatch();
        using (BufferPool.Begin(poolMiB << 20))
        {
            for (int r = 0; r < rounds; r++)
                foreach (bool on in r % 2 == 0 ? new[] { false, true } : [true, false])
                {
                    model.GradientCheckpointing = on;
                    for (int s = 0; s < steps; s++)
                    {
                        var (x, y) = gpt.NextBatch();
                        clock.Restart();
                        Tensor loss = model.Forward(x, y).Loss;
                        optimizer.ZeroGrad();
                        loss.Backward();
                        optimizer.Step();
                        times[on].Add(clock.Elapsed.TotalMilliseconds);
                    }
                }
        }
        double off = Median(times[false]), onMs = Median(times[true]);
        Console.WriteLine($"{{\"pool_cap_mib\":{poolMiB},\"rounds\":{rounds},\"steps_per_round\":{steps},\"ms_per_step_off\":{F(off)},\"ms_per_step_on\":{F(onMs)},\"ratio\":{F(onMs / off)}}}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
