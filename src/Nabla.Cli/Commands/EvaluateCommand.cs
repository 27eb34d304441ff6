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
        one JSON object with accuracy, loss, samples and confusion.

          --dataset NAME   {string.Join("|", DatasetCatalog.Names)}|csv:PATH (default digits)

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
            string path = o.Positional[0];
            if (!File.Exists(path)) throw new UsageException($"no model file at '{path}'", "pass the model.safetensors written by 'nabla train'");
            var trainArgs = new List<string>();
            foreach (string k in new[] { "--model", "--layers", "--activation", "--dataset" })
                if (o.OptionalString(k) is { } v) { trainArgs.Add(k); trainArgs.Add(v); }
            TrainSettings s = TrainCommand.Parse(trainArgs);
            LoadedDataset data = DatasetCatalog.Load(s.Dataset, ModelPresets.TakesImages(s.Model ?? "mlp") && s.Layers is null, s.Seed, o.Has("--download"));
            var model = Trainer.BuildModel(s, data, new Generator(0));
            model.LoadStateDict(SafeTensors.Load(path));
            var confusion = new int[data.Classes, data.Classes];
            var (loss, acc) = Trainer.Evaluate(model, data.Test, o.Int("--batch-size", 256, 1), confusion);
            if (o.Has("--json"))
            {
                var rows = Enumerable.Range(0, data.Classes).Select(i => Enumerable.Range(0, data.Classes).Select(j => confusion[i, j]).ToArray()).ToArray();
                stdout.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["accuracy"] = acc, ["loss"] = loss, ["samples"] = data.Test.Count, ["dataset"] = data.Name, ["confusion"] = rows,
                }));
                return ExitCodes.Success;
            }
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {acc:F4}  loss {loss:F4}  ({data.Test.Count} test samples of {data.Name})"));
            stdout.WriteLine("confusion matrix (rows: true class, columns: predicted):");
            int w = Math.Max(4, confusion.Cast<int>().Max().ToString(CultureInfo.InvariantCulture).Length + 1);
            stdout.WriteLine("     " + string.Concat(Enumerable.Range(0, data.Classes).Select(j => j.ToString(CultureInfo.InvariantCulture).PadLeft(w))));
            for (int i = 0; i < data.Classes; i++)
                stdout.WriteLine(i.ToString(CultureInfo.InvariantCulture).PadLeft(4) + " " +
                    string.Concat(Enumerable.Range(0, data.Classes).Select(j => confusion[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(w))));
            return ExitCodes.Success;
        }
        catch (Exception e) when (Reporter.IsUserFacing(e))
        {
            return Reporter.Fail(stderr, e);
        }
    }
}
