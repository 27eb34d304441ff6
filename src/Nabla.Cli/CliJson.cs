using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nabla.Cli;

// Note [NaN in JSON]
// JSON has no NaN or infinity, and System.Text.Json refuses to write them. Every JSON the tool writes (summary.json,
// evaluate --json, bench --json) goes through these options, whose converter writes a non-finite double as null: a
// diverged loss reads as "no value" to every JSON reader, and a field keeps its number type otherwise.

/// <summary>The serializer options of every JSON the tool writes. See Note [NaN in JSON].</summary>
public static class CliJson
{
    /// <summary>One-line JSON (one object per line).</summary>
    public static JsonSerializerOptions Compact { get; } = Create(indented: false);

    /// <summary>Indented JSON (files).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions { WriteIndented = indented };
        options.Converters.Add(new FiniteOrNullConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes a finite double as a number and NaN or an infinity as null; reads null back as NaN.</summary>
    private sealed class FiniteOrNullConverter : JsonConverter<double>
    {
        public override bool HandleNull => true;

        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value)) writer.WriteNumberValue(value);
            else writer.WriteNullValue();
        }
    }
}
