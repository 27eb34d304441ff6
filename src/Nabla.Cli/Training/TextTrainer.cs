using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Nabla.Data;
using Nabla.Diagnostics;
using Nabla.IO;
using Nabla.Models;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Runtime;

namespace Nabla.Cli.Training;

/// <summary>One evaluation of a text run: nanoGPT's estimate of both losses over random batches, at a step.</summary>
/// <param name="Iter">Steps done.</param>
/// <param name="TrainLoss">Mean loss over <c>--eval-iters</c> random training batches.</param>
/// <param name="ValLoss">The same over validation batches.</param>
/// <param name="Lr">The learning rate of the last step.</param>
/// <param name="Seconds">Training time so far (evaluations excluded).</param>
/// <param name="TokensPerSecond">Training tokens per second since the previous evaluation.</param>
public sealed record TextMetrics(int Iter, double TrainLoss, double ValLoss, double Lr, double Seconds, double TokensPerSecond);

/// <summary>
/// Trains a character-level language model (<c>nabla train --dataset shakespeare|text:FILE</c>) with nanoGPT's loop:
/// random windows, AdamW with decay on 2-D weights only, warm-up then cosine learning rate, gradient clipping; evaluates
/// every <c>--eval-interval</c> steps and writes metrics, checkpoints, the model and summary.json with the deterministic
/// validation loss (<see cref="TextEvaluation.ValidationLoss"/>).
/// </summary>
public sealed class TextTrainer(TextSettings settings, TextWriter output, bool interactive)
{
    private TextSettings _s = settings;
    private readonly TextWriter _output = output;
    private readonly bool _interactive = interactive;
    private volatile bool _stopRequested;

    /// <summary>The cap of the training loop's buffer pool.</summary>
    public const long PoolCapBytes = 128L << 20;

    /// <summary>The files a run writes.</summary>
    public static readonly string[] OutputFiles = ["model.safetensors", "checkpoint.safetensors", "metrics.csv", "metrics.svg", "summary.json"];

    /// <summary>Asks the loop to stop after the current step (Ctrl+C); the files are still written.</summary>
    public void RequestStop() => _stopRequested = true;

    /// <summary>Runs the training; returns the deterministic validation loss of the final model, and why it stopped early (or null).</summary>
    public (double ValLoss, string? Stopped) Run()
    {
        // See Note [Distributed training in the CLI]: MPI is finalised only after a run that completed.
        DistributedRun? dist = DistributedRun.Start(_s.Distributed, _s.BucketCapMb);
        var result = Run(dist);
        dist?.Finish();
        return result;
    }

    private (double ValLoss, string? Stopped) Run(DistributedRun? dist)
    {
        bool writes = dist?.IsRoot ?? true;
        TextWriter output = writes ? _output : TextWriter.Null;
        bool interactive = _interactive && writes;
        int threads = DistributedRun.Threads(_s.Threads, dist);
        using IDisposable? budget = threads > 0 ? ThreadBudget.Limit(threads) : null;
        TrainingState? resumed = null;
        string? checkpointPath = null;
        if (_s.Resume is { } resume)
        {
            checkpointPath = Directory.Exists(resume) ? Path.Combine(resume, "checkpoint.safetensors") : resume;
            if (!File.Exists(checkpointPath))
                throw new UsageException($"--resume: no checkpoint at '{checkpointPath}'", "pass the checkpoint.safetensors (or the --out directory) of a text run");
            resumed = TrainingState.Load(checkpointPath);
            TextSettings recorded = TextSettings.FromDictionary(resumed.Settings, _s.Given.Contains("--out") ? _s.Out : Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!, checkpointPath);
            foreach (string option in _s.Given.Where(o => !TextSettings.ResumeOptions.Contains(o) && o != "--dataset" && o != "--model"))
                throw new UsageException($"{option} cannot change when resuming: the checkpoint fixes the model and the recipe",
                    $"omit {option}; --resume accepts {string.Join(", ", TextSettings.ResumeOptions.Where(o => o != "--resume"))}");
            _s = recorded with
            {
                Iters = _s.Given.Contains("--iters") ? _s.Iters : recorded.Iters,
                EvalInterval = _s.Given.Contains("--eval-interval") ? _s.EvalInterval : recorded.EvalInterval,
                EvalIters = _s.Given.Contains("--eval-iters") ? _s.EvalIters : recorded.EvalIters,
                Threads = _s.Threads,
                GradCheckpoint = recorded.GradCheckpoint || _s.GradCheckpoint,
                Resume = _s.Resume,
            };
        }
        string outDir = writes ? Trainer.PrepareOutput(_s.Out) : Path.GetFullPath(_s.Out);
        using RunLock? runLock = writes ? RunLock.Acquire(outDir) : null;
        var (train, val, name) = TextData.Load(_s.Dataset);
        if (val.Length <= _s.BlockSize)
            throw new UsageException($"{name}: its validation split has {val.Length} characters, too few for --block-size {_s.BlockSize}",
                "use a longer text or a smaller --block-size");
        var modelGen = new Generator(_s.Seed);
        // Each rank draws its own windows; rank 0 keeps the single-process stream.
        var dataGen = new Generator(_s.Seed + 1 + (ulong)(dist?.Rank ?? 0) * 0x9E3779B97F4A7C15UL);
        ILanguageModel lm = _s.BuildModel(train.Tokenizer.VocabSize, modelGen);
        Module model = lm.Module;
        Module trained = dist?.Wrap(model) ?? model;
        int ranks = dist?.Size ?? 1;
        var decay = new ParamGroup(model.Parameters().Where(p => p.Rank >= 2)) { WeightDecay = _s.WeightDecay };
        var noDecay = new ParamGroup(model.Parameters().Where(p => p.Rank < 2)) { WeightDecay = 0.0 };
        var optimizer = new AdamW([decay, noDecay], lr: _s.Lr, beta1: 0.9, beta2: 0.99);
        var metrics = new List<TextMetrics>();
        int start = 0;
        if (resumed is not null)
        {
            model.LoadStateDict(resumed.Model);
            if (resumed.Optimizer is { } state) optimizer.LoadStateDict(state);
            if (resumed.Generators.TryGetValue("model", out ulong[]? m)) modelGen.SetState(m);
            if (resumed.Generators.TryGetValue("data", out ulong[]? d)) dataGen.SetState(d);
            start = resumed.Epoch;
            metrics.AddRange(ReadMetrics(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpointPath!))!, "metrics.csv"), start));
            output.WriteLine($"resuming from {checkpointPath} after step {start} of {_s.Iters}, into {outDir}");
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training {_s.Model} on {name}: {train.Length:N0} train / {val.Length:N0} val characters, vocabulary {train.Tokenizer.VocabSize}, " +
            $"{model.ParameterCount():N0} parameters, AdamW lr {_s.Lr} -> {_s.MinLr}, batch {_s.BatchSize} x {_s.BlockSize}" +
            $"{(dist is null ? "" : $" per rank x {ranks} ranks")}, {_s.Iters} steps"));

        string? stopped = null;
        var clock = new Stopwatch();
        double trainSeconds = metrics.Count > 0 ? metrics[^1].Seconds : 0;
        long tokensSinceEval = 0;
        double secondsAtEval = trainSeconds;
        double lr = _s.LearningRate(start);
        // Every op of the loop runs on this thread, so its large buffers can be recycled: see Note [Buffer reuse]. A
        // step's buffers come to tens of megabytes, so the cap bounds what throttled collections let the pool keep.
        model.Train(); // evaluations restore it (TextEvaluation)
        // Mixed precision: autocast in the forward pass, and loss scaling for float16 (docs/scale.md §2).
        GradScaler? scaler = _s.Precision == "fp16" ? new GradScaler() : null;
        using (BufferPool.Begin(PoolCapBytes))
        {
            for (int it = start; it < _s.Iters; it++)
            {
                lr = _s.LearningRate(it);
                foreach (ParamGroup g in optimizer.ParamGroups) g.Lr = lr;
                clock.Restart();
                var (x, y) = train.GetBatch(_s.BatchSize, _s.BlockSize, dataGen);
                Tensor loss;
                using (PrecisionOption.Enter(_s.Precision)) loss = Gpt.Loss(trained.Forward(x), y);
                double lv = loss.Item();
                // Every rank stops alike (Note [Distributed training in the CLI]): the loss is the mean over the ranks.
                if (dist is not null && dist.Sum(lv / ranks, _stopRequested ? 1 : 0) is var agreed)
                    (lv, _stopRequested) = (agreed[0], agreed[1] > 0);
                if (!double.IsFinite(lv))
                {
                    stopped = string.Create(CultureInfo.InvariantCulture, $"the loss became {lv} at step {it + 1}; lower --lr (now {_s.Lr})");
                    break;
                }
                optimizer.ZeroGrad();
                (scaler?.Scale(loss) ?? loss).Backward();
                scaler?.Unscale(optimizer);
                if (_s.GradClip > 0) GradClip.ClipGradNorm(model.Parameters(), _s.GradClip);
                if (scaler is null) optimizer.Step();
                else
                {
                    scaler.Step(optimizer);
                    scaler.Update();
                }
                trainSeconds += clock.Elapsed.TotalSeconds;
                tokensSinceEval += (long)_s.BatchSize * _s.BlockSize * ranks;
                if (interactive)
                    output.Write(string.Create(CultureInfo.InvariantCulture, $"\rstep {it + 1}/{_s.Iters}  loss {lv:F4}  lr {lr:G3}  {tokensSinceEval / Math.Max(trainSeconds - secondsAtEval, 1e-9):N0} tokens/s   "));
                bool last = it + 1 == _s.Iters;
                if ((it + 1) % _s.EvalInterval == 0 || last || _stopRequested)
                {
                    if (interactive) output.WriteLine();
                    var (trainLoss, valLoss) = (TextEvaluation.Estimate(model, train, _s.BatchSize, _s.BlockSize, _s.EvalIters, _s.Seed + 2, dist),
                        TextEvaluation.Estimate(model, val, _s.BatchSize, _s.BlockSize, _s.EvalIters, _s.Seed + 3, dist));
                    var row = new TextMetrics(it + 1, trainLoss, valLoss, lr, trainSeconds, tokensSinceEval / Math.Max(trainSeconds - secondsAtEval, 1e-9));
                    metrics.Add(row);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"step {row.Iter}/{_s.Iters}  train loss {row.TrainLoss:F4}  val loss {row.ValLoss:F4}  lr {row.Lr:G3}  {row.TokensPerSecond:N0} tokens/s  {row.Seconds:F1}s"));
                    tokensSinceEval = 0;
                    secondsAtEval = trainSeconds;
                    if (writes) WriteMetrics(outDir, metrics);
                    if (writes)
                        new TrainingState
                    {
                        Model = model.StateDict(),
                        Optimizer = optimizer.StateDict(),
                        Epoch = it + 1,
                        Generators = new Dictionary<string, ulong[]> { ["model"] = modelGen.GetState(), ["data"] = dataGen.GetState() },
                        Settings = _s.ToDictionary(),
                    }.Save(Path.Combine(outDir, "checkpoint.safetensors"));
                }
                if (_stopRequested)
                {
                    stopped = $"stopped by Ctrl+C after step {it + 1}; --resume {outDir} continues from there";
                    break;
                }
            }
        }
        if (writes) lm.Save(Path.Combine(outDir, "model.safetensors"), train.Tokenizer, new Dictionary<string, string> { ["nabla_dataset"] = _s.Dataset });
        double final = TextEvaluation.ValidationLoss(model, val, lm.BlockSize, dist);
        int steps = metrics.Count > 0 ? metrics[^1].Iter : start;
        if (writes) WriteSummary(outDir, final, steps, trainSeconds, metrics, stopped, ranks);
        if (stopped is not null) output.WriteLine(stopped);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"validation loss {final:F4} (all {val.WindowCount(lm.BlockSize):N0} windows of {lm.BlockSize}) after {steps} steps in {trainSeconds:F1}s of training"));
        output.WriteLine($"wrote {outDir}{Path.DirectorySeparatorChar}{{{string.Join(", ", OutputFiles)}}}");
        return (final, stopped);
    }

    private static void WriteMetrics(string outDir, List<TextMetrics> metrics)
    {
        AtomicFile.Write(Path.Combine(outDir, "metrics.csv"), stream =>
        {
            using var w = new StreamWriter(stream, leaveOpen: true);
            w.WriteLine("iter,train_loss,val_loss,lr,seconds,tokens_per_s");
            foreach (TextMetrics m in metrics)
                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{m.Iter},{m.TrainLoss:R},{m.ValLoss:R},{m.Lr:R},{m.Seconds:R},{m.TokensPerSecond:R}"));
        });
        double[] iters = [.. metrics.Select(m => (double)m.Iter)];
        var loss = new LineChart { Title = "Loss", XLabel = "step", YLabel = "cross-entropy" };
        loss.Series.Add(new ChartSeries("train", iters, [.. metrics.Select(m => m.TrainLoss)]));
        loss.Series.Add(new ChartSeries("val", iters, [.. metrics.Select(m => m.ValLoss)]));
        var lr = new LineChart { Title = "Learning rate", XLabel = "step", YLabel = "learning rate", Height = 260 };
        lr.Series.Add(new ChartSeries("lr", iters, [.. metrics.Select(m => m.Lr)]));
        string svg = LineChart.RenderPanels([loss, lr]);
        AtomicFile.Write(Path.Combine(outDir, "metrics.svg"), stream =>
        {
            using var w = new StreamWriter(stream, leaveOpen: true);
            w.Write(svg);
        });
    }

    /// <summary>The rows of a run's metrics.csv up to <paramref name="upTo"/> steps (those the checkpoint holds).</summary>
    private static IEnumerable<TextMetrics> ReadMetrics(string path, int upTo)
    {
        if (!File.Exists(path)) yield break;
        foreach (string line in File.ReadLines(path).Skip(1))
        {
            string[] f = line.Split(',');
            if (f.Length != 6 || !int.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int iter) || iter > upTo) continue;
            double D(int i) => double.Parse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture);
            yield return new TextMetrics(iter, D(1), D(2), D(3), D(4), D(5));
        }
    }

    private void WriteSummary(string outDir, double valLoss, int steps, double seconds, List<TextMetrics> metrics, string? stopped, int ranks)
    {
        var fields = new Dictionary<string, object?>
        {
            ["dataset"] = _s.Dataset, ["model"] = _s.Model, ["val_loss"] = double.IsFinite(valLoss) ? valLoss : null, ["iters"] = steps,
            ["train_seconds"] = seconds, ["tokens_per_s"] = seconds > 0 ? steps * (double)_s.BatchSize * _s.BlockSize * ranks / seconds : null, ["ranks"] = ranks,
            ["block_size"] = _s.BlockSize, ["batch_size"] = _s.BatchSize, ["stopped"] = stopped,
            ["last_estimate"] = metrics.Count > 0 ? new Dictionary<string, double> { ["train_loss"] = metrics[^1].TrainLoss, ["val_loss"] = metrics[^1].ValLoss } : null,
        };
        AtomicFile.Write(Path.Combine(outDir, "summary.json"), stream => JsonSerializer.Serialize(stream, fields, CliJson.Indented));
    }
}
