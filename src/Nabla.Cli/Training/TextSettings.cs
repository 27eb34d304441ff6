using System.Globalization;
using Nabla.Models;

namespace Nabla.Cli.Training;

/// <summary>
/// The settings of <c>nabla train</c> on text (<c>--dataset shakespeare</c> or <c>text:FILE</c>): the model and nanoGPT's
/// recipe (AdamW, warm-up then cosine decay, gradient clipping), counted in iterations.
/// </summary>
public sealed record TextSettings
{
    /// <summary>The options of text training (besides <c>--dataset</c>, <c>--help</c> and the progress flags).</summary>
    public static readonly string[] Valued =
        ["--dataset", "--model", "--n-layer", "--n-head", "--n-embd", "--hidden-size", "--block-size", "--dropout", "--iters", "--eval-interval",
         "--eval-iters", "--batch-size", "--lr", "--min-lr", "--warmup-iters", "--weight-decay", "--grad-clip", "--seed", "--threads", "--out", "--resume",
         DistributedRun.BucketOption, "--precision"];

    /// <summary>The flags of text training.</summary>
    public static readonly string[] Flags = ["--help", "--bias", "--progress", "--no-progress", "--grad-checkpoint", DistributedRun.Flag];

    /// <summary>The options <c>--resume</c> accepts with a new value; every other one is the checkpoint's.</summary>
    public static readonly string[] ResumeOptions = ["--iters", "--eval-interval", "--eval-iters", "--out", "--threads", "--grad-checkpoint", "--resume", DistributedRun.Flag, DistributedRun.BucketOption];

    /// <summary><c>shakespeare</c> or <c>text:FILE</c>.</summary>
    public required string Dataset { get; init; }

    /// <summary><c>gpt</c> or <c>char-lstm</c>.</summary>
    public string Model { get; init; } = "gpt";

    /// <summary>Transformer blocks (gpt) or LSTM layers (char-lstm).</summary>
    public int NLayer { get; init; } = 4;

    /// <summary>Attention heads (gpt).</summary>
    public int NHead { get; init; } = 4;

    /// <summary>Residual width (gpt) or embedding width (char-lstm).</summary>
    public int NEmbd { get; init; } = 128;

    /// <summary>The LSTM's hidden size (char-lstm).</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>The training and evaluation window (and a GPT's context).</summary>
    public int BlockSize { get; init; } = 64;

    /// <summary><c>fp32</c>, <c>bf16</c> or <c>fp16</c>: the autocast dtype of the forward pass (parameters stay float32).</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>Dropout probability in training.</summary>
    public double Dropout { get; init; }

    /// <summary>Biases in the GPT's linear layers and layer norms.</summary>
    public bool Bias { get; init; }

    /// <summary>
    /// Gradient checkpointing of the GPT's transformer blocks (<see cref="Gpt.GradientCheckpointing"/>): less memory, about
    /// one more forward per step, the same numbers. A resumed run keeps it; <c>--resume --grad-checkpoint</c> turns it on.
    /// </summary>
    public bool GradCheckpoint { get; init; }

    /// <summary>Optimizer steps.</summary>
    public int Iters { get; init; } = 2000;

    /// <summary>Steps between evaluations (and checkpoints).</summary>
    public int EvalInterval { get; init; } = 250;

    /// <summary>Random batches per split in each evaluation's estimate.</summary>
    public int EvalIters { get; init; } = 20;

    /// <summary>Windows per batch.</summary>
    public int BatchSize { get; init; } = 12;

    /// <summary>The peak learning rate.</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>The learning rate at the end of the cosine decay.</summary>
    public double MinLr { get; init; } = 1e-4;

    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupIters { get; init; } = 100;

    /// <summary>AdamW's weight decay on 2-D weights (biases and norms get none).</summary>
    public double WeightDecay { get; init; } = 0.1;

    /// <summary>The gradient-norm clip (0 turns it off).</summary>
    public double GradClip { get; init; } = 1.0;

    /// <summary>Seed of initialisation, batches and dropout.</summary>
    public ulong Seed { get; init; } = 1337;

    /// <summary>The thread budget (0: every core).</summary>
    public int Threads { get; init; }

    /// <summary>The output directory.</summary>
    public required string Out { get; init; }

    /// <summary>A checkpoint (or run directory) to continue from, or null.</summary>
    public string? Resume { get; init; }

    /// <summary>Data-parallel training on the ranks of an MPI job (Note [Distributed training in the CLI]).</summary>
    public bool Distributed { get; init; }

    /// <summary>The gradient buckets' cap in megabytes when <see cref="Distributed"/>.</summary>
    public double BucketCapMb { get; init; } = 25;

    /// <summary>The options given on the command line.</summary>
    public IReadOnlySet<string> Given { get; init; } = new HashSet<string>();

    /// <summary>Whether <paramref name="dataset"/> names text: <c>shakespeare</c> or <c>text:FILE</c>.</summary>
    public static bool IsText(string dataset) => dataset == "shakespeare" || dataset.StartsWith("text:", StringComparison.Ordinal);

    /// <summary>The model names for text.</summary>
    public static IReadOnlyList<string> Models { get; } = ["gpt", "char-lstm"];

    /// <summary>Reads the settings (a <see cref="UsageException"/> on bad input).</summary>
    public static TextSettings Parse(OptionReader o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.Positional.Count > 0)
            throw new UsageException($"unexpected argument '{o.Positional[0]}'", "options start with --; run 'nabla train --help'");
        string dataset = o.String("--dataset", "shakespeare");
        string model = o.String("--model", "gpt");
        if (!Models.Contains(model))
            throw new UsageException($"unknown model '{model}' for text", $"use one of {string.Join(", ", Models)}");
        string[] foreign = model == "gpt" ? ["--hidden-size"] : ["--n-head", "--bias", "--grad-checkpoint"];
        foreach (string option in foreign.Where(o.Has))
            throw new UsageException($"{option} does not apply to the {model} model", $"drop {option}");
        int iters = o.Int("--iters", 2000, 1, 100_000_000);
        var (distributed, bucketCapMb) = DistributedRun.Read(o);
        string precision = PrecisionOption.Read(o);
        var s = new TextSettings
        {
            Distributed = distributed,
            BucketCapMb = bucketCapMb,
            Dataset = dataset,
            Model = model,
            NLayer = o.Int("--n-layer", model == "gpt" ? 4 : 2, 1, 1024),
            NHead = o.Int("--n-head", 4, 1, 1024),
            NEmbd = o.Int("--n-embd", model == "gpt" ? 128 : 64, 1, 1 << 16),
            HiddenSize = o.Int("--hidden-size", 256, 1, 1 << 16),
            BlockSize = o.Int("--block-size", 64, 1, 1 << 16),
            Dropout = o.Double("--dropout", 0, 0, 0.999),
            Bias = o.Has("--bias"),
            GradCheckpoint = o.Has("--grad-checkpoint"),
            Precision = precision,
            Iters = iters,
            EvalInterval = o.Int("--eval-interval", Math.Min(250, iters), 1, 100_000_000),
            EvalIters = o.Int("--eval-iters", 20, 1, 1_000_000),
            BatchSize = o.Int("--batch-size", 12, 1, 1 << 16),
            Lr = o.Double("--lr", 1e-3, double.Epsilon, 10),
            MinLr = o.Double("--min-lr", 1e-4, 0, 10),
            WarmupIters = o.Int("--warmup-iters", Math.Min(100, iters), 0, 100_000_000),
            WeightDecay = o.Double("--weight-decay", 0.1, 0, 1e6),
            GradClip = o.Double("--grad-clip", 1.0, 0, 1e12),
            Seed = o.UInt64("--seed", 1337),
            Threads = ThreadsOption.Read(o),
            Out = o.Path("--out", Path.Combine("runs", $"{SafeName(dataset)}-{model}")),
            Resume = o.OptionalPath("--resume"),
            Given = new HashSet<string>(o.Given, StringComparer.Ordinal),
        };
        if (model == "gpt" && s.NEmbd % s.NHead != 0)
            throw new UsageException($"--n-embd {s.NEmbd} is not a multiple of --n-head {s.NHead}", "each head gets n_embd / n_head features: pick sizes that divide");
        if (s.MinLr > s.Lr) throw new UsageException($"--min-lr {s.MinLr} exceeds --lr {s.Lr}", "the cosine decays from --lr down to --min-lr");
        return s;
    }

    private static string SafeName(string dataset) => dataset.StartsWith("text:", StringComparison.Ordinal)
        ? "text-" + Path.GetFileNameWithoutExtension(dataset[5..])
        : dataset;

    /// <summary>
    /// nanoGPT's learning rate at step <paramref name="it"/>: linear warm-up to <see cref="Lr"/> over
    /// <see cref="WarmupIters"/> steps (<c>lr·(it+1)/(warmup+1)</c>), then a cosine down to <see cref="MinLr"/> at
    /// <see cref="Iters"/> (nanoGPT's <c>lr_decay_iters = max_iters</c>).
    /// </summary>
    public double LearningRate(int it)
    {
        if (it < WarmupIters) return Lr * (it + 1) / (WarmupIters + 1);
        if (it >= Iters || Iters <= WarmupIters) return MinLr;
        double ratio = (double)(it - WarmupIters) / (Iters - WarmupIters);
        return MinLr + 0.5 * (1 + Math.Cos(Math.PI * ratio)) * (Lr - MinLr);
    }

    /// <summary>A new model of these settings for a vocabulary of <paramref name="vocabSize"/>.</summary>
    public ILanguageModel BuildModel(int vocabSize, Generator generator) => Model == "gpt"
        ? new Gpt(new GptConfig(vocabSize, BlockSize, NLayer, NHead, NEmbd, Dropout, Bias), generator: generator) { GradientCheckpointing = GradCheckpoint }
        : new CharLstm(new CharLstmConfig(vocabSize, NEmbd, HiddenSize, NLayer, BlockSize, Dropout), generator: generator);

    /// <summary>The settings as strings, recorded in checkpoints (and read back by <see cref="FromDictionary"/>).</summary>
    public Dictionary<string, string> ToDictionary() => new()
    {
        ["dataset"] = Dataset, ["model"] = Model, ["n_layer"] = I(NLayer), ["n_head"] = I(NHead), ["n_embd"] = I(NEmbd),
        ["hidden_size"] = I(HiddenSize), ["block_size"] = I(BlockSize), ["dropout"] = D(Dropout), ["bias"] = Bias ? "true" : "false",
        ["iters"] = I(Iters), ["eval_interval"] = I(EvalInterval), ["eval_iters"] = I(EvalIters), ["batch_size"] = I(BatchSize),
        ["lr"] = D(Lr), ["min_lr"] = D(MinLr), ["warmup_iters"] = I(WarmupIters), ["weight_decay"] = D(WeightDecay),
        ["grad_clip"] = D(GradClip), ["seed"] = Seed.ToString(CultureInfo.InvariantCulture), ["grad_checkpoint"] = GradCheckpoint ? "true" : "false",
        ["precision"] = Precision,
    };

    /// <summary>The settings a checkpoint records, with <paramref name="outDir"/> as the output directory.</summary>
    /// <exception cref="InvalidDataException">A key is missing or malformed (named in the message).</exception>
    public static TextSettings FromDictionary(IDictionary<string, string> d, string outDir, string what)
    {
        string S(string key) => d.TryGetValue(key, out string? v) ? v : throw new InvalidDataException($"{what} records no '{key}'; it was not written by text training");
        int Int(string key) => int.TryParse(S(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw Bad(key);
        double Dbl(string key) => double.TryParse(S(key), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : throw Bad(key);
        InvalidDataException Bad(string key) => new($"{what}: '{key}' = '{S(key)}' is not a number");
        return new TextSettings
        {
            Dataset = S("dataset"), Model = S("model"), NLayer = Int("n_layer"), NHead = Int("n_head"), NEmbd = Int("n_embd"),
            HiddenSize = Int("hidden_size"), BlockSize = Int("block_size"), Dropout = Dbl("dropout"), Bias = S("bias") == "true",
            Iters = Int("iters"), EvalInterval = Int("eval_interval"), EvalIters = Int("eval_iters"), BatchSize = Int("batch_size"),
            Lr = Dbl("lr"), MinLr = Dbl("min_lr"), WarmupIters = Int("warmup_iters"), WeightDecay = Dbl("weight_decay"),
            GradClip = Dbl("grad_clip"),
            // Runs recorded before these options existed trained without checkpointing, in float32.
            GradCheckpoint = d.TryGetValue("grad_checkpoint", out string? gc) && gc == "true",
            Precision = d.TryGetValue("precision", out string? precision) ? (PrecisionOption.Values.Contains(precision) ? precision : throw Bad("precision")) : "fp32",
            Seed = ulong.TryParse(S("seed"), NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong seed) ? seed : throw Bad("seed"),
            Out = outDir,
        };
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string D(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
