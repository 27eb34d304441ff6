using System.Diagnostics;
using System.Globalization;
using Nabla.Cli.Training;
using Nabla.Data;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Runtime;

namespace Nabla.Cli.Bench;

/// <summary>
/// The fixed benchmark workloads of <c>nabla bench</c> (W1–W5 of the performance issue). Each returns result rows;
/// the same workloads exist for PyTorch in bench/pytorch, so that one script can run both and print ratios.
/// </summary>
public static class Workloads
{
    /// <summary>One result row: the workload name and its measured fields.</summary>
    public sealed record Row(string Workload, IReadOnlyDictionary<string, object> Fields);

    /// <summary>The largest square size <c>bench gemm --sizes</c> takes: 2.2 TFLOP per product, minutes per size on a desktop.</summary>
    public const int MaxGemmSize = 8192;

    /// <summary>W1: GEMM GFLOP/s for square sizes and the MLP's two layer shapes (best of several runs each).</summary>
    public static IEnumerable<Row> Gemm(int[]? sizes = null)
    {
        sizes ??= [64, 128, 256, 512, 1024, 2048];
        // See Note [Memory estimate]: three float32 matrices of n x n, checked before the first is allocated.
        double largest = sizes.Length == 0 ? 0 : sizes.Max();
        MemoryEstimate.Require(3.0 * largest * largest * 4, $"bench gemm with n = {largest}", $"pass smaller --sizes (each at most {MaxGemmSize})");
        return GemmRows(sizes);
    }

    private static IEnumerable<Row> GemmRows(int[] sizes)
    {
        var shapes = sizes.Select(n => (M: n, K: n, N: n, Label: n.ToString(CultureInfo.InvariantCulture)))
            .Concat([(128, 784, 512, "128x784x512"), (128, 512, 256, "128x512x256")]);
        foreach (var (m, k, n, label) in shapes)
        {
            var gen = new Generator(1);
            Tensor a = Tensor.Rand([m, k], generator: gen), b = Tensor.Rand([k, n], generator: gen), c = Tensor.Zeros([m, n]);
            double flop = 2.0 * m * n * k;
            int reps = (int)Math.Clamp(2e9 / flop, 3, 2000);
            // Into one output, as bench/pytorch/gemm.py's matmul(a, b, out=c): the product is timed, not the allocator.
            a.MatMul(b, c);
            double best = double.MaxValue;
            for (int r = 0; r < 5; r++)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < reps; i++) a.MatMul(b, c);
                best = Math.Min(best, sw.Elapsed.TotalSeconds / reps);
            }
            yield return new Row("gemm", new Dictionary<string, object>
            {
                ["n"] = label, ["m"] = m, ["k"] = k, ["n_cols"] = n, ["threads"] = ThreadBudget.Current,
                ["seconds"] = best, ["gflops"] = flop / best / 1e9,
            });
        }
    }

    /// <summary>W2/W3: one epoch of the <c>mlp</c> or <c>cnn</c> preset on Fashion-MNIST (Adam 1e-3, batch 128), data loaded up front.</summary>
    public static Row Training(string preset, int batchSize = 128, int epochs = 1)
    {
        bool images = ModelPresets.TakesImages(preset);
        MemoryEstimate.Require(MemoryEstimate.Training(ModelPresets.Size(preset, 784, 10), batchSize, MemoryEstimate.OptimizerSlots("adam"), DType.Float32),
            $"bench {preset} with batch {batchSize}", "pass a smaller --batch-size");
        // Two warm-up steps on a throwaway model (bench/pytorch/workloads.py takes two too) keep first-call costs, here
        // mostly JIT compilation, out of the timed epoch. NOTE: before the data loads, not beside it: the steps fork
        // GEMMs onto the helper threads, and beside the loading thread that would be more busy threads than cores.
        WarmUp(preset, batchSize, images);
        TensorDataset train = FashionMnist.Load(true, flatten: !images), test = FashionMnist.Load(false, flatten: !images);
        var gen = new Generator(1);
        Sequential model = ModelPresets.Build(preset, 784, 10, gen);
        model.Fuse(); // as nabla train runs it
        var optimizer = new Adam(model.Parameters(), 1e-3);
        var loader = new DataLoader(train, batchSize, shuffle: true, generator: new Generator(2));
        // NOTE: every collection, of any generation, counts in generation 0's count; generation 2's counts the full ones.
        int gcBefore = GC.CollectionCount(0), fullGcBefore = GC.CollectionCount(2);
        TimeSpan pauseBefore = GC.GetTotalPauseDuration();
        long allocBefore = GC.GetTotalAllocatedBytes(precise: false);
        var sw = Stopwatch.StartNew();
        long samples = 0, steps = 0;
        using (BufferPool.Begin()) // the training loop's buffers; evaluation below recycles its own in its own scope
        {
            for (int e = 0; e < epochs; e++)
                foreach (var (x, y) in loader)
                {
                    TrainStep(model, optimizer, x, y);
                    samples += x.Size(0);
                    steps++;
                }
        }
        double seconds = sw.Elapsed.TotalSeconds;
        int gcs = GC.CollectionCount(0) - gcBefore, fullGcs = GC.CollectionCount(2) - fullGcBefore;
        double pauseMs = (GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocBefore;
        var (testLoss, testAcc) = Trainer.Evaluate(model, test, 1000);
        return new Row(preset, new Dictionary<string, object>
        {
            ["batch_size"] = batchSize, ["epochs"] = epochs, ["threads"] = ThreadBudget.Current,
            ["seconds"] = seconds, ["samples_per_s"] = samples / seconds, ["test_acc"] = testAcc, ["test_loss"] = testLoss,
            ["peak_rss_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0),
            ["alloc_mb_per_step"] = allocated / (1024.0 * 1024.0) / Math.Max(1, steps), ["gc_per_step"] = (double)gcs / Math.Max(1, steps),
            ["full_gc_per_step"] = (double)fullGcs / Math.Max(1, steps), ["gc_pause_ms_per_step"] = pauseMs / Math.Max(1, steps),
        });
    }

    /// <summary>Two training steps of <paramref name="preset"/> on a throwaway model and blank images, through the same loader and loop as the timed epoch.</summary>
    private static void WarmUp(string preset, int batchSize, bool images)
    {
        const int steps = 2;
        Sequential model = ModelPresets.Build(preset, 784, 10, new Generator(99));
        model.Fuse();
        var optimizer = new Adam(model.Parameters(), 1e-3);
        int n = steps * batchSize;
        var labels = Tensor.From(Enumerable.Range(0, n).Select(i => (long)(i % 10)).ToArray());
        var data = TensorDataset.FromBytes(new byte[n * 784], images ? [n, 1, 28, 28] : [n, 784], labels);
        using (BufferPool.Begin())
            foreach (var (x, y) in new DataLoader(data, batchSize, shuffle: true, generator: new Generator(3)))
                TrainStep(model, optimizer, x, y);
    }

    /// <summary>One step of the training workloads: cross entropy, backward, Adam.</summary>
    private static void TrainStep(Module model, Optimizer optimizer, Tensor x, Tensor y)
    {
        optimizer.ZeroGrad();
        Functional.CrossEntropy(model.Forward(x), y).Backward();
        optimizer.Step();
    }

    /// <summary>W4: a chain of <paramref name="ops"/> elementwise ops (add, mul, tanh in turn) on 16 float32 elements; µs per op.</summary>
    public static Row Overhead(int ops = 1000)
    {
        var x0 = Tensor.Rand([16], generator: new Generator(1), requiresGrad: true);
        var c = Tensor.Rand([16], generator: new Generator(2));
        double bestF = double.MaxValue, bestB = double.MaxValue;
        int reps = Math.Clamp(30_000 / ops, 3, 30);
        for (int rep = 0; rep < reps; rep++)
        {
            var sw = Stopwatch.StartNew();
            Tensor y = x0;
            for (int i = 0; i < ops; i++) y = (i % 3) switch { 0 => y + c, 1 => y * c, _ => y.Tanh() };
            double f = sw.Elapsed.TotalSeconds;
            sw.Restart();
            y.Sum().Backward();
            double b = sw.Elapsed.TotalSeconds;
            x0.Grad = null;
            bestF = Math.Min(bestF, f);
            bestB = Math.Min(bestB, b);
        }
        return new Row("overhead", new Dictionary<string, object>
        {
            ["ops"] = ops, ["fwd_us_per_op"] = bestF / ops * 1e6, ["bwd_us_per_op"] = bestB / ops * 1e6,
        });
    }

    /// <summary>
    /// W5: micrograd's demo. MLP 2-16-16-1 (ReLU) on 100 moons points (noise 0.1), SVM max-margin loss with L2 1e-4,
    /// 100 full-batch SGD steps with lr = 1 − 0.9·k/100; once with 0-d tensors as micrograd does, once batched.
    /// </summary>
    public static IEnumerable<Row> Scalar()
    {
        RuntimePolicy.StartWarmup(DType.Float64); // Note [Runtime policy of the tool]
        TensorDataset moons = Synthetic.Moons(100, 0.1, seed: 1);
        double[] xs = moons.Features.To(DType.Float64).ToArray<double>();
        double[] ys = moons.Labels.ToArray<long>().Select(l => l == 1 ? 1.0 : -1.0).ToArray();
        foreach (string form in new[] { "scalar", "batched" })
        {
            var sw = Stopwatch.StartNew();
            double accuracy = form == "scalar" ? ScalarForm(xs, ys) : BatchedForm(xs, ys);
            yield return new Row("scalar", new Dictionary<string, object> { ["form"] = form, ["seconds"] = sw.Elapsed.TotalSeconds, ["accuracy"] = accuracy });
        }
    }

    private static double[] InitialWeights(int count)
    {
        var g = new Generator(7);
        var w = new double[count];
        for (int i = 0; i < count; i++) w[i] = g.NextDouble() * 2 - 1;
        return w;
    }

    private static readonly int[] Sizes = [2, 16, 16, 1];

    private static double ScalarForm(double[] xs, double[] ys)
    {
        int count = 0;
        for (int l = 0; l + 1 < Sizes.Length; l++) count += (Sizes[l] + 1) * Sizes[l + 1];
        double[] init = InitialWeights(count);
        Tensor[] p = init.Select(v => Tensor.Scalar(v, requiresGrad: true, dtype: DType.Float64)).ToArray();
        int n = ys.Length;
        double accuracy = 0;
        for (int k = 0; k < 100; k++)
        {
            Tensor? loss = null;
            int correct = 0;
            for (int s = 0; s < n; s++)
            {
                Tensor[] act = [Tensor.Scalar(xs[2 * s], dtype: DType.Float64), Tensor.Scalar(xs[2 * s + 1], dtype: DType.Float64)];
                int at = 0;
                for (int l = 0; l + 1 < Sizes.Length; l++)
                {
                    var next = new Tensor[Sizes[l + 1]];
                    for (int j = 0; j < next.Length; j++)
                    {
                        Tensor sum = p[at + Sizes[l]]; // bias
                        for (int i = 0; i < Sizes[l]; i++) sum = sum + p[at + i] * act[i];
                        at += Sizes[l] + 1;
                        next[j] = l + 2 < Sizes.Length ? sum.Relu() : sum;
                    }
                    act = next;
                }
                Tensor score = act[0];
                if (score.Item() > 0 == ys[s] > 0) correct++;
                Tensor margin = (1.0 - score * ys[s]).Relu();
                loss = loss is null ? margin : loss + margin;
            }
            Tensor reg = p[0] * p[0];
            for (int i = 1; i < p.Length; i++) reg = reg + p[i] * p[i];
            Tensor total = loss! / n + reg * 1e-4;
            foreach (Tensor t in p) t.Grad = null;
            total.Backward();
            double lr = 1.0 - 0.9 * k / 100;
            using (Autograd.NoGrad())
                foreach (Tensor t in p) t.SubInPlace(t.Grad! * lr);
            accuracy = (double)correct / n;
        }
        return accuracy;
    }

    private static double BatchedForm(double[] xs, double[] ys)
    {
        int count = 0;
        for (int l = 0; l + 1 < Sizes.Length; l++) count += (Sizes[l] + 1) * Sizes[l + 1];
        double[] init = InitialWeights(count);
        var weights = new List<Tensor>();
        var biases = new List<Tensor>();
        int at = 0;
        for (int l = 0; l + 1 < Sizes.Length; l++)
        {
            int fanIn = Sizes[l], fanOut = Sizes[l + 1];
            var w = new double[fanIn * fanOut];
            var b = new double[fanOut];
            for (int j = 0; j < fanOut; j++)
            {
                for (int i = 0; i < fanIn; i++) w[i * fanOut + j] = init[at + i];
                b[j] = init[at + fanIn];
                at += fanIn + 1;
            }
            weights.Add(Tensor.From(w, [fanIn, fanOut], requiresGrad: true, dtype: DType.Float64));
            biases.Add(Tensor.From(b, [fanOut], requiresGrad: true, dtype: DType.Float64));
        }
        Tensor x = Tensor.From(xs, [ys.Length, 2], dtype: DType.Float64), y = Tensor.From(ys, [ys.Length, 1], dtype: DType.Float64);
        Tensor[] parameters = [.. weights, .. biases];
        double accuracy = 0;
        for (int k = 0; k < 100; k++)
        {
            Tensor h = x;
            for (int l = 0; l < weights.Count; l++)
            {
                h = h.MatMul(weights[l]) + biases[l];
                if (l + 1 < weights.Count) h = h.Relu();
            }
            Tensor loss = (1.0 - h * y).Relu().Mean();
            Tensor reg = parameters.Select(t => (t * t).Sum()).Aggregate((a, b) => a + b);
            Tensor total = loss + reg * 1e-4;
            foreach (Tensor t in parameters) t.Grad = null;
            total.Backward();
            double lr = 1.0 - 0.9 * k / 100;
            using (Autograd.NoGrad())
                foreach (Tensor t in parameters) t.SubInPlace(t.Grad! * lr);
            accuracy = (h.Detach() * y).Gt(0).To(DType.Float64).Mean().Item();
        }
        return accuracy;
    }
}
