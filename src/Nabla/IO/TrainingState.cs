using System.Globalization;
using System.Text.Json;
using Nabla.Optim;

namespace Nabla.IO;

/// <summary>
/// Everything needed to continue training exactly: the model's state, the optimizer's and scheduler's state,
/// the epoch reached, generator states and free-form settings. Stored as one safetensors file (tensors
/// <c>model.*</c> and <c>optimizer.*</c>, scalars in the metadata), written atomically.
/// </summary>
public sealed class TrainingState
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
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file (see
    /// <see cref="SafeTensors.Load(string)"/>), has no <c>nabla.checkpoint</c> metadata, or that metadata is not the JSON
    /// object <see cref="Save"/> writes: bad JSON, a duplicated key, a missing field, an epoch that is not a
    /// non-negative integer, optimizer or scheduler scalars that are not finite numbers, a generator state that is not
    /// a list of <see cref="Generator.GetState"/>'s length of decimal 64-bit words, a setting that is not a string.
    /// The message names the file, the field and what was expected. See Note [Reading outside bytes].</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static TrainingState Load(string path)
    {
        using FileStream stream = SafeTensors.OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads a checkpoint from a seekable <paramref name="stream"/> at the start of the file; <paramref name="path"/> names it in messages.</summary>
    internal static TrainingState Load(Stream stream, string path)
    {
        var (entries, metadata) = SafeTensors.ReadHeader(path, stream);
        if (!metadata.TryGetValue(MetadataKey, out string? json))
            throw new InvalidDataException($"{path}: not a Nabla checkpoint (no '{MetadataKey}' metadata); pass the checkpoint.safetensors written by training");
        var parsed = new TrainingStateMetadataReader(path, MetadataKey).Parse(json);
        var tensors = SafeTensors.ReadTensors(path, stream, entries);
        var model = new Dictionary<string, Tensor>();
        OptimizerState? optimizer = parsed.OptimizerScalars is null ? null : new OptimizerState();
        foreach (var (k, v) in tensors)
        {
            if (k.StartsWith("model.", StringComparison.Ordinal)) model[k[6..]] = v;
            else if (k.StartsWith("optimizer.", StringComparison.Ordinal) && optimizer is not null) optimizer.Tensors[k[10..]] = v;
        }
        if (optimizer is not null)
            foreach (var (name, value) in parsed.OptimizerScalars!) optimizer.Scalars[name] = value;
        return new TrainingState
        {
            Model = model,
            Optimizer = optimizer,
            Scheduler = parsed.Scheduler,
            Epoch = parsed.Epoch,
            Generators = parsed.Generators,
            Settings = parsed.Settings,
        };
    }
}
