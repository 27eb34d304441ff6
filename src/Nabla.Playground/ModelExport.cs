using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nabla.IO;
using Nabla.NN;

namespace Nabla.Playground;

/// <summary>Exports a trained network-view model as safetensors, as JSON, or as C# code that rebuilds it with Nabla and loads the safetensors file.</summary>
public static class ModelExport
{
    /// <summary>The file name the C# code loads (and the safetensors download is offered as).</summary>
    public const string SafeTensorsFileName = "playground-model.safetensors";

    /// <summary>The state_dict (<c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>, ...) in the safetensors format, with the configuration as metadata.</summary>
    public static byte[] SafeTensorsBytes(NetworkTrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        // SafeTensors writes files (atomically); a private temporary file is read back and deleted.
        string path = Path.Combine(Path.GetTempPath(), $"nabla-playground-{Guid.NewGuid():N}.safetensors");
        try
        {
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["format"] = "nabla-playground",
                ["config"] = trainer.Config.Describe(),
                ["classes"] = trainer.Points.Classes.ToString(CultureInfo.InvariantCulture),
                ["architecture"] = Architecture(trainer),
            };
            SafeTensors.Save(path, trainer.Model.StateDict(), metadata);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// The model as JSON: <c>{"format", "config", "classes", "layers": [{"type": "Linear", "in", "out"}, {"type": "Tanh"}, ...],
    /// "stateDict": {"0.weight": {"shape": [4, 2], "data": [...]}, ...}}</c>, data row-major.
    /// </summary>
    public static string Json(NetworkTrainer trainer, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var layers = new JsonArray();
        foreach (Module m in Layers(trainer.Model))
            layers.Add(m is Linear l
                ? new JsonObject { ["type"] = "Linear", ["in"] = l.InFeatures, ["out"] = l.OutFeatures }
                : new JsonObject { ["type"] = m.GetType().Name });
        var state = new JsonObject();
        foreach (var (name, t) in trainer.Model.StateDict())
        {
            var data = new JsonArray();
            foreach (float v in t.ToArray<float>()) data.Add(v);
            state[name] = new JsonObject { ["shape"] = new JsonArray(Enumerable.Range(0, t.Rank).Select(d => (JsonNode?)t.Size(d)).ToArray()), ["data"] = data };
        }
        var root = new JsonObject
        {
            ["format"] = "nabla-playground/1",
            ["config"] = JsonSerializer.SerializeToNode(trainer.Config, options),
            ["classes"] = trainer.Points.Classes,
            ["layers"] = layers,
            ["stateDict"] = state,
        };
        return root.ToJsonString(new JsonSerializerOptions(options) { WriteIndented = true });
    }

    /// <summary>A C# program (top-level statements) that rebuilds the model with Nabla, loads <see cref="SafeTensorsFileName"/> and classifies a point.</summary>
    public static string CSharp(NetworkTrainer trainer)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        var layers = Layers(trainer.Model).Select(m => m is Linear l
            ? $"new Linear({l.InFeatures}, {l.OutFeatures})"
            : $"new {m.GetType().Name}()").ToList();
        var s = new StringBuilder();
        s.AppendLine("// Rebuilds the Nabla playground model and loads its weights.");
        s.AppendLine(CultureInfo.InvariantCulture, $"// Trained with: {trainer.Config.Describe()}");
        s.AppendLine(CultureInfo.InvariantCulture, $"// Put {SafeTensorsFileName} (the safetensors export) next to this program.");
        s.AppendLine("using Nabla;");
        s.AppendLine("using Nabla.IO;");
        s.AppendLine("using Nabla.NN;");
        s.AppendLine();
        s.AppendLine("var model = new Sequential(");
        for (int i = 0; i < layers.Count; i++)
            s.AppendLine(CultureInfo.InvariantCulture, $"    {layers[i]}{(i + 1 < layers.Count ? "," : ");")}");
        s.AppendLine(CultureInfo.InvariantCulture, $"model.LoadStateDict(SafeTensors.Load(\"{SafeTensorsFileName}\"));");
        s.AppendLine("model.Eval();");
        s.AppendLine();
        s.AppendLine("// Class probabilities of one point (x1, x2).");
        s.AppendLine("Tensor point = Tensor.From(new float[] { 0.5f, -0.5f }, [1, 2]);");
        s.AppendLine("Tensor probabilities = model.Forward(point).Softmax(-1);");
        s.AppendLine("Console.WriteLine(probabilities);");
        return s.ToString();
    }

    private static IEnumerable<Module> Layers(Sequential model)
    {
        for (int i = 0; i < model.Count; i++) yield return model[i];
    }

    private static string Architecture(NetworkTrainer trainer) =>
        string.Join(" ", Layers(trainer.Model).Select(m => m is Linear l ? $"Linear({l.InFeatures},{l.OutFeatures})" : m.GetType().Name));
}
