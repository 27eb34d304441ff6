using Nabla.Cli.Training;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla train</c>: trains a classifier and writes its model, checkpoint, metrics and chart.</summary>
public static class TrainCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "train";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "train a model on a dataset (default: an MLP on the embedded digits set)";

    private static readonly string[] Valued =
        ["--dataset", "--model", "--layers", "--activation", "--init", "--epochs", "--batch-size", "--optimizer", "--lr",
         "--weight-decay", "--scheduler", "--seed", "--threads", "--out", "--resume", DistributedRun.BucketOption, "--precision"];

    private static readonly string[] LayersOnly = ["--activation", "--init"];

    private static readonly string[] Flags = ["--help", "--download", "--progress", "--no-progress", "--detect-anomaly", "--diagnose", DistributedRun.Flag];

    /// <summary>The options that choose the dataset and build the model, shared by <c>gradcheck</c> and <c>graph</c>.</summary>
    public static IReadOnlyList<string> ModelOptions { get; } = ["--dataset", "--model", "--layers", "--activation", "--init", "--seed"];

    /// <summary>The usage text.</summary>
    public static string Usage() => $"""
        usage: nabla train [options]

        Trains a classifier with cross-entropy and reports test accuracy. Without options it trains the
        'mlp' preset on the embedded 8x8 digits set (no download needed).

        options:
          --dataset NAME        {string.Join("|", DatasetCatalog.Names)}|csv:PATH (default digits), or text: {TextData.Help}
          --model PRESET        {string.Join("|", ModelPresets.Descriptions.Keys)} (default mlp)
          --layers A,B,...,Z    an MLP with these layer sizes instead of a preset (first = features, last = classes)
          --activation NAME     relu|tanh|sigmoid|gelu|silu|leaky-relu|elu for --layers only (default relu)
          --init NAME           he|xavier|uniform for --layers only (default he)
          --epochs N            1 to 100000 (default 5 for fashion-mnist/mnist, 15 for digits and CSV, 100 for 2-D sets)
          --batch-size N        1 to 1048576 (default 128 for fashion-mnist/mnist, 32 otherwise)
          --optimizer NAME      sgd|momentum|nesterov|adam|adamw|rmsprop|adagrad (default adam)
          --lr X                learning rate (default 0.001)
          --weight-decay X      (default 0)
          --scheduler NAME      none|step|cosine|onecycle|warmup (default none)
          --seed N              seed of initialisation, shuffling and dropout (default 1)
          --threads N           {ThreadsOption.Help}
          --precision P         {PrecisionOption.Help}
          --out DIR             where to write model, checkpoint, metrics.csv, metrics.svg, summary.json
                                (default runs/DATASET-MODEL; one run at a time holds DIR/run.lock)
          --resume PATH         continue from a checkpoint.safetensors (or the --out directory of a run) with its
                                settings, in its directory unless --out is given; --lr, --epochs (without a
                                scheduler) and --weight-decay are applied, options that conflict with the
                                checkpoint are refused (docs/cli.md has the table)
          --download            fetch a missing MNIST/Fashion-MNIST from the canonical addresses
          --progress / --no-progress   force or suppress the live progress bar (default: on a terminal)
          --detect-anomaly      run every batch in anomaly mode: stop at the first NaN or infinity and name
                                the op, its inputs' shapes and where it was created (slow; for debugging)
          --diagnose            record per-layer gradient flow; write gradient-flow.csv and gradient-flow.svg
                                and print a report with verdicts (vanishing, exploding, dead units)
        {DistributedRun.Help}

        text (--dataset shakespeare|text:FILE; nanoGPT's recipe, counted in steps):
          --model gpt|char-lstm  (default gpt: nanoGPT, 4 layers, 4 heads, width 128, block 64, no bias)
          --n-layer N --n-head N --n-embd N --block-size N --dropout X --bias   the GPT's shape
          --grad-checkpoint     recompute each GPT block in backward instead of keeping its activations:
                                less memory, about one more forward per step, the same numbers
          --hidden-size N       the char-lstm's hidden size (--n-embd is its embedding width; 2 layers, 64, 256 by default)
          --iters N             optimizer steps (default 2000)
          --eval-interval N     steps between evaluations and checkpoints (default 250)
          --eval-iters N        random batches per split in each evaluation's estimate (default 20)
          --batch-size N        windows per step (default 12)
          --lr X --min-lr X     AdamW (betas 0.9, 0.99) from lr 1e-3, warm-up then cosine down to 1e-4 at the last step
          --warmup-iters N      (default 100)   --weight-decay X  on 2-D weights only (default 0.1)
          --grad-clip X         clip the gradient norm (default 1.0; 0 turns it off)
          --precision P         {PrecisionOption.Help}
          --seed N              (default 1337)   --resume DIR   continue; only --iters, --eval-interval, --eval-iters,
                                --out, --threads and --grad-checkpoint (turns it on) may change
          Writes model.safetensors (weights, configuration and vocabulary), checkpoint.safetensors, metrics.csv,
          metrics.svg and summary.json with val_loss: the loss over every non-overlapping validation window.

        presets:
        {string.Join("\n", ModelPresets.Descriptions.Select(p => $"  {p.Key,-8} {p.Value}"))}

        Ctrl+C stops after the current batch and still writes the files; the cut epoch is reported, not
        recorded in metrics.csv, and --resume redoes it from the last checkpoint.
        Models that would not fit in this machine's memory are refused before anything is allocated.

        """;

    /// <summary>Parses the arguments into settings (a <see cref="UsageException"/> on bad input).</summary>
    public static TrainSettings Parse(IReadOnlyList<string> args)
    {
        if (args.Contains("--grad-checkpoint"))
            throw new UsageException("--grad-checkpoint applies to text training only (it checkpoints a GPT's transformer blocks)",
                "drop --grad-checkpoint, or train a GPT on text: --dataset shakespeare --model gpt --grad-checkpoint");
        var o = new OptionReader(args, Valued, Flags, Name);
        if (o.Positional.Count > 0)
            throw new UsageException($"unexpected argument '{o.Positional[0]}'", "options start with --; run 'nabla train --help'");
        return Parse(o);
    }

    /// <summary>Reads settings from parsed options; options the reader does not know take their defaults.</summary>
    public static TrainSettings Parse(OptionReader o)
    {
        ArgumentNullException.ThrowIfNull(o);
        string dataset = o.String("--dataset", "digits");
        int[]? layers = o.IntList("--layers", 1, MaxLayerWidth, 2, "784,256,10");
        if (layers is not null && o.Has("--model")) throw new UsageException("--layers and --model are alternatives", "pass one of them");
        if (layers is null && !o.Has("--model") && SmallDefaultLayers(dataset) is { } small) layers = small;
        string? model = layers is null ? o.String("--model", "mlp") : null;
        if (model is not null && !ModelPresets.Descriptions.ContainsKey(model))
            throw new UsageException($"unknown model '{model}'", $"use one of {string.Join(", ", ModelPresets.Descriptions.Keys)}, or --layers");
        if (model is not null)
            foreach (string option in LayersOnly.Where(o.Has))
                throw new UsageException($"{option} applies to --layers only; the '{model}' preset has its own", $"drop {option}, or describe the MLP with --layers");
        var (distributed, bucketCapMb) = DistributedRun.Read(o);
        if (distributed && o.Has("--detect-anomaly"))
            throw new UsageException("--detect-anomaly stops one rank at its first NaN, which would leave the others of a --distributed run behind",
                "find the NaN in a single-process run: drop --distributed");
        return new TrainSettings
        {
            Distributed = distributed,
            BucketCapMb = bucketCapMb,
            Dataset = dataset,
            Model = model,
            Layers = layers,
            Activation = OneOf(o, "--activation", "relu", Activations),
            Init = OneOf(o, "--init", "he", Initialisers),
            Epochs = o.Int("--epochs", DefaultEpochs(dataset), 1, 100_000),
            BatchSize = o.Int("--batch-size", DefaultBatchSize(dataset), 1, 1 << 20),
            Optimizer = OneOf(o, "--optimizer", "adam", Optimizers),
            Lr = o.Double("--lr", 1e-3, double.Epsilon, 1e6),
            WeightDecay = o.Double("--weight-decay", 0, 0, 1e6),
            Scheduler = OneOf(o, "--scheduler", "none", Schedulers),
            Seed = o.UInt64("--seed", 1),
            Threads = ThreadsOption.Read(o),
            Out = o.Path("--out", Path.Combine("runs", $"{SafeName(dataset)}-{model ?? "mlp"}")),
            Resume = o.OptionalPath("--resume"),
            Download = o.Has("--download"),
            DetectAnomaly = o.Has("--detect-anomaly"),
            Diagnose = o.Has("--diagnose"),
            Precision = PrecisionOption.Read(o),
            Given = new HashSet<string>(o.Given, StringComparer.Ordinal),
        };
    }

    /// <summary>The names <c>--optimizer</c> accepts.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad"];

    /// <summary>The names <c>--scheduler</c> accepts.</summary>
    public static IReadOnlyList<string> Schedulers { get; } = ["none", "step", "cosine", "onecycle", "warmup"];

    /// <summary>The names <c>--activation</c> accepts.</summary>
    public static IReadOnlyList<string> Activations { get; } = ["relu", "tanh", "sigmoid", "gelu", "silu", "swish", "leaky-relu", "leaky_relu", "elu"];

    /// <summary>The names <c>--init</c> accepts.</summary>
    public static IReadOnlyList<string> Initialisers { get; } = ["he", "kaiming", "xavier", "glorot", "uniform", "default"];

    private static string OneOf(OptionReader o, string option, string fallback, IReadOnlyList<string> names)
    {
        string value = o.String(option, fallback);
        return names.Contains(value) ? value
            : throw new UsageException($"unknown {option[2..]} '{value}'", $"use one of {string.Join(", ", names)}");
    }

    /// <summary>The widest layer <c>--layers</c> accepts; wider ones are refused by the memory estimate long before this.</summary>
    public const int MaxLayerWidth = 1 << 24;

    /// <summary>The 2-D toy sets default to a small MLP (2-32-32-classes) rather than the 784-wide preset.</summary>
    public static int[]? SmallDefaultLayers(string dataset) => dataset switch
    {
        "spiral" or "blobs" => [2, 32, 32, 3],
        "moons" or "circles" or "xor" => [2, 32, 32, 2],
        _ => null,
    };

    /// <summary>Default epochs: 5 for the 28x28 sets (the published recipe), 15 for digits and CSV, 100 for the 2-D toys.</summary>
    public static int DefaultEpochs(string dataset) => DatasetCatalog.IsImages(dataset) ? 5 : dataset is "digits" || dataset.StartsWith("csv:", StringComparison.Ordinal) ? 15 : 100;

    /// <summary>Default batch size: 128 for the 28x28 sets, 32 otherwise.</summary>
    public static int DefaultBatchSize(string dataset) => DatasetCatalog.IsImages(dataset) ? 128 : 32;

    private static string SafeName(string dataset) => dataset.StartsWith("csv:", StringComparison.Ordinal)
        ? "csv-" + Path.GetFileNameWithoutExtension(dataset[4..])
        : dataset;

    /// <summary>
    /// Whether the arguments ask for text training: <c>--dataset shakespeare|text:FILE</c>, or <c>--resume</c> of a
    /// checkpoint that text training wrote.
    /// </summary>
    private static bool IsTextRun(IReadOnlyList<string> args)
    {
        for (int i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] == "--dataset") return TextSettings.IsText(args[i + 1]);
            if (args[i] == "--resume" && !args.Contains("--dataset"))
            {
                string path = Directory.Exists(args[i + 1]) ? Path.Combine(args[i + 1], "checkpoint.safetensors") : args[i + 1];
                try
                {
                    return File.Exists(path) && Nabla.IO.TrainingState.Load(path).Settings.TryGetValue("dataset", out string? d) && TextSettings.IsText(d);
                }
                catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
                {
                    return false; // the image trainer reports the unreadable checkpoint
                }
            }
        }
        return false;
    }

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.Write(Usage());
            return ExitCodes.Success;
        }
        Trainer? trainer = null;
        TextTrainer? textTrainer = null;
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            trainer?.RequestStop();
            textTrainer?.RequestStop();
        };
        try
        {
            bool interactive = args.Contains("--progress") || (!args.Contains("--no-progress") && ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected);
            if (IsTextRun(args))
            {
                var textSettings = TextSettings.Parse(new OptionReader(args, TextSettings.Valued, TextSettings.Flags, Name));
                textTrainer = new TextTrainer(textSettings, stdout, interactive);
                Console.CancelKeyPress += onCancel;
                var (_, textStop) = textTrainer.Run();
                return textStop is null ? ExitCodes.Success : textStop.Contains("Ctrl+C", StringComparison.Ordinal) ? ExitCodes.Interrupted : ExitCodes.Failure;
            }
            TrainSettings settings = Parse(args);
            trainer = new Trainer(settings, stdout, interactive);
            Console.CancelKeyPress += onCancel;
            TrainResult result = trainer.Run();
            if (result.Stopped is { } why)
                return why.Contains("Ctrl+C", StringComparison.Ordinal) ? ExitCodes.Interrupted : ExitCodes.Failure;
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
