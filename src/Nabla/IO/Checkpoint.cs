using System.Globalization;
using System.Text.Json;
using Nabla.Optim;

namespace Nabla.IO;

/// <summary>
/// Everything needed to continue training exactly: the model's state, the optimizer's and scheduler's state,
/// the epoch reached, generator states and free-form settings. Stored as one safetensors file (tensors
/// <c>model.*</c> and <c>optimizer.*</c>, scalars in the metadata), written atomically.
/// </summary>
public sealed class Checkpoint
{
    private const string MetadataKey = "nabla.checkpoint";

    /// <summary>The model's state_dict.</summary>
    public IReadOnlyDictionary<string, Tensor> Model { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>The optimizer's state, or null.</summary>
    public OptimizerState? Optimizer { get; init; }

    /// <summary>The scheduler's state, or null.</summary>
    public IDictionary<string, double>? Scheduler { get; init; }

    /// <summary>The number of completed epochs.</summary>
    public int Epoch { get; init; }

    /// <summary>Named generator states (see <see cref="Generator.GetState"/>).</summary>
    public IDictionary<string, ulong[]> Generators { get; init; } = new Dictionary<string, ulong[]>();

    /// <summary>Free-form settings (for example the command-line options the run used).</summary>
    public IDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Writes the checkpoint to <paramref name="path"/> (atomically: an interrupted save leaves the old file).</summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (k, v) in Model) tensors["model." + k] = v;
        if (Optimizer is not null)
            foreach (var (k, v) in Optimizer.Tensors) tensors["optimizer." + k] = v;
        var meta = new Dictionary<string, object?>
        {
            ["epoch"] = Epoch,
            ["optimizer"] = Optimizer?.Scalars,
            ["scheduler"] = Scheduler,
            ["generators"] = Generators.ToDictionary(g => g.Key, g => g.Value.Select(u => u.ToString(CultureInfo.InvariantCulture)).ToArray()),
            ["settings"] = Settings,
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { [MetadataKey] = JsonSerializer.Serialize(meta) });
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>; a file that is not one is a clear error.</summary>
    public static Checkpoint Load(string path)
    {
        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadMetadata(path);
        if (!metadata.TryGetValue(MetadataKey, out string? json))
            throw new InvalidDataException($"{path}: not a Nabla checkpoint (no '{MetadataKey}' metadata); pass the checkpoint.safetensors written by training");
        var tensors = SafeTensors.Load(path);
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        var model = new Dictionary<string, Tensor>();
        OptimizerState? optimizer = root.GetProperty("optimizer").ValueKind == JsonValueKind.Null ? null : new OptimizerState();
        foreach (var (k, v) in tensors)
        {
            if (k.StartsWith("model.", StringComparison.Ordinal)) model[k[6..]] = v;
            else if (k.StartsWith("optimizer.", StringComparison.Ordinal) && optimizer is not null) optimizer.Tensors[k[10..]] = v;
        }
        if (optimizer is not null)
            foreach (JsonProperty p in root.GetProperty("optimizer").EnumerateObject()) optimizer.Scalars[p.Name] = p.Value.GetDouble();
        Dictionary<string, double>? scheduler = null;
        if (root.GetProperty("scheduler").ValueKind == JsonValueKind.Object)
            scheduler = root.GetProperty("scheduler").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        return new Checkpoint
        {
            Model = model,
            Optimizer = optimizer,
            Scheduler = scheduler,
            Epoch = root.GetProperty("epoch").GetInt32(),
            Generators = root.GetProperty("generators").EnumerateObject().ToDictionary(
                p => p.Name, p => p.Value.EnumerateArray().Select(e => ulong.Parse(e.GetString()!, CultureInfo.InvariantCulture)).ToArray()),
            Settings = root.GetProperty("settings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? ""),
        };
    }
}
