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
        usage: nabla evaluate MODEL.safetensors [--model PRESET | --layers A,...,Z --activation NAME] [--dataset NAME] [--json]

        Loads the weights into the preset (PyTorch state_dict names), runs the test split and prints accuracy,
        mean cross-entropy and the confusion matrix (rows: true class, columns: predicted). With --json it prints
        one JSON object with accuracy, loss, samples, classes and confusion. A loss or accuracy that is not a
        number (a diverged model) is null in JSON.

        Beyond {Confusion.MaxMatrixClasses} classes the text shows totals and the {Confusion.WorstClasses} least accurate classes instead of the
        matrix; --json holds the matrix up to {Confusion.MaxJsonMatrixClasses} classes, beyond that "confusion" is null and
        "worst_classes" lists the {Confusion.WorstClasses} least accurate.

          --dataset NAME   {string.Join("|", DatasetCatalog.Names)}|csv:PATH (default digits)
          --batch-size N   samples per evaluation batch, 1 to {1 << 20} (default 256)

        """;

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        if (args.Contains("--help") || args.Contains("-h"))
        {
            stdout.Write(Usage());
            return ExitCodes.Success;
        }
        try
        {
            var o = new OptionReader(args, ["--model", "--layers", "--activation", "--dataset", "--batch-size"], ["--help", "--json", "--download"], Name);
            if (o.Positional.Count != 1)
                throw new UsageException(o.Positional.Count == 0 ? "missing the model file" : $"unexpected argument '{o.Positional[1]}'",
                    "run 'nabla evaluate runs/digits-mlp/model.safetensors --model mlp --dataset digits'");
            int batchSize = o.Int("--batch-size", 256, 1, 1 << 20);
            string path = OptionReader.CheckPath(o.Positional[0], "the model file");
            if (!File.Exists(path)) throw new UsageException($"no model file at '{path}'", "pass the model.safetensors written by 'nabla train'");
            var trainArgs = new List<string>();
            foreach (string k in new[] { "--model", "--layers", "--activation", "--dataset" })
                if (o.OptionalString(k) is { } v) { trainArgs.Add(k); trainArgs.Add(v); }
            TrainSettings s = TrainCommand.Parse(trainArgs);
            LoadedDataset data = DatasetCatalog.Load(s.Dataset, ModelPresets.TakesImages(s.Model ?? "mlp") && s.Layers is null, s.Seed, o.Has("--download"));
            var model = Trainer.BuildModel(s, data, new Generator(0), inferenceBatch: Math.Max(batchSize, 256));
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
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {acc:F4}  loss {loss:F4}  ({data.Test.Count} test samples of {data.Name})"));
            confusion.WriteText(stdout);
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }
}
