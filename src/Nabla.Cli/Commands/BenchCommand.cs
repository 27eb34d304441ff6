using System.Globalization;
using System.Text.Json;
using Nabla.Cli.Bench;
using Nabla.Cli.Training;
using Nabla.Runtime;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla bench</c>: the fixed performance workloads, as text or one JSON object per line.</summary>
public static class BenchCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "bench";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "run a benchmark workload (gemm, mlp, cnn, overhead, scalar, gpt, generate-large; allreduce, gpt-ddp under mpirun)";

    /// <summary>The usage text.</summary>
    public static string Usage() => $"""
        usage: nabla bench gemm [--sizes A,B,...] | mlp|cnn [--batch-size N] [--epochs N] | overhead [--ops N] | scalar
                           | gpt [--steps N] [--precision P] [--threads N] [--json]
                           | generate-large [--n-layer N] [--n-head N] [--n-embd N] [--block-size N] [--rounds N]
               mpirun -np N ... nabla bench allreduce | gpt-ddp [--steps N] [--bucket-cap-mb X]

          gemm      float32 matrix products: GFLOP/s for n = 64 ... 2048 and the MLP's layer shapes
          mlp       one epoch of the mlp preset on Fashion-MNIST (Adam 1e-3, batch 128): samples/s, test accuracy, peak RSS
          cnn       the same for the cnn preset
          overhead  a chain of 1,000 elementwise ops on 16 elements: microseconds per op, forward and backward
          scalar    micrograd's moons demo with 0-d tensors and batched: seconds and accuracy
          gpt       W7: nanoGPT's shakespeare_char CPU configuration (4 layers, width 128, batch 12 x 64), 200 timed
                    AdamW steps after 20: training tokens/s and peak RSS; W8 (workload "generate"): sampling tokens/s
                    at batch 1 with the key/value cache and without it ("cached": true/false)
          generate-large  batch-1 generation with the key/value cache from a random GPT whose weights far exceed the
                    caches (default 12 layers, 12 heads, width 768, block 256: 85M weights), in float32 and converted
                    to bfloat16, alternating round by round: median tokens/s per dtype, every round, the weights' MB
                    and bytes read per second, and bf16's speed over fp32 ("vs_fp32")
          allreduce under mpirun: float32 all-reduce of 1 KB ... 64 MB: median time, algorithm bandwidth (bytes/time)
                    and bus bandwidth (x 2(N-1)/N); rank 0 prints
          gpt-ddp   under mpirun: the gpt configuration per rank under DistributedDataParallel: median backward time
                    without communication, with DDP's overlapped all-reduce and with the all-reduce after backward,
                    alternating; "overlap" is the share of communication hidden behind backward (default 30 steps)

        options:
          --threads N      {ThreadsOption.Help}
          --json           one JSON object per line (with at least "workload")
          --sizes A,B,...  gemm only: the square sizes, each 1 to 8192 (default 64,128,256,512,1024,2048)
          --batch-size N   mlp and cnn only: 1 to 65536 (default 128)
          --epochs N       mlp and cnn only: 1 to 1000 (default 1)
          --ops N          overhead only: the chain's length, 3 to 1000000 (default 1000)
          --steps N        gpt and gpt-ddp: timed steps, 1 to 100000 (default 200 and 30)
          --precision P    gpt only: the training steps' {PrecisionOption.Help}; W8 stays float32
          --n-layer N, --n-head N, --n-embd N, --block-size N
                           generate-large only: the GPT's size (defaults 12, 12, 768, 256; n_embd a multiple of n_head)
          --rounds N       generate-large only: alternating rounds, each block_size - 1 tokens per dtype, 1 to 1000 (default 5)
          --bucket-cap-mb X  gpt-ddp only: DDP's bucket size in MB (default 25)

        An option of another workload is refused. bench/compare.sh runs these side by side with the PyTorch
        versions in bench/pytorch and prints ratios.

        """;

    /// <summary>The options of each workload besides <c>--threads</c> and <c>--json</c>, which every workload takes.</summary>
    private static readonly Dictionary<string, string[]> WorkloadOptions = new(StringComparer.Ordinal)
    {
        ["gemm"] = ["--sizes"],
        ["mlp"] = ["--batch-size", "--epochs"],
        ["cnn"] = ["--batch-size", "--epochs"],
        ["overhead"] = ["--ops"],
        ["scalar"] = [],
        ["gpt"] = ["--steps", "--precision"],
        ["generate-large"] = ["--n-layer", "--n-head", "--n-embd", "--block-size", "--rounds"],
        ["allreduce"] = [],
        ["gpt-ddp"] = ["--steps", "--bucket-cap-mb"],
    };

    /// <summary>An option that <paramref name="workload"/> does not use is refused, naming the workloads that do.</summary>
    private static void RefuseOtherWorkloadsOptions(OptionReader o, string workload)
    {
        if (!WorkloadOptions.TryGetValue(workload, out string[]? own))
            throw new UsageException($"unknown workload '{workload}'", "use gemm, mlp, cnn, overhead, scalar, gpt, generate-large, allreduce or gpt-ddp");
        foreach (string option in o.Given.Order(StringComparer.Ordinal))
        {
            if (option is "--threads" or "--json" || own.Contains(option)) continue;
            string users = string.Join(" and ", WorkloadOptions.Where(w => w.Value.Contains(option)).Select(w => $"'bench {w.Key}'"));
            string takes = own.Length == 0 ? "only --threads and --json" : $"{string.Join(", ", own)}, --threads and --json";
            throw new UsageException($"{option} does not apply to 'bench {workload}': it is for {users}",
                $"drop {option}; 'bench {workload}' takes {takes}");
        }
    }

    /// <summary>A field as text: doubles to five significant digits, arrays comma-separated.</summary>
    private static string Text(object value) => value switch
    {
        double d => d.ToString("G5", CultureInfo.InvariantCulture),
        double[] a => string.Join(",", a.Select(d => d.ToString("G5", CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The GPT of <c>bench generate-large</c> from its options.</summary>
    private static Nabla.Models.GptConfig LargeGpt(OptionReader o)
    {
        int nHead = o.Int("--n-head", 12, 1, 1024), nEmbd = o.Int("--n-embd", 768, 1, 1 << 16);
        if (nEmbd % nHead != 0)
            throw new UsageException($"--n-embd {nEmbd} is not a multiple of --n-head {nHead}", "each head gets n_embd / n_head features: pick sizes that divide");
        return new Nabla.Models.GptConfig(BlockSize: o.Int("--block-size", 256, 2, 1 << 16), NLayer: o.Int("--n-layer", 12, 1, 1024), NHead: nHead, NEmbd: nEmbd);
    }

    private static Workloads.Row[] RootRows(DistributedRun dist, Workloads.Row row) => dist.IsRoot ? [row] : [];

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.Write(Usage());
            return ExitCodes.Success;
        }
        try
        {
            var o = new OptionReader(args, ["--threads", .. WorkloadOptions.Values.SelectMany(v => v).Distinct()], ["--help", "--json"], Name);
            if (o.Positional.Count != 1)
                throw new UsageException(o.Positional.Count == 0 ? "missing the workload" : $"unexpected argument '{o.Positional[1]}'",
                    "run 'nabla bench gemm' (or mlp, cnn, overhead, scalar)");
            RefuseOtherWorkloadsOptions(o, o.Positional[0]);
            bool distributed = o.Positional[0] is "allreduce" or "gpt-ddp";
            if (distributed && !Nabla.Distributed.ProcessGroup.IsLaunchedByMpirun)
                throw new UsageException($"'bench {o.Positional[0]}' measures the ranks of an MPI job, and this process was not started by mpirun",
                    $"run 'mpirun -np 2 --oversubscribe --mca btl self,tcp --mca btl_tcp_if_include lo nabla bench {o.Positional[0]}'");
            DistributedRun? dist = DistributedRun.Start(distributed, o.Double("--bucket-cap-mb", 25, 0.001, 1 << 20));
            int threads = DistributedRun.Threads(ThreadsOption.Read(o), dist);
            using IDisposable? budget = threads > 0 ? ThreadBudget.Limit(threads) : null;
            IEnumerable<Workloads.Row> rows = o.Positional[0] switch
            {
                "allreduce" => DistributedWorkloads.AllReduce(dist!.Group),
                "gpt-ddp" => RootRows(dist!, DistributedWorkloads.GptOverlap(dist!.Group, o.Int("--steps", 30, 1, 100_000), dist.BucketCapMb)),
                "gemm" => Workloads.Gemm(o.IntList("--sizes", 1, Workloads.MaxGemmSize, 1, "64,128,256")),
                "mlp" or "cnn" => [Workloads.Training(o.Positional[0], o.Int("--batch-size", 128, 1, 1 << 16), o.Int("--epochs", 1, 1, 1000))],
                "overhead" => [Workloads.Overhead(o.Int("--ops", 1000, 3, 1_000_000))],
                "gpt" => [TextWorkloads.Train(o.Int("--steps", 200, 1, 100_000), PrecisionOption.Read(o)), .. TextWorkloads.Generate()],
                "generate-large" => TextWorkloads.GenerateLarge(LargeGpt(o), o.Int("--rounds", 5, 1, 1000)),
                _ => Workloads.Scalar(), // "scalar": any other name was refused above
            };
            foreach (Workloads.Row row in rows)
            {
                if (o.Has("--json"))
                {
                    var obj = new Dictionary<string, object> { ["workload"] = row.Workload, ["impl"] = "nabla" };
                    foreach (var (k, v) in row.Fields) obj[k] = v;
                    stdout.WriteLine(JsonSerializer.Serialize(obj, CliJson.Compact));
                }
                else
                    stdout.WriteLine(row.Workload + "  " + string.Join("  ", row.Fields.Select(f => $"{f.Key} {Text(f.Value)}")));
                stdout.Flush();
            }
            dist?.Finish();
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }
}
