using System.Globalization;
using Nabla.Cli.Commands;
using Nabla.IO;
using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Cli.Training;

// Note [Resume rules]
// `nabla train --resume` continues the checkpoint's run with the checkpoint's settings; an option given on the command
// line is applied or refused, never recorded and ignored:
//  * what the checkpoint's state depends on (--dataset, --model/--layers, --activation, --init, --optimizer,
//    --scheduler, --seed, --batch-size) is refused when it differs from the checkpoint's value, with both values;
//  * what only steers training from now on is applied: --weight-decay always; --lr and --epochs (more epochs, to
//    extend a run) when the run has no scheduler; a scheduler's learning rates derive from the run's lr and epochs,
//    so with one they are refused when they differ;
//  * the options of this process (--out, --threads, --download, --progress, --detect-anomaly, --diagnose) apply.
// Without --out the run continues in the directory of the checkpoint. The settings written to the new checkpoint and
// to summary.json are the ones applied. docs/cli.md has the table.

/// <summary>A run to continue: the checkpoint, the settings to train with and the metrics of the epochs done. See Note [Resume rules].</summary>
public sealed class Resumption
{
    private static readonly string[] Refused = ["--dataset", "--model", "--layers", "--activation", "--init", "--optimizer", "--scheduler", "--seed", "--batch-size", "--precision"];

    /// <summary>The checkpoint file.</summary>
    public required string CheckpointPath { get; init; }

    /// <summary>The training state read from the checkpoint file.</summary>
    public required TrainingState State { get; init; }

    /// <summary>The settings to continue with: the checkpoint's, with the command line's applicable options applied.</summary>
    public required TrainSettings Settings { get; init; }

    /// <summary>One line per option the command line changed, such as <c>--lr 0.5 (the checkpoint's run had 0.001)</c>.</summary>
    public required IReadOnlyList<string> Applied { get; init; }

    /// <summary>The metrics of the checkpoint's completed epochs, from the <c>metrics.csv</c> beside it (empty without one).</summary>
    public required IReadOnlyList<EpochMetrics> Metrics { get; init; }

    /// <summary>Reads the checkpoint <paramref name="commandLine"/> resumes and merges its settings with the command line's.</summary>
    /// <exception cref="UsageException">No checkpoint there, or an option conflicts with it.</exception>
    /// <exception cref="InvalidDataException">The checkpoint's settings or the metrics beside it are not valid.</exception>
    public static Resumption Open(TrainSettings commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        string resume = commandLine.Resume ?? throw new ArgumentException("the settings resume nothing", nameof(commandLine));
        string path = Directory.Exists(resume) ? Path.Combine(resume, "checkpoint.safetensors") : resume;
        if (!File.Exists(path)) throw new UsageException($"--resume: no checkpoint at '{path}'", "pass the checkpoint.safetensors (or the --out directory) of an earlier run");
        TrainingState ck = TrainingState.Load(path);
        TrainSettings saved = SavedSettings(ck, path);
        if (ck.Epoch < 0 || ck.Epoch > saved.Epochs)
            throw new InvalidDataException($"{path}: the checkpoint says it completed epoch {ck.Epoch} of {saved.Epochs}; it is damaged, resume from another checkpoint");

        var given = commandLine.Given;
        RecordedSettings.RefuseConflicts(commandLine, saved, Refused, $"the checkpoint {path}",
            option => $"omit {option} to continue the checkpoint's run, or start a new run in another --out directory");
        var applied = new List<string>();
        TrainSettings merged = saved;
        if (given.Contains("--weight-decay") && commandLine.WeightDecay != saved.WeightDecay)
        {
            merged = merged with { WeightDecay = commandLine.WeightDecay };
            applied.Add($"--weight-decay {Number(commandLine.WeightDecay)} (the checkpoint's run had {Number(saved.WeightDecay)})");
        }
        if (given.Contains("--lr") && commandLine.Lr != saved.Lr)
        {
            RequireNoScheduler(saved, "--lr", Number(commandLine.Lr), Number(saved.Lr), path);
            merged = merged with { Lr = commandLine.Lr };
            applied.Add($"--lr {Number(commandLine.Lr)} (the checkpoint's run had {Number(saved.Lr)})");
        }
        if (given.Contains("--epochs") && commandLine.Epochs != saved.Epochs)
        {
            RequireNoScheduler(saved, "--epochs", Str(commandLine.Epochs), Str(saved.Epochs), path);
            if (commandLine.Epochs < ck.Epoch)
                throw new UsageException($"--epochs {commandLine.Epochs} is fewer than the {ck.Epoch} epochs the checkpoint {path} has completed",
                    $"pass --epochs {ck.Epoch + 1} or more to train further, or omit --epochs to finish the run's {saved.Epochs}");
            merged = merged with { Epochs = commandLine.Epochs };
            applied.Add($"--epochs {commandLine.Epochs} (the checkpoint's run had {saved.Epochs})");
        }
        merged = merged with
        {
            Threads = commandLine.Threads,
            Out = given.Contains("--out") ? commandLine.Out : Path.GetDirectoryName(Path.GetFullPath(path))!,
            Resume = commandLine.Resume,
            Download = commandLine.Download,
            DetectAnomaly = commandLine.DetectAnomaly,
            Diagnose = commandLine.Diagnose,
            Given = commandLine.Given,
        };
        string csv = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "metrics.csv");
        List<EpochMetrics> metrics = File.Exists(csv) ? EpochMetrics.ReadCsv(csv, ck.Epoch) : [];
        return new Resumption { CheckpointPath = path, State = ck, Settings = merged, Applied = applied, Metrics = metrics };
    }

    /// <summary>
    /// Loads the checkpoint's states into the objects built from <see cref="Settings"/>, then applies the command line's
    /// <c>--lr</c> and <c>--weight-decay</c>; a state that does not fit them is an <see cref="InvalidDataException"/>.
    /// </summary>
    public void Restore(Module model, Optimizer optimizer, LrScheduler? scheduler, Generator modelGenerator, Generator dataGenerator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        TrainingState ck = State;
        try
        {
            model.LoadStateDict(ck.Model);
            optimizer.LoadStateDict(ck.Optimizer ?? throw Damaged("it holds no optimizer state"));
            if (scheduler is not null)
                scheduler.LoadStateDict(ck.Scheduler is { } s ? s.ToDictionary(p => p.Key, p => p.Value) : throw Damaged($"it holds no state of the '{Settings.Scheduler}' scheduler its settings name"));
            else if (ck.Scheduler is not null)
                throw Damaged("it holds a scheduler's state but its settings name no scheduler");
            modelGenerator.SetState(Generator(ck, "model"));
            dataGenerator.SetState(Generator(ck, "data"));
        }
        catch (ArgumentException e)
        {
            throw Damaged(e.Message);
        }
        // A scheduler's learning rate is part of its state (and --lr is refused with one); without one it is the run's lr.
        foreach (ParamGroup group in optimizer.ParamGroups)
        {
            if (scheduler is null) group.Lr = Settings.Lr;
            group.WeightDecay = Settings.WeightDecay;
        }
    }

    private InvalidDataException Damaged(string why) => new($"{CheckpointPath}: the checkpoint does not fit the run its settings describe: {why}; resume from another checkpoint");

    private ulong[] Generator(TrainingState ck, string name) =>
        ck.Generators.TryGetValue(name, out ulong[]? state) ? state : throw Damaged($"it holds no state of the '{name}' random generator");

    /// <summary>The settings the checkpoint's run used, checked by the same parser as the command line (Note [Recorded run settings]).</summary>
    private static TrainSettings SavedSettings(TrainingState ck, string path) =>
        RecordedSettings.Parse(ck.Settings.AsReadOnly(), path, "the checkpoint", "resume from a checkpoint written by nabla train");

    private static void RequireNoScheduler(TrainSettings saved, string option, string value, string savedValue, string path)
    {
        if (saved.Scheduler == "none") return;
        throw new UsageException($"{option} {value} conflicts with the checkpoint {path}: its '{saved.Scheduler}' scheduler sets the learning rate from the run's {option} {savedValue}",
            $"omit {option} to continue the run as scheduled, or start a new run in another --out directory");
    }

    private static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
