using System.Globalization;
using System.Text.Json;

namespace Nabla.IO;

/// <summary>The scalars of a checkpoint, as <see cref="TrainingState.Save"/> writes them into the safetensors metadata.</summary>
internal sealed record TrainingStateMetadata(
    int Epoch,
    Dictionary<string, double>? OptimizerScalars,
    Dictionary<string, double>? Scheduler,
    Dictionary<string, ulong[]> Generators,
    Dictionary<string, string> Settings);

/// <summary>
/// Reads the JSON object of a checkpoint's metadata, checking every field's kind and range, so that a hand-edited or
/// corrupt checkpoint is an <see cref="InvalidDataException"/> naming the file and the field (Note [Reading outside bytes]).
/// </summary>
internal sealed class TrainingStateMetadataReader(string path, string key)
{
    private static readonly int GeneratorWords = new Generator(0).GetState().Length;

    /// <summary>Parses <paramref name="json"/>: an object with epoch, optimizer, scheduler, generators and settings (other keys are ignored).</summary>
    public TrainingStateMetadata Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw Bad($"is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // Checking for duplicate keys decodes them, and an escaped lone surrogate ("\uD800") cannot be decoded.
            throw Bad($"holds text that is not valid Unicode: {ex.Message}", ex);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad($"is {Kind(root)}, expected a JSON object");
            try
            {
                return new TrainingStateMetadata(
                    ReadEpoch(Field(root, "epoch")),
                    NumbersOrNull(Field(root, "optimizer"), "optimizer"),
                    NumbersOrNull(Field(root, "scheduler"), "scheduler"),
                    ReadGenerators(Field(root, "generators")),
                    ReadSettings(Field(root, "settings")));
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement's string accessors throw this for an escaped lone surrogate ("\uD800").
                throw Bad($"holds text that is not valid Unicode: {ex.Message}", ex);
            }
        }
    }

    private JsonElement Field(JsonElement root, string name)
        => root.TryGetProperty(name, out JsonElement value) ? value : throw Bad($"has no '{name}' field");

    private int ReadEpoch(JsonElement e)
        => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int epoch) && epoch >= 0
            ? epoch
            : throw Bad($"'epoch' is {Show(e)}, expected a non-negative integer (the number of completed epochs)");

    private Dictionary<string, double>? NumbersOrNull(JsonElement e, string field)
    {
        if (e.ValueKind == JsonValueKind.Null) return null;
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"'{field}' is {Kind(e)}, expected null or an object of numbers");
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (JsonProperty p in e.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetDouble(out double v) || !double.IsFinite(v))
                throw Bad($"'{field}.{Clip(p.Name)}' is {Show(p.Value)}, expected a finite number");
            result[p.Name] = v;
        }
        return result;
    }

    private Dictionary<string, ulong[]> ReadGenerators(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"'generators' is {Kind(e)}, expected an object of generator states");
        var result = new Dictionary<string, ulong[]>(StringComparer.Ordinal);
        foreach (JsonProperty p in e.EnumerateObject())
        {
            string where = $"'generators.{Clip(p.Name)}'";
            if (p.Value.ValueKind != JsonValueKind.Array || p.Value.GetArrayLength() != GeneratorWords)
                throw Bad($"{where} is {Kind(p.Value)}, expected an array of {GeneratorWords} decimal strings (a generator state)");
            var words = new ulong[GeneratorWords];
            int i = 0;
            foreach (JsonElement w in p.Value.EnumerateArray())
            {
                if (w.ValueKind != JsonValueKind.String || !ulong.TryParse(w.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out words[i]))
                    throw Bad($"{where} word {i} is {Show(w)}, expected a decimal string of an unsigned 64-bit integer");
                i++;
            }
            result[p.Name] = words;
        }
        return result;
    }

    private Dictionary<string, string> ReadSettings(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Bad($"'settings' is {Kind(e)}, expected an object of strings");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (JsonProperty p in e.EnumerateObject())
        {
            result[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Null => "",
                _ => throw Bad($"'settings.{Clip(p.Name)}' is {Show(p.Value)}, expected a string"),
            };
        }
        return result;
    }

    private InvalidDataException Bad(string what, Exception? inner = null)
        => new($"{path}: checkpoint metadata '{key}' {what}", inner);

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {e.GetArrayLength()}",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static string Show(JsonElement e) => e.ValueKind is JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null
        ? Clip(e.GetRawText())
        : Kind(e);

    private static string Clip(string text) => SafeTensorsHeader.Clip(text);
}
