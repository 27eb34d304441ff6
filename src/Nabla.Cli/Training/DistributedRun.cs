using Nabla.Data;
using Nabla.Distributed;
using Nabla.NN;

namespace Nabla.Cli.Training;

// Note [Distributed training in the CLI]
// `mpirun -np N nabla train --distributed ...` runs the same training on N ranks with DistributedDataParallel. Policy:
//  - --batch-size is per rank, as in PyTorch: a step averages N batches, so the global batch is N x --batch-size.
//  - Each rank trains on its shard: image runs through a DistributedSampler (seeded by --seed + 1 and the epoch), text
//    runs from their own window generator (rank 0 keeps the single-process seed, so a 1-rank run is the plain run).
//  - Every rank takes every decision the same way, or a collective would wait for a rank that left: the step's loss
//    and the Ctrl+C flag are summed over the ranks before the loop decides to stop, and metrics are global sums.
//  - Evaluation is sharded: each rank evaluates its share of the test set (or of the text evaluation's batches and
//    windows) and the sums are all-reduced, so every rank holds the same figures and none waits idle.
//  - Only rank 0 prints and writes files (model, checkpoint, metrics, summary, lock); the others write nothing.
//  - A rank that fails exits non-zero without MPI_Finalize, so mpirun ends the whole job instead of leaving the
//    others waiting; MPI is finalised only after a run that completed.
//  - Without --threads each rank takes its share of the machine's cores (cores / ranks on this machine).

/// <summary>The distributed side of a training run: the process group, the model wrapper and the sums the loop agrees on.</summary>
public sealed class DistributedRun
{
    /// <summary>The flag that turns distributed training on.</summary>
    public const string Flag = "--distributed";

    /// <summary>The option that sets the gradient buckets' size.</summary>
    public const string BucketOption = "--bucket-cap-mb";

    /// <summary>The help lines of the two options.</summary>
    public const string Help =
        "  --distributed         data-parallel training on the ranks of an MPI job: launch as 'mpirun -np N nabla train\n" +
        "                        --distributed ...'; --batch-size is per rank (global batch = N x it), only rank 0\n" +
        "                        prints and writes files (docs/scale.md §3)\n" +
        "  --bucket-cap-mb X     the gradient buckets' size in MB with --distributed (default 25, PyTorch's)";

    private DistributedRun(ProcessGroup group, double bucketCapMb)
    {
        Group = group;
        BucketCapMb = bucketCapMb;
    }

    /// <summary>The ranks of the job.</summary>
    public ProcessGroup Group { get; }

    /// <summary>The gradient buckets' cap in megabytes.</summary>
    public double BucketCapMb { get; }

    /// <summary>This process's rank.</summary>
    public int Rank => Group.Rank;

    /// <summary>The number of ranks.</summary>
    public int Size => Group.Size;

    /// <summary>True on rank 0, the rank that prints and writes files.</summary>
    public bool IsRoot => Group.Rank == 0;

    /// <summary>Reads <c>--distributed</c> and <c>--bucket-cap-mb</c>: whether to train distributed, and the bucket cap.</summary>
    /// <exception cref="UsageException"><c>--distributed</c> outside mpirun, or a bucket size without it.</exception>
    public static (bool Distributed, double BucketCapMb) Read(OptionReader options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool distributed = options.Has(Flag);
        double cap = options.Double(BucketOption, 25, 0.001, 1 << 20);
        if (!distributed && options.Has(BucketOption))
            throw new UsageException($"{BucketOption} applies to distributed training only", $"add {Flag} (under mpirun), or drop {BucketOption}");
        if (distributed && !ProcessGroup.IsLaunchedByMpirun)
            throw new UsageException($"{Flag} needs the processes of an MPI job, and this one was not started by mpirun",
                "launch it as 'mpirun -np 2 nabla train --distributed ...' (on one machine add --oversubscribe --mca btl self,tcp " +
                "--mca btl_tcp_if_include lo; OpenMPI: 'sudo apt-get install openmpi-bin libopenmpi-dev'), or drop --distributed");
        return (distributed, cap);
    }

    /// <summary>Joins the MPI job, or returns null when the run is not distributed.</summary>
    /// <exception cref="UsageException">OpenMPI is missing (the message names the packages) or failed to start.</exception>
    public static DistributedRun? Start(bool distributed, double bucketCapMb)
    {
        if (!distributed) return null;
        try
        {
            return new DistributedRun(ProcessGroup.Init(), bucketCapMb);
        }
        catch (DllNotFoundException e)
        {
            throw new UsageException($"{Flag}: {e.Message}", "install OpenMPI and launch with mpirun");
        }
        catch (MpiException e)
        {
            throw new UsageException($"{Flag}: MPI did not start: {e.Message}", "launch with mpirun; on one machine add --oversubscribe --mca btl self,tcp --mca btl_tcp_if_include lo");
        }
    }

    /// <summary>The thread budget of a rank: <paramref name="requested"/>, or without one the cores divided among this machine's ranks.</summary>
    public static int Threads(int requested, DistributedRun? run)
    {
        if (requested > 0 || run is null) return requested;
        int local = int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int n) && n > 0 ? n : run.Size;
        return Math.Max(1, Environment.ProcessorCount / local);
    }

    /// <summary>The model wrapped for data-parallel training (rank 0's weights copied to every rank).</summary>
    public DistributedDataParallel Wrap(Module model) => new(model, Group, BucketCapMb);

    /// <summary>The element-wise sums of <paramref name="values"/> over the ranks (in place, and returned).</summary>
    public double[] Sum(params double[] values)
    {
        Group.AllReduce(values.AsSpan());
        return values;
    }

    /// <summary>Whether item <paramref name="index"/> of an evaluation (a batch, a sample) is this rank's: every Size-th from Rank.</summary>
    public bool Owns(int index) => index % Size == Rank;

    /// <summary>The sampler of this rank's share of an evaluation set: indices Rank, Rank + Size, ... without padding, so each sample counts once.</summary>
    public Sampler EvaluationShard(Dataset data) => new Shard(data.Count, Rank, Size);

    /// <summary>Finalises MPI after a run that completed (a failed run exits without it, so mpirun ends the job).</summary>
    public void Finish() => Group.Dispose();

    private sealed class Shard(int count, int rank, int size) : Sampler
    {
        public override int Count => count > rank ? (count - rank + size - 1) / size : 0;

        public override int[] Indices()
        {
            var indices = new int[Count];
            for (int i = 0; i < indices.Length; i++) indices[i] = rank + i * size;
            return indices;
        }
    }
}
