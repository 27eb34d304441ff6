using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Net.Http.Headers;

namespace Nabla.Playground;

/// <summary>
/// Reads the bodies of API requests into values. Every malformed body is a <see cref="PlaygroundException"/> with a
/// 4xx status and a message that says what is wrong: 400 for bad JSON, a field given twice, an unknown field or a
/// wrong type, 415 for a body declared as another media type.
/// </summary>
/// <remarks>
/// The server passes each request's bytes and <c>Content-Type</c> here and does nothing else with them, so this class
/// is the whole of the API's input handling; the mutation tests run it in-process (Note [Mutation tests]).
/// </remarks>
public static class RequestBody
{
    // NOTE: JsonNode builds a JsonObject lazily and throws ArgumentException on a duplicate name only when the object
    // is first read; refusing duplicates while parsing turns that into a parse error. Validate checks the same first.
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    private static readonly string[] CsvTypes = ["text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream"];

    /// <summary>
    /// The JSON object of a request body, or null for an empty body. <paramref name="contentType"/> must be absent or a
    /// JSON media type (<c>application/json</c>, <c>*/*+json</c>) in UTF-8.
    /// </summary>
    public static JsonObject? Json(byte[] body, string? contentType)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.AsSpan().IndexOfAnyExcept(" \t\r\n"u8) < 0) return null;
        CheckJsonType(contentType);
        Validate(body);
        JsonNode? node;
        try { node = JsonNode.Parse(body, documentOptions: Strict); }
        catch (JsonException e) { throw new PlaygroundException($"the request body is not valid JSON: {e.Message}"); }
        return node switch
        {
            null => null,
            JsonObject o => o,
            _ => throw new PlaygroundException("the request body must be a JSON object, e.g. {\"dataset\": \"xor\"}"),
        };
    }

    /// <summary>Checks the <c>Content-Type</c> of an upload: absent, or text/csv, text/plain, application/csv, application/vnd.ms-excel or application/octet-stream in UTF-8.</summary>
    public static void CheckCsvType(string? contentType)
    {
        if (contentType is null) return;
        if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? type) || !CsvTypes.Contains(type.MediaType.Value, StringComparer.OrdinalIgnoreCase))
            throw new PlaygroundException(415, $"the upload must be the CSV file's bytes sent with Content-Type: text/csv; got Content-Type '{contentType}'");
        CheckCharset(type, contentType);
    }

    /// <summary>Overlays the fields of <paramref name="patch"/> on <paramref name="current"/>; unknown fields, a field given twice and wrong types are 400s.</summary>
    /// <remarks>Names match case-insensitively, so <c>Dataset</c> and <c>dataset</c> in one body are the same field given twice.</remarks>
    public static NetworkConfig Network(NetworkConfig current, JsonObject? patch)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (patch is null) return current;
        var merged = (JsonObject)JsonSerializer.SerializeToNode(current, PlaygroundServer.JsonOptions)!;
        var known = merged.Select(p => p.Key).ToList();
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in patch)
        {
            string? name = known.Find(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            if (name is null)
                throw new PlaygroundException($"unknown field '{key}'; the configuration fields are {string.Join(", ", known)}");
            if (given.TryGetValue(name, out string? earlier))
                throw new PlaygroundException($"field '{name}' is given twice (as '{earlier}' and '{key}'); give each field once");
            given[name] = key;
            merged[name] = value?.DeepClone();
        }
        try
        {
            return merged.Deserialize<NetworkConfig>(PlaygroundServer.JsonOptions) ?? throw new PlaygroundException("the configuration is null");
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } p ? p[2..].Split('[')[0] : "a field";
            string expected = field switch
            {
                "hiddenLayers" => "a list of whole numbers, e.g. [4, 4]",
                "points" or "batchSize" => "a whole number",
                "seed" => "a whole number from 0 to 18446744073709551615",
                "noise" or "trainFraction" or "regularizationRate" or "learningRate" => "a number",
                _ => "a string such as \"xor\"",
            };
            throw new PlaygroundException($"{field} has the wrong type or is out of range; expected {expected}");
        }
    }

    /// <summary>The fields of a <c>PUT /chain</c> body (any of expression, w, x, y, learningRate; null leaves one as it is).</summary>
    public static (string? Expression, double? W, double? X, double? Y, double? LearningRate) Chain(JsonObject? body)
    {
        CheckFields(body, "expression", "w", "x", "y", "learningRate");
        return (Field<string>(body, "expression"), Field<double?>(body, "w"), Field<double?>(body, "x"), Field<double?>(body, "y"), Field<double?>(body, "learningRate"));
    }

    /// <summary>The epochs of a <c>POST /network/step</c> body (1 when absent).</summary>
    public static int Epochs(JsonObject? body)
    {
        CheckFields(body, "epochs");
        return Field<int?>(body, "epochs") ?? 1;
    }

    private static void CheckJsonType(string? contentType)
    {
        if (contentType is null) return;
        if (!MediaTypeHeaderValue.TryParse(contentType, out MediaTypeHeaderValue? type)
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
            throw new PlaygroundException(415, $"the request body must be JSON sent with Content-Type: application/json; got Content-Type '{contentType}' (with curl, add -H 'Content-Type: application/json')");
        CheckCharset(type, contentType);
    }

    private static void CheckCharset(MediaTypeHeaderValue type, string contentType)
    {
        string? charset = type.Charset.HasValue ? type.Charset.Value!.Trim('"') : null;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
            throw new PlaygroundException(415, $"the request body must be UTF-8; got Content-Type '{contentType}'");
    }

    /// <summary>Reads every token once: syntax, depth, strings that decode (valid UTF-8, no lone surrogate escape) and no name twice in one object.</summary>
    private static void Validate(byte[] body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        var names = new Stack<HashSet<string>>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        names.Push(new HashSet<string>(StringComparer.Ordinal));
                        break;
                    case JsonTokenType.EndObject:
                        names.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        string name = Text(ref reader);
                        if (!names.Peek().Add(name))
                            throw new PlaygroundException($"field '{name}' is given twice in the request body (line {Line(body, reader.TokenStartIndex)}); give each field once");
                        break;
                    case JsonTokenType.String:
                        Text(ref reader);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new PlaygroundException($"the request body is not valid JSON: {e.Message}");
        }
    }

    private static string Text(ref Utf8JsonReader reader)
    {
        try { return reader.GetString()!; }
        catch (InvalidOperationException)
        {
            throw new PlaygroundException(string.Create(CultureInfo.InvariantCulture,
                $"the request body has a string that is not valid text at byte {reader.TokenStartIndex + 1} (bytes that are not UTF-8, or a \\u escape of half a surrogate pair); send UTF-8 text"));
        }
    }

    private static int Line(byte[] body, long index) => 1 + body.AsSpan(0, (int)index).Count((byte)'\n');

    private static void CheckFields(JsonObject? body, params string[] allowed)
    {
        if (body is null) return;
        foreach (var (key, _) in body)
            if (!allowed.Contains(key, StringComparer.Ordinal))
                throw new PlaygroundException($"unknown field '{key}'; the fields are {string.Join(", ", allowed)}");
    }

    private static T? Field<T>(JsonObject? body, string name)
    {
        if (body is null || !body.TryGetPropertyValue(name, out JsonNode? node) || node is null) return default;
        try { return node.Deserialize<T>(PlaygroundServer.JsonOptions); }
        catch (JsonException) { throw new PlaygroundException($"{name} has the wrong type or is out of range: {node.ToJsonString()}"); }
    }
}
