using System.Globalization;
using System.Text.Json;
using Nabla.Cli.Training;
using Nabla.IO;

namespace Nabla.Cli.Commands;

/// <summary><c>nabla evaluate MODEL</c>: accuracy, loss and a confusion matrix of a saved model on a test set.</summary>
public static class EvaluateCommand
{
    /// <summary>The command name.</summary>
    public const string Name = "evaluate";

    /// <summary>One line for the top-level help.</summary>
    public const string Summary = "evaluate a saved model (safetensors) on a dataset's test split";

    /// <summary>The usage text.</summary>
    public static string Usage() => $"""
        usage: nabla evaluate MODEL.safetensors [--dataset NAME] [--batch-size N] [--json] [--download]
                              [--model PRESET | --layers A,...,Z --activation NAME] [--seed N]

        A language model (the model.safetensors of 'nabla train --dataset shakespeare', or a nanoGPT file) reports
        the validation loss over every non-overlapping window of its block size (--json: {"val_loss": ...});
        --n-head N gives a GPT file's head count when its metadata lacks it, --block-size N a char-lstm's window.

        Loads the weights into the model the run trained (PyTorch state_dict names) and runs the test split of its
        dataset: the model, dataset and seed recorded in the model.safetensors 'nabla train' writes, so that a CSV
        or a 2-D set is split exactly as in training. Prints accuracy, mean cross-entropy and the confusion matrix
        (rows: true class, columns: predicted). With --json it prints one JSON object with accuracy, loss,
        samples, classes and confusion. A loss or accuracy that is not a number (a diverged model) is null in JSON.

        Beyond {Confusion.MaxMatrixClasses} classes the text shows totals and the {Confusion.WorstClasses} least accurate classes instead of the
        matrix; --json holds the matrix up to {Confusion.MaxJsonMatrixClasses} classes, beyond that "confusion" is null and
        "worst_classes" lists the {Confusion.WorstClasses} least accurate.

          --dataset NAME        {string.Join("|", DatasetCatalog.Names)}|csv:PATH
                                the data to test on (default: the recorded dataset; digits for a file without
                                recorded settings)
          --model PRESET, --layers A,...,Z, --activation NAME
                                the model of a file without recorded settings (one PyTorch saved), as for
                                'nabla train'; a file with them is evaluated with its own, and another value is refused
          --seed N              the seed that split a csv: or 2-D dataset, for a file without recorded settings
                                (default 1, with a warning); a file with them uses its own, another value is refused
          --batch-size N        samples per evaluation batch, 1 to {1 << 20} (default 256)
          --json                print one JSON object instead of text
          --download            fetch a missing MNIST/Fashion-MNIST

        """;

    /// <summary>The options a file's recorded settings fix: given with another value, they are refused.</summary>
    private static readonly string[] Recorded = ["--model", "--layers", "--activation", "--seed"];

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.Write(Usage());
            return ExitCodes.Success;
        }
        try
        {
            var o = new OptionReader(args, ["--model", "--layers", "--activation", "--dataset", "--batch-size", "--seed", "--n-head", "--block-size"], ["--help", "--json", "--download"], Name);
            if (o.Positional.Count != 1)
                throw new UsageException(o.Positional.Count == 0 ? "missing the model file" : $"unexpected argument '{o.Positional[1]}'",
                    "run 'nabla evaluate runs/digits-mlp/model.safetensors'");
            int batchSize = o.Int("--batch-size", 256, 1, 1 << 20);
            string path = OptionReader.CheckPath(o.Positional[0], "the model file");
            if (!File.Exists(path)) throw new UsageException($"no model file at '{path}'", "pass the model.safetensors written by 'nabla train'");
            if (IsLanguageModel(path)) return EvaluateText(o, path, stdout);
            foreach (string option in TextOnly.Where(o.Has))
                throw new UsageException($"{option} applies to language models; {path} is a classifier", $"drop {option}");
            TrainSettings s = Settings(path, TrainCommand.Parse(o), stderr);
            LoadedDataset data = DatasetCatalog.Load(s.Dataset, ModelPresets.TakesImages(s.Model ?? "mlp") && s.Layers is null, s.Seed, o.Has("--download"));
            var model = Trainer.BuildModel(s, data, new Generator(0), inferenceBatch: batchSize);
            model.LoadStateDict(SafeTensors.Load(path));
            var confusion = new Confusion(data.Classes);
            var (loss, acc) = Trainer.Evaluate(model, data.Test, batchSize, confusion);
            if (o.Has("--json"))
            {
                var fields = new Dictionary<string, object?>
                {
                    ["accuracy"] = acc, ["loss"] = loss, ["samples"] = data.Test.Count, ["dataset"] = data.Name,
                };
                foreach (var (k, v) in confusion.ToJsonFields()) fields[k] = v;
                stdout.WriteLine(JsonSerializer.Serialize(fields, CliJson.Compact));
                return ExitCodes.Success;
            }
            string split = DatasetCatalog.SplitDependsOnSeed(s.Dataset) ? $", split with --seed {s.Seed}" : "";
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {acc:F4}  loss {loss:F4}  ({data.Test.Count} test samples of {data.Name}{split})"));
            confusion.WriteText(stdout);
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }

    private static readonly string[] ImageOnly = ["--model", "--layers", "--activation", "--seed", "--download"];

    private static readonly string[] TextOnly = ["--n-head", "--block-size"];

    /// <summary>Whether the file holds a character-level language model (a GPT or a char-LSTM) rather than a classifier.</summary>
    private static bool IsLanguageModel(string path)
    {
        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadMetadata(path);
        return metadata.TryGetValue("architecture", out string? a) ? a is Models.GptConfig.Architecture or Models.CharLstmConfig.Architecture
            : SafeTensors.Load(path).ContainsKey("transformer.wte.weight");
    }

    /// <summary>
    /// The deterministic validation loss of a language model (every non-overlapping window of the validation split, with
    /// the model's block size as the window), on <c>--dataset</c> or the dataset the file records (default shakespeare).
    /// </summary>
    private static int EvaluateText(OptionReader o, string path, TextWriter stdout)
    {
        foreach (string option in ImageOnly.Where(o.Has))
            throw new UsageException($"{option} does not apply to a language model", $"drop {option}: the file holds the model's configuration");
        var (model, tokenizer) = Models.ModelFiles.Load(path, nHead: o.Has("--n-head") ? o.Int("--n-head", 1, 1, 1024) : null,
            blockSize: o.Has("--block-size") ? o.Int("--block-size", 1, 1, 1 << 16) : null);
        string dataset = o.OptionalString("--dataset")
            ?? (SafeTensors.LoadMetadata(path).TryGetValue("nabla_dataset", out string? recorded) ? recorded : "shakespeare");
        if (!TextSettings.IsText(dataset))
            throw new UsageException($"{path} is a language model; '{dataset}' is not text", $"pass --dataset {TextData.Help}");
        var (train, val, name) = TextData.Load(dataset);
        if (tokenizer is not null && tokenizer.ToVocabString() != train.Tokenizer.ToVocabString())
            throw new UsageException($"{path} was trained on another vocabulary ({tokenizer.VocabSize} characters) than {name} has ({train.Tokenizer.VocabSize})",
                "evaluate on the text the model was trained on");
        if (val.Length <= model.BlockSize)
            throw new UsageException($"{name}: its validation split has {val.Length} characters, too few for the model's block size {model.BlockSize}", "use a longer text");
        double loss = TextEvaluation.ValidationLoss(model.Module, val, model.BlockSize);
        int windows = val.WindowCount(model.BlockSize);
        if (o.Has("--json"))
        {
            var fields = new Dictionary<string, object?>
            {
                ["val_loss"] = double.IsFinite(loss) ? loss : null, ["windows"] = windows, ["block_size"] = model.BlockSize, ["dataset"] = dataset,
            };
            stdout.WriteLine(JsonSerializer.Serialize(fields, CliJson.Compact));
        }
        else
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"validation loss {loss:F4}  ({windows:N0} windows of {model.BlockSize} characters of {name}'s validation split)"));
        return ExitCodes.Success;
    }

    /// <summary>
    /// The settings to evaluate with: those recorded in the model file when it has them (Note [Recorded run settings]),
    /// with <c>--dataset</c> applied and the options in <see cref="Recorded"/> refused when they differ; otherwise the
    /// command line's, with a warning when the split of the dataset depends on a <c>--seed</c> that was not given.
    /// </summary>
    private static TrainSettings Settings(string path, TrainSettings commandLine, TextWriter stderr)
    {
        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadMetadata(path);
        if (!RecordedSettings.AnyRecorded(metadata))
        {
            if (DatasetCatalog.SplitDependsOnSeed(commandLine.Dataset) && !commandLine.Given.Contains("--seed"))
                Reporter.Warning(stderr, $"{path} records no training settings (it was not written by nabla train), so the test split of {commandLine.Dataset} is assumed to be the one of --seed 1",
                    "pass --seed N with the seed the model was trained with; with another seed the test split holds rows it trained on");
            return commandLine;
        }
        TrainSettings recorded = RecordedSettings.Parse(metadata, path, "the model file",
            "evaluate the model.safetensors of another run, or save the weights without metadata and pass --model or --layers, --dataset and --seed");
        RecordedSettings.RefuseConflicts(commandLine, recorded, Recorded, $"the model file {path}",
            option => $"omit {option}: evaluate uses the {(option == "--seed" ? "split" : "model")} the file records");
        if (commandLine.Given.Contains("--dataset")) return recorded with { Dataset = commandLine.Dataset };
        if (recorded.Dataset.StartsWith("csv:", StringComparison.Ordinal) && !File.Exists(recorded.Dataset[4..]))
            throw new UsageException($"{path} was trained on {recorded.Dataset}, but there is no file at '{recorded.Dataset[4..]}' from here",
                "pass --dataset csv:PATH with the path of that CSV file");
        return recorded;
    }
}
