using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.IO;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Runtime;

namespace Nabla.Cli.Training;

/// <summary>The outcome of a training run.</summary>
/// <param name="Metrics">One row per completed epoch.</param>
/// <param name="TestAccuracy">The final test accuracy.</param>
/// <param name="TestLoss">The final mean test loss.</param>
/// <param name="Stopped">Why training ended early (Ctrl+C, NaN), or null.</param>
/// <param name="Partial">The epoch training stopped in, when it stopped before the epoch's end; not in <paramref name="Metrics"/>.</param>
public sealed record TrainResult(IReadOnlyList<EpochMetrics> Metrics, double TestAccuracy, double TestLoss, string? Stopped, PartialEpoch? Partial);

/// <summary>
/// Trains a classifier with cross-entropy: the loop behind <c>nabla train</c>. It writes, into the output directory,
/// <c>metrics.csv</c>, <c>metrics.svg</c>, <c>model.safetensors</c>, <c>checkpoint.safetensors</c> and <c>summary.json</c>.
/// </summary>
public sealed class Trainer
{
    private static readonly string[] OutputFiles =
        ["model.safetensors", "checkpoint.safetensors", "metrics.csv", "metrics.svg", "summary.json", "gradient-flow.csv", "gradient-flow.svg"];
    private TrainSettings _s;
    private readonly TextWriter _out;
    private readonly bool _interactive;
    private volatile bool _stopRequested;

    /// <summary>Creates a trainer; <paramref name="interactive"/> draws a live progress bar instead of log lines.</summary>
    public Trainer(TrainSettings settings, TextWriter output, bool interactive)
    {
        _s = settings;
        _out = output;
        _interactive = interactive;
    }

    /// <summary>Raised after each completed epoch, once its metrics and checkpoint are written.</summary>
    public event Action<EpochMetrics>? EpochCompleted;

    /// <summary>Asks the loop to stop after the current batch (Ctrl+C); files are still written.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>
    /// Builds the model for the settings and dataset, with parameters of <paramref name="dtype"/>, once the memory
    /// estimate (Note [Memory estimate]) shows it fits: for training with <see cref="TrainSettings.BatchSize"/> and the
    /// optimizer's buffers, or, given <paramref name="inferenceBatch"/>, for inference only.
    /// </summary>
    /// <remarks>
    /// With <paramref name="fuse"/> (training, evaluation, benchmarks) the model is fused (<see cref="ModuleExtensions.Fuse"/>): each
    /// Linear or Conv2d followed by a ReLU runs as one op, with the same values, gradients and state_dict. <c>nabla graph</c>
    /// shows the model unfused, layer by layer.
    /// </remarks>
    public static Sequential BuildModel(TrainSettings s, LoadedDataset data, Generator generator, DType dtype = DType.Float32, int? inferenceBatch = null,
        bool fuse = true)
    {
        ArgumentNullException.ThrowIfNull(s);
        ArgumentNullException.ThrowIfNull(data);
        if (s.Layers is null && ModelPresets.TakesImages(s.Model!) && data.SampleShape is not [1, 28, 28])
            throw new UsageException($"--model {s.Model} needs 28x28 images, but the dataset '{data.Name}' has {data.Features} features per sample",
                "pass --dataset fashion-mnist or --dataset mnist, or use --model mlp (or --layers) for this dataset");
        CheckMemory(s, data, dtype, inferenceBatch);
        if (s.Layers is { } layers)
        {
            if (layers[0] != data.Features)
                throw new UsageException($"--layers starts with {layers[0]} inputs but the dataset '{data.Name}' has {data.Features} features",
                    $"start --layers with {data.Features}");
            if (layers[^1] != data.Classes)
                throw new UsageException($"--layers ends with {layers[^1]} outputs but the dataset '{data.Name}' has {data.Classes} classes",
                    $"end --layers with {data.Classes}");
            return Fused(ModelPresets.FromLayers(layers, s.Activation, s.Init, generator, dtype), fuse);
        }
        return Fused(ModelPresets.Build(s.Model!, data.Features, data.Classes, generator, dtype), fuse);
    }

    private static Sequential Fused(Sequential model, bool fuse)
    {
        if (fuse) model.Fuse();
        return model;
    }

    private static void CheckMemory(TrainSettings s, LoadedDataset data, DType dtype, int? inferenceBatch)
    {
        ModelSize size = s.Layers is { } l ? ModelPresets.SizeOfLayers(l) : ModelPresets.Size(s.Model!, data.Features, data.Classes);
        string model = s.Layers is { } ls ? $"--layers {string.Join(",", ls)}" : $"--model {s.Model} with {data.Classes:N0} classes";
        string parameters = string.Create(CultureInfo.InvariantCulture, $"{size.Parameters:N0} parameters");
        if (inferenceBatch is { } b)
            MemoryEstimate.Require(MemoryEstimate.Inference(size, b, dtype), $"{model} ({parameters}, batch {b})",
                "evaluate a smaller model, or pass a smaller --batch-size");
        else
            MemoryEstimate.Require(MemoryEstimate.Training(size, s.BatchSize, MemoryEstimate.OptimizerSlots(s.Optimizer), dtype),
                $"training {model} ({parameters}, {dtype.Name()}, {s.Optimizer}, batch {s.BatchSize})",
                s.Layers is not null ? "pass narrower --layers or a smaller --batch-size" : "pass a smaller --batch-size, or check the dataset's labels: the class count is the largest label + 1");
    }

    /// <summary>Runs the whole training and writes the output files.</summary>
    public TrainResult Run()
    {
        // See Note [Distributed training in the CLI]: MPI is finalised only after a run that completed.
        DistributedRun? dist = DistributedRun.Start(_s.Distributed, _s.BucketCapMb);
        TrainResult result = Run(dist);
        dist?.Finish();
        return result;
    }

    private TrainResult Run(DistributedRun? dist)
    {
        bool writes = dist?.IsRoot ?? true;
        TextWriter output = writes ? _out : TextWriter.Null;
        bool interactive = _interactive && writes;
        int threads = DistributedRun.Threads(_s.Threads, dist);
        using IDisposable? budget = threads > 0 ? ThreadBudget.Limit(threads) : null;
        RuntimePolicy.StartWarmup(DType.Float32);
        Resumption? resumption = _s.Resume is not null ? Resumption.Open(_s) : null;
        if (resumption is not null) _s = resumption.Settings;
        string outDir = writes ? PrepareOutput(_s.Out) : Path.GetFullPath(_s.Out);
        using RunLock? runLock = writes ? RunLock.Acquire(outDir) : null;
        string modelName = _s.Model ?? "mlp";
        LoadedDataset data = DatasetCatalog.Load(_s.Dataset, ModelPresets.TakesImages(modelName) && _s.Layers is null, _s.Seed, _s.Download);
        var modelGen = new Generator(_s.Seed);
        var dataGen = new Generator(_s.Seed + 1);
        Sequential model = BuildModel(_s, data, modelGen);
        Optimizer optimizer = BuildOptimizer(model);
        DistributedSampler? sampler = dist is null ? null : new DistributedSampler(data.Train, dist.Size, dist.Rank, shuffle: true, seed: _s.Seed + 1);
        var loader = new DataLoader(data.Train, _s.BatchSize, shuffle: sampler is null, generator: dataGen, sampler: sampler);
        Module trained = (Module?)dist?.Wrap(model) ?? model;
        LrScheduler? scheduler = BuildScheduler(optimizer, loader.BatchCount);
        bool perBatchScheduler = _s.Scheduler is "onecycle";
        // Mixed precision: autocast in the forward pass and loss, loss scaling for float16 (docs/scale.md §2).
        GradScaler? scaler = _s.Precision == "fp16" ? new GradScaler() : null;

        var metrics = new List<EpochMetrics>();
        int startEpoch = 0;
        if (resumption is not null)
        {
            resumption.Restore(model, optimizer, scheduler, modelGen, dataGen);
            startEpoch = resumption.State.Epoch;
            metrics.AddRange(resumption.Metrics);
            output.WriteLine($"resuming from {resumption.CheckpointPath} after epoch {startEpoch} of {_s.Epochs}, into {outDir}");
            foreach (string change in resumption.Applied) output.WriteLine($"  applied {change}");
            if (startEpoch >= _s.Epochs)
            {
                output.WriteLine($"nothing to train: the run has completed its {_s.Epochs} epochs; pass --epochs N with N > {_s.Epochs} to train further");
                return new TrainResult(metrics, metrics.Count > 0 ? metrics[^1].TestAccuracy : double.NaN, metrics.Count > 0 ? metrics[^1].TestLoss : double.NaN, null, null);
            }
        }

        output.WriteLine($"training {(_s.Layers is null ? modelName : "mlp " + string.Join(",", _s.Layers))} on {data.Name}: {data.Train.Count} train / {data.Test.Count} test samples, " +
                       $"{model.ParameterCount():N0} parameters, {_s.Optimizer} lr {_s.Lr.ToString(CultureInfo.InvariantCulture)}, batch {_s.BatchSize}" +
                       (dist is null ? "" : $" per rank x {dist.Size} ranks = {_s.BatchSize * dist.Size}") + $", {_s.Epochs} epochs");
        string? stopped = null;
        PartialEpoch? partial = null;
        var written = new List<string>();
        using GradientFlowRecorder? flow = _s.Diagnose ? new GradientFlowRecorder(model) : null;
        // Every op of the loop runs on this thread, so its large buffers can be recycled: see Note [Buffer reuse].
        using var pool = BufferPool.Begin();
        var total = Stopwatch.StartNew();
        long samplesSeen = 0;
        for (int epoch = startEpoch; epoch < _s.Epochs && stopped is null; epoch++)
        {
            model.Train();
            sampler?.SetEpoch(epoch);
            var clock = Stopwatch.StartNew();
            double lossSum = 0;
            long correct = 0, seen = 0;
            int batch = 0;
            double lrUsed = optimizer.ParamGroups[0].Lr;
            foreach (var (x, y) in loader)
            {
                optimizer.ZeroGrad();
                Tensor logits, loss;
                double lv;
                try
                {
                    using IDisposable? anomaly = _s.DetectAnomaly ? Autograd.DetectAnomaly() : null;
                    using (PrecisionOption.Enter(_s.Precision))
                    {
                        logits = trained.Forward(x);
                        loss = Functional.CrossEntropy(logits, y);
                    }
                    lv = loss.Item();
                    // Every rank stops alike (Note [Distributed training in the CLI]): the loss is the mean over the ranks.
                    if (dist is not null && dist.Sum(lv / dist.Size, _stopRequested ? 1 : 0) is var agreed)
                        (lv, _stopRequested) = (agreed[0], agreed[1] > 0);
                    if (double.IsFinite(lv)) (scaler?.Scale(loss) ?? loss).Backward();
                }
                catch (AnomalyException e)
                {
                    stopped = $"--detect-anomaly: at epoch {epoch + 1}, batch {batch + 1}: {e.Message}";
                    break;
                }
                if (!double.IsFinite(lv))
                {
                    stopped = $"the loss became {lv.ToString(CultureInfo.InvariantCulture)} at epoch {epoch + 1}, batch {batch + 1}; lower --lr (now {_s.Lr.ToString(CultureInfo.InvariantCulture)}) or change the optimizer" +
                              (_s.DetectAnomaly ? "" : "; run with --detect-anomaly to find the op that produced it");
                    break;
                }
                if (scaler is null) optimizer.Step();
                else
                {
                    scaler.Step(optimizer);
                    scaler.Update();
                }
                flow?.RecordStep();
                if (perBatchScheduler) scheduler!.Step();
                int n = x.Size(0);
                lossSum += lv * n;
                correct += Correct(logits, y);
                seen += n;
                batch++;
                if (interactive) DrawProgress(epoch, batch, loader.BatchCount, lossSum / seen, (double)correct / seen, seen * (dist?.Size ?? 1) / clock.Elapsed.TotalSeconds, dist?.Size ?? 1);
                if (_stopRequested) { stopped = $"stopped by Ctrl+C during epoch {epoch + 1} after {batch} batches"; break; }
            }
            if (interactive) output.WriteLine();
            double seconds = clock.Elapsed.TotalSeconds;
            if (dist is not null && dist.Sum(lossSum, correct, seen) is var sums) (lossSum, correct, seen) = (sums[0], (long)sums[1], (long)sums[2]);
            samplesSeen += seen;
            if (batch < loader.BatchCount)
            {
                // Note [Partial epochs]: an epoch cut short (Ctrl+C, NaN, anomaly) is reported but not recorded as one.
                if (seen > 0) partial = new PartialEpoch(epoch + 1, batch, loader.BatchCount, lossSum / seen, (double)correct / seen);
                break;
            }
            if (seen == 0) break;
            if (!perBatchScheduler) scheduler?.Step();
            var (testLoss, testAcc) = Evaluate(model, data.Test, TestBatchSize, dist: dist);
            var row = new EpochMetrics(epoch + 1, lossSum / seen, (double)correct / seen, testLoss, testAcc, lrUsed, seconds, seen / seconds);
            metrics.Add(row);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {row.Epoch}/{_s.Epochs}  loss {row.TrainLoss:F4}  acc {row.TrainAccuracy:F4}  test loss {row.TestLoss:F4}  test acc {row.TestAccuracy:F4}  {row.SamplesPerSecond:N0} samples/s  {seconds:F1}s"));
            if (writes) WriteMetrics(outDir, metrics, written);
            if (writes)
                new TrainingState
            {
                Model = model.StateDict(),
                Optimizer = optimizer.StateDict(),
                Scheduler = scheduler?.StateDict(),
                Epoch = epoch + 1,
                Generators = new Dictionary<string, ulong[]> { ["model"] = modelGen.GetState(), ["data"] = dataGen.GetState() },
                Settings = _s.ToDictionary(),
            }.Save(Path.Combine(outDir, Written(written, "checkpoint.safetensors")));
            EpochCompleted?.Invoke(row);
        }
        var (finalLoss, finalAcc) = metrics.Count > 0 && stopped is null ? (metrics[^1].TestLoss, metrics[^1].TestAccuracy) : Evaluate(model, data.Test, TestBatchSize, dist: dist);
        double totalSeconds = total.Elapsed.TotalSeconds;
        if (writes)
        {
            SafeTensors.Save(Path.Combine(outDir, Written(written, "model.safetensors")), model.StateDict(), _s.ToDictionary());
            WriteSummary(outDir, finalAcc, finalLoss, metrics, partial, totalSeconds, samplesSeen, stopped);
            written.Add("summary.json");
            if (flow is { Steps: > 0 }) WriteGradientFlow(outDir, flow, written);
        }
        if (stopped is not null) output.WriteLine(stopped);
        if (partial is not null)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {partial.Epoch} stopped after {partial.Batches} of {partial.BatchCount} batches (loss {partial.TrainLoss:F4}, acc {partial.TrainAccuracy:F4}): not recorded in metrics.csv; " +
                $"{(metrics.Count > 0 ? $"checkpoint.safetensors holds epoch {metrics[^1].Epoch}, and --resume {outDir} continues from there" : "no epoch was completed")}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy {finalAcc:F4} (loss {finalLoss:F4}) after {metrics.Count} epochs in {totalSeconds:F1}s"));
        output.WriteLine($"wrote {outDir}{Path.DirectorySeparatorChar}{{{string.Join(", ", OutputFiles.Where(written.Contains))}}}");
        return new TrainResult(metrics, finalAcc, finalLoss, stopped, partial);
    }

    // NOTE: the test pass after each epoch runs in batches of at least 256: in evaluation mode a sample's output does
    // not depend on its batch, and larger batches are faster.
    private int TestBatchSize => Math.Max(_s.BatchSize, 256);

    private static string Written(List<string> written, string file)
    {
        if (!written.Contains(file)) written.Add(file);
        return file;
    }

    /// <summary>Creates the output directory and proves it is writable before any training starts.</summary>
    public static string PrepareOutput(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return Path.GetFullPath(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--out: cannot write to '{dir}': {e.Message}", "choose a directory you can write to with --out DIR");
        }
    }

    private Optimizer BuildOptimizer(Module model)
    {
        IEnumerable<Tensor> p = model.Parameters();
        return _s.Optimizer switch
        {
            "sgd" => new Sgd(p, _s.Lr, weightDecay: _s.WeightDecay),
            "momentum" => new Sgd(p, _s.Lr, momentum: 0.9, weightDecay: _s.WeightDecay),
            "nesterov" => new Sgd(p, _s.Lr, momentum: 0.9, weightDecay: _s.WeightDecay, nesterov: true),
            "adam" => new Adam(p, _s.Lr, weightDecay: _s.WeightDecay),
            "adamw" => new AdamW(p, _s.Lr, weightDecay: _s.WeightDecay),
            "rmsprop" => new RmsProp(p, _s.Lr, weightDecay: _s.WeightDecay),
            "adagrad" => new Adagrad(p, _s.Lr, weightDecay: _s.WeightDecay),
            _ => throw new UsageException($"unknown optimizer '{_s.Optimizer}'", "use sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad"),
        };
    }

    private LrScheduler? BuildScheduler(Optimizer optimizer, int batchesPerEpoch) => _s.Scheduler switch
    {
        "none" => null,
        "step" => new StepLR(optimizer, Math.Max(1, _s.Epochs / 3), 0.1),
        "cosine" => new CosineAnnealingLR(optimizer, _s.Epochs),
        "onecycle" => new OneCycleLR(optimizer, _s.Lr, _s.Epochs * batchesPerEpoch),
        "warmup" => new LinearWarmup(optimizer, 0.1, 1.0, Math.Min(5, _s.Epochs)),
        _ => throw new UsageException($"unknown scheduler '{_s.Scheduler}'", "use none, step, cosine, onecycle or warmup"),
    };

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> on <paramref name="data"/> in evaluation mode, in batches of <paramref name="batchSize"/>.</summary>
    public static (double Loss, double Accuracy) Evaluate(Module model, Dataset data, int batchSize, Confusion? confusion = null, DistributedRun? dist = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        bool wasTraining = model.IsTraining;
        model.Eval();
        double lossSum = 0;
        long correct = 0, seen = 0;
        // NOTE: evaluation recycles its own buffers in its own scope, released when it ends: its batch is usually
        // larger than training's, and buffers of that size kept in the training scope's pool would stay for the
        // whole run (see Note [Buffer reuse]).
        using (BufferPool.Begin())
        using (Autograd.NoGrad())
        {
            foreach (var (x, y) in new DataLoader(data, batchSize, sampler: dist?.EvaluationShard(data)))
            {
                Tensor logits = model.Forward(x);
                lossSum += Functional.CrossEntropy(logits, y, reduction: Reduction.Sum).Item();
                correct += Correct(logits, y);
                seen += x.Size(0);
                if (confusion is not null)
                {
                    long[] pred = logits.ArgMax(1).ToArray<long>(), truth = y.ToArray<long>();
                    for (int i = 0; i < pred.Length; i++) confusion.Add(truth[i], pred[i]);
                }
            }
        }
        model.Train(wasTraining);
        if (dist is not null && dist.Sum(lossSum, correct, seen) is var sums) (lossSum, correct, seen) = (sums[0], (long)sums[1], (long)sums[2]);
        return seen == 0 ? (double.NaN, double.NaN) : (lossSum / seen, (double)correct / seen);
    }

    private static long Correct(Tensor logits, Tensor labels)
    {
        long[] pred = logits.Detach().ArgMax(1).ToArray<long>(), truth = labels.ToArray<long>();
        long c = 0;
        for (int i = 0; i < pred.Length; i++) if (pred[i] == truth[i]) c++;
        return c;
    }

    private void DrawProgress(int epoch, int batch, int batches, double loss, double acc, double samplesPerSecond, int ranks)
    {
        const int width = 30;
        int filled = (int)((long)width * batch / Math.Max(1, batches));
        double remaining = samplesPerSecond > 0 ? (batches - batch) * (double)_s.BatchSize * ranks / samplesPerSecond : 0;
        _out.Write(string.Create(CultureInfo.InvariantCulture,
            $"\repoch {epoch + 1}/{_s.Epochs} [{new string('#', filled)}{new string('-', width - filled)}] {100.0 * batch / batches,3:F0}%  loss {loss:F4}  acc {acc:F4}  {samplesPerSecond:N0} samples/s  ETA {TimeSpan.FromSeconds(remaining):m\\:ss}  "));
    }

    private static void WriteMetrics(string outDir, IReadOnlyList<EpochMetrics> metrics, List<string> written)
    {
        AtomicFile.Write(Path.Combine(outDir, Written(written, "metrics.csv")), stream =>
        {
            using var w = new StreamWriter(stream, leaveOpen: true);
            w.WriteLine(EpochMetrics.Header);
            foreach (var m in metrics) w.WriteLine(m.ToCsv());
        });
        string svg = MetricsChart(metrics);
        AtomicFile.Write(Path.Combine(outDir, Written(written, "metrics.svg")), stream =>
        {
            using var w = new StreamWriter(stream, leaveOpen: true);
            w.Write(svg);
        });
    }

    /// <summary>Writes <c>gradient-flow.csv</c> and <c>gradient-flow.svg</c> and prints the report (<c>--diagnose</c>).</summary>
    private void WriteGradientFlow(string outDir, GradientFlowRecorder flow, List<string> written)
    {
        AtomicFile.Write(Path.Combine(outDir, Written(written, "gradient-flow.csv")), stream =>
        {
            using var w = new StreamWriter(stream, leaveOpen: true);
            flow.WriteCsv(w);
        });
        string svg = flow.ToSvg();
        AtomicFile.Write(Path.Combine(outDir, Written(written, "gradient-flow.svg")), stream =>
        {
            using var w = new StreamWriter(stream, leaveOpen: true);
            w.Write(svg);
        });
        _out.WriteLine(flow.Report().ToString());
    }

    /// <summary>Loss, accuracy and learning rate per epoch as a three-panel SVG chart.</summary>
    public static string MetricsChart(IReadOnlyList<EpochMetrics> metrics)
    {
        double[] epochs = metrics.Select(m => (double)m.Epoch).ToArray();
        var loss = new LineChart { Title = "Loss", XLabel = "epoch", YLabel = "cross-entropy" };
        loss.Series.Add(new ChartSeries("train", epochs, metrics.Select(m => m.TrainLoss).ToArray()));
        loss.Series.Add(new ChartSeries("test", epochs, metrics.Select(m => m.TestLoss).ToArray()));
        var acc = new LineChart { Title = "Accuracy", XLabel = "epoch", YLabel = "accuracy" };
        acc.Series.Add(new ChartSeries("train", epochs, metrics.Select(m => m.TrainAccuracy).ToArray()));
        acc.Series.Add(new ChartSeries("test", epochs, metrics.Select(m => m.TestAccuracy).ToArray()));
        var lr = new LineChart { Title = "Learning rate", XLabel = "epoch", YLabel = "learning rate", Height = 260 };
        lr.Series.Add(new ChartSeries("lr", epochs, metrics.Select(m => m.Lr).ToArray()));
        return LineChart.RenderPanels([loss, acc, lr]);
    }

    private void WriteSummary(string outDir, double acc, double loss, List<EpochMetrics> metrics, PartialEpoch? partial, double seconds, long samples, string? stopped)
    {
        var summary = new Dictionary<string, object?>
        {
            ["test_accuracy"] = acc,
            ["test_loss"] = loss,
            ["epochs"] = metrics.Count,
            ["partial_epoch"] = partial is null ? null : new Dictionary<string, object>
            {
                ["epoch"] = partial.Epoch, ["batches"] = partial.Batches, ["batch_count"] = partial.BatchCount,
                ["train_loss"] = partial.TrainLoss, ["train_accuracy"] = partial.TrainAccuracy,
            },
            ["seconds"] = seconds,
            ["samples_per_s"] = seconds > 0 ? samples / seconds : 0,
            ["stopped"] = stopped,
            ["settings"] = _s.ToDictionary(),
        };
        AtomicFile.Write(Path.Combine(outDir, "summary.json"), stream =>
            JsonSerializer.Serialize(stream, summary, CliJson.Indented));
    }
}
