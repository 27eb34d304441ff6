using System.Diagnostics;
using Nabla.Data;
using Nabla.Distributed;
using Nabla.Models;
using Nabla.NN;
using Nabla.Runtime;

namespace Nabla.Cli.Bench;

/// <summary>
/// The distributed workloads, run under mpirun (docs/scale.md §3): all-reduce bandwidth by message size, and the
/// overlap DistributedDataParallel achieves on the GPT preset. Only rank 0 returns rows.
/// </summary>
public static class DistributedWorkloads
{
    /// <summary>The message sizes of <see cref="AllReduce"/>: 1 KB to 64 MB by factors of 4.</summary>
    public static IReadOnlyList<int> Sizes { get; } = [1 << 10, 1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20, 1 << 22, 1 << 24, 1 << 26];

    /// <summary>
    /// All-reduce (sum, float32, in place) of each size: the median time of several rounds (after two untimed ones),
    /// algorithm bandwidth (bytes / time) and bus bandwidth (algbw x 2(N-1)/N, what each rank's link carries in a ring).
    /// </summary>
    public static IEnumerable<Workloads.Row> AllReduce(ProcessGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        foreach (int bytes in Sizes)
        {
            var buffer = Tensor.Full([bytes / 4], 1.0);
            // The same round count on every rank (a collective count must agree): about 256 MB moved per size, 5 to 200 rounds.
            int rounds = Math.Clamp((256 << 20) / bytes, 5, 200);
            var times = new double[rounds];
            for (int r = -2; r < rounds; r++)
            {
                group.Barrier();
                long start = Stopwatch.GetTimestamp();
                group.AllReduce(buffer);
                if (r >= 0) times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            // The ranks' mean time of each round.
            double[] all = new double[rounds];
            Array.Copy(times, all, rounds);
            group.AllReduce(all.AsSpan());
            double seconds = Median([.. all.Select(t => t / group.Size)]);
            double algbw = bytes / seconds;
            if (group.Rank == 0)
                yield return new Workloads.Row("allreduce", new Dictionary<string, object>
                {
                    ["ranks"] = group.Size,
                    ["bytes"] = bytes,
                    ["rounds"] = rounds,
                    ["us"] = seconds * 1e6,
                    ["algbw_gbps"] = algbw / 1e9,
                    ["busbw_gbps"] = algbw * 2 * (group.Size - 1) / group.Size / 1e9,
                });
        }
    }

    /// <summary>
    /// The GPT preset (default configuration, batch 12 x 64 per rank) under DistributedDataParallel: the median time of
    /// backward without communication (inside NoSync), with DDP's overlapped bucket all-reduces (backward to the last
    /// average), and with the same all-reduce after backward (one flat message, not overlapped), the three modes
    /// alternating step by step. Overlap = the share of the communication hidden behind backward:
    /// (sequential - ddp) / (sequential - none).
    /// </summary>
    public static Workloads.Row GptOverlap(ProcessGroup group, int steps, double bucketCapMb)
    {
        ArgumentNullException.ThrowIfNull(group);
        const int batch = 12;
        var config = new GptConfig();
        var (train, _) = Shakespeare.LoadSplit();
        var model = new Gpt(config, generator: new Generator(1337));
        var ddp = new DistributedDataParallel(model, group, bucketCapMb);
        Tensor[] parameters = [.. model.Parameters()];
        var flat = new float[parameters.Sum(p => p.Numel)];
        var data = new Generator(1 + (ulong)group.Rank);
        var times = new List<double>[3];
        for (int m = 0; m < 3; m++) times[m] = [];
        using (BufferPool.Begin())
        {
            for (int it = 0; it < TextWorkloads.WarmSteps / 4 + steps; it++)
            {
                for (int mode = 0; mode < 3; mode++)
                {
                    var (x, y) = train.GetBatch(batch, config.BlockSize, data);
                    model.ZeroGrad();
                    Tensor loss = Gpt.Loss(ddp.Forward(x), y);
                    group.Barrier();
                    long start = Stopwatch.GetTimestamp();
                    if (mode == 1) loss.Backward();
                    else
                        using (ddp.NoSync()) loss.Backward();
                    if (mode == 2) AllReduceAfterBackward(group, parameters, flat);
                    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                    if (it >= TextWorkloads.WarmSteps / 4) times[mode].Add(seconds);
                }
            }
        }
        double none = Median([.. times[0]]), overlapped = Median([.. times[1]]), sequential = Median([.. times[2]]);
        long gradBytes = flat.LongLength * 4;
        return new Workloads.Row("gpt-ddp", new Dictionary<string, object>
        {
            ["ranks"] = group.Size,
            ["buckets"] = ddp.BucketCount,
            ["grad_mb"] = gradBytes / 1e6,
            ["backward_ms"] = none * 1e3,
            ["ddp_backward_ms"] = overlapped * 1e3,
            ["sequential_ms"] = sequential * 1e3,
            ["overlap"] = sequential > none ? (sequential - overlapped) / (sequential - none) : double.NaN,
        });
    }

    /// <summary>The gradients all-reduced after backward in one flat message and averaged: DDP's work without overlap.</summary>
    private static void AllReduceAfterBackward(ProcessGroup group, Tensor[] parameters, float[] flat)
    {
        int offset = 0;
        foreach (Tensor p in parameters)
        {
            p.Grad!.ToArray<float>().CopyTo(flat, offset);
            offset += (int)p.Numel;
        }
        group.AllReduce(flat.AsSpan());
        offset = 0;
        float scale = 1f / group.Size;
        foreach (Tensor p in parameters)
        {
            int n = (int)p.Numel;
            float[] averaged = new float[n];
            System.Numerics.Tensors.TensorPrimitives.Multiply(flat.AsSpan(offset, n), scale, averaged);
            p.Grad = Tensor.From(averaged, p.Shape.ToArray());
            offset += n;
        }
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        return values.Length == 0 ? double.NaN : values[values.Length / 2];
    }
}
