using System.Globalization;
using System.Security.Cryptography;
using System.Runtime.InteropServices;
using Nabla;
using Nabla.Distributed;
using Nabla.NN;
using Nabla.Optim;

// The MPI tests' worker (see the project file). Usage:
//   binding                      the collectives and the error-to-exception path; prints "check NAME rank R: VALUE"
//   train STEPS BATCH MICRO OUT  an MLP on a fixed synthetic task; under mpirun with DDP (each rank takes its slice of
//                                the global batch of BATCH), or alone ("single") with no MPI at all; MICRO micro-batches per
//                                step (NoSync on all but the last); prints "step K rank R hash H"; rank 0 writes the
//                                final parameters to OUT, one value per line. NABLA_TEST_DIE_AT=N makes rank 1 exit
//                                abruptly (code 3, no MPI_Finalize) before step N's backward.
//   unused MODE                  a model with a parameter the loss never uses: MODE strict | find
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
try
{
    return args[0] switch
    {
        "binding" => Scenarios.Binding(),
        "train" => Scenarios.Train(args[1] == "single", int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), args[5]),
        "unused" => Scenarios.Unused(args[1] == "find"),
        _ => throw new ArgumentException($"unknown scenario {args[0]}"),
    };
}
catch (Exception e)
{
    Console.Error.WriteLine($"worker failed: {e.GetType().Name}: {e.Message}");
    return 2;
}

static class Scenarios
{
    public static int Binding()
    {
        using ProcessGroup world = ProcessGroup.Init();
        int r = world.Rank;
        void Check(string name, string value) => Console.WriteLine($"check {name} rank {r}: {value}");
        string Join<T>(T[] values) => string.Join(",", values.Select(v => string.Format(CultureInfo.InvariantCulture, "{0}", v)));

        Check("size", world.Size.ToString(CultureInfo.InvariantCulture));
        var f32 = Tensor.From(new float[] { r + 1, 10 * (r + 1), 0.5f });
        world.AllReduce(f32);
        Check("allreduce_f32", Join(f32.ToArray<float>()));
        var f64 = Tensor.From(new double[] { 0.1 * (r + 1), 1e300 }, dtype: DType.Float64);
        world.AllReduce(f64);
        Check("allreduce_f64", Join(f64.ToArray<double>()));
        var i64 = Tensor.From(new long[] { (1L << 40) * (r + 1) });
        world.AllReduce(i64);
        Check("allreduce_i64", Join(i64.ToArray<long>()));
        double[] span = [r, 2];
        world.AllReduce(span.AsSpan());
        Check("allreduce_span", Join(span));

        var big = Tensor.Full([1 << 20], r + 1.0);
        DistributedRequest request = world.StartAllReduce(big);
        int tests = 0;
        while (!request.Test()) tests++;
        request.Wait();
        float[] summed = big.ToArray<float>();
        Check("iallreduce", $"{summed[0]},{summed[^1]},{summed.All(v => v == summed[0])},{request.IsCompleted}");

        var b = Tensor.From(new float[] { 7 * (r + 1), -1 });
        world.Broadcast(b, root: world.Size - 1);
        Check("broadcast", Join(b.ToArray<float>()));

        var gathered = world.AllGather(Tensor.From(new long[] { r, 100 + r }));
        Check("allgather", $"{gathered.Shape}:{Join(gathered.ToArray<long>())}");

        world.Barrier();
        Check("barrier", "passed");

        try
        {
            world.Broadcast(b, root: world.Size + 5);
            Check("bad_root", "no exception");
        }
        catch (MpiException e)
        {
            Check("bad_root", $"{e.Call}|{e.Message}");
        }
        try
        {
            world.AllReduce(Tensor.From(new bool[] { true }));
            Check("bool_dtype", "no exception");
        }
        catch (ArgumentException e)
        {
            Check("bool_dtype", e.Message);
        }
        return 0;
    }

    private static Sequential Mlp(ulong seed)
    {
        var g = new Generator(seed);
        return new Sequential(new Linear(8, 32, generator: g), new Tanh(), new Linear(32, 32, generator: g), new Tanh(), new Linear(32, 4, generator: g));
    }

    /// <summary>The global batch of a step: inputs [batch, 8] and targets [batch, 4] of a fixed smooth function.</summary>
    private static (Tensor X, Tensor Y) Batch(int step, int batch)
    {
        var g = new Generator(1000 + (ulong)step);
        Tensor x = Tensor.Randn([batch, 8], generator: g);
        Tensor y = (x.Narrow(1, 0, 4) * x.Narrow(1, 4, 4)).Sin() + x.Narrow(1, 0, 4) * 0.5;
        return (x, y);
    }

    public static int Train(bool single, int steps, int batch, int micro, string outPath)
    {
        ProcessGroup? world = single ? null : ProcessGroup.Init();
        int rank = world?.Rank ?? 0, size = world?.Size ?? 1;
        Module model = Mlp(seed: (ulong)(1 + rank)); // different initial weights per rank: DDP must broadcast rank 0's
        if (single) model = Mlp(seed: 1);
        DistributedDataParallel? ddp = world is null ? null : new DistributedDataParallel(model, world, bucketCapMb: 0.002);
        Module run = (Module?)ddp ?? model;
        var optimizer = new Sgd(model.Parameters(), lr: 0.05, momentum: 0.9);
        int dieAt = int.TryParse(Environment.GetEnvironmentVariable("NABLA_TEST_DIE_AT"), out int d) ? d : -1;
        int local = batch / size, part = local / micro;
        for (int step = 0; step < steps; step++)
        {
            var (x, y) = Batch(step, batch);
            optimizer.ZeroGrad();
            for (int m = 0; m < micro; m++)
            {
                Tensor xs = x.Narrow(0, rank * local + m * part, part), ys = y.Narrow(0, rank * local + m * part, part);
                // Each micro-batch's mean loss is scaled by 1 / micro, so the accumulated gradient is the full batch's mean.
                Tensor loss = Functional.MseLoss(run.Forward(xs), ys) * (1.0 / micro);
                if (step == dieAt && rank == 1)
                {
                    Console.Error.WriteLine($"rank 1 exits abruptly at step {step}");
                    Environment.Exit(3);
                }
                if (ddp is not null && m < micro - 1)
                    using (ddp.NoSync()) loss.Backward();
                else
                    loss.Backward();
            }
            optimizer.Step();
            Console.WriteLine($"step {step} rank {rank} hash {Hash(model)}");
        }
        if (rank == 0)
            File.WriteAllLines(outPath, model.Parameters().SelectMany(p => p.ToArray<float>()).Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        world?.Dispose();
        return 0;
    }

    private static string Hash(Module model)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (Tensor p in model.Parameters()) sha.AppendData(MemoryMarshal.AsBytes(p.ToArray<float>().AsSpan()));
        return Convert.ToHexString(sha.GetHashAndReset())[..16];
    }

    private sealed class TwoHeads : Module
    {
        private readonly Linear _used, _unused;

        public TwoHeads()
        {
            var g = new Generator(5);
            _used = RegisterModule("used", new Linear(3, 2, generator: g));
            _unused = RegisterModule("unused", new Linear(3, 2, generator: g));
        }

        protected override Tensor OnForward(Tensor input) => _used.Forward(input);
    }

    public static int Unused(bool find)
    {
        using ProcessGroup world = ProcessGroup.Init();
        var model = new TwoHeads();
        var ddp = new DistributedDataParallel(model, world, findUnusedParameters: find);
        Tensor x = Tensor.Full([4, 3], world.Rank + 1.0);
        try
        {
            ddp.Forward(x).Sum().Backward();
            var grads = model.NamedParameters().Select(p => $"{p.Name}={(p.Parameter.Grad is null ? "null" : string.Join(",", p.Parameter.Grad.ToArray<float>()))}");
            Console.WriteLine($"unused rank {world.Rank}: {string.Join(" ", grads)}");
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"unused rank {world.Rank}: error {e.Message}");
        }
        return 0;
    }
}
