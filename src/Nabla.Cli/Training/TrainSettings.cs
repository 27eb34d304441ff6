using System.Globalization;

namespace Nabla.Cli.Training;

/// <summary>The options of one training run, as given on the command line (with defaults filled in).</summary>
public sealed record TrainSettings
{
    /// <summary>Dataset name (see <see cref="DatasetCatalog"/>).</summary>
    public string Dataset { get; init; } = "digits";

    /// <summary>Model preset, or null when <see cref="Layers"/> is given.</summary>
    public string? Model { get; init; }

    /// <summary>Explicit MLP layer sizes, or null.</summary>
    public int[]? Layers { get; init; }

    /// <summary>Activation for <see cref="Layers"/>.</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>Initialiser for <see cref="Layers"/>.</summary>
    public string Init { get; init; } = "he";

    /// <summary>Number of epochs.</summary>
    public int Epochs { get; init; } = 15;

    /// <summary>Mini-batch size.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>Learning rate.</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>none, step, cosine, onecycle or warmup.</summary>
    public string Scheduler { get; init; } = "none";

    /// <summary>Seed of every generator of the run.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Thread budget (0 = all cores).</summary>
    public int Threads { get; init; }

    /// <summary>Output directory.</summary>
    public string Out { get; init; } = "runs/digits-mlp";

    /// <summary>Checkpoint to continue from, or null.</summary>
    public string? Resume { get; init; }

    /// <summary>Fetch a missing dataset from the canonical addresses.</summary>
    public bool Download { get; init; }

    /// <summary>Run every batch inside <see cref="Autograd.DetectAnomaly"/> and stop at the first NaN or infinity, naming the op.</summary>
    public bool DetectAnomaly { get; init; }

    /// <summary>Record per-layer gradient flow and write <c>gradient-flow.csv</c>, <c>gradient-flow.svg</c> and a report.</summary>
    public bool Diagnose { get; init; }

    /// <summary>Data-parallel training on the ranks of an MPI job (Note [Distributed training in the CLI]).</summary>
    public bool Distributed { get; init; }

    /// <summary>The gradient buckets' cap in megabytes when <see cref="Distributed"/>.</summary>
    public double BucketCapMb { get; init; } = 25;

    /// <summary><c>fp32</c>, <c>bf16</c> or <c>fp16</c>: the autocast dtype of the forward pass and loss (parameters stay float32; see <see cref="PrecisionOption"/>).</summary>
    public string Precision { get; init; } = "fp32";

    /// <summary>The options given on the command line (such as <c>--lr</c>); the others took their defaults.</summary>
    public IReadOnlySet<string> Given { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The settings as strings, stored in checkpoints and summaries.</summary>
    public Dictionary<string, string> ToDictionary() => new()
    {
        ["dataset"] = Dataset,
        ["model"] = Model ?? "",
        ["layers"] = Layers is null ? "" : string.Join(",", Layers),
        ["activation"] = Activation,
        ["init"] = Init,
        ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
        ["batch_size"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["optimizer"] = Optimizer,
        ["lr"] = Lr.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["scheduler"] = Scheduler,
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
        ["precision"] = Precision,
    };
}
