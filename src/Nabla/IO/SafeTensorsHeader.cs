using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Nabla.IO;

/// <summary>One tensor of a safetensors header: its dtype code, shape and byte range in the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, string DType, int[] Shape, long Begin, long End);

/// <summary>
/// Parses and checks a safetensors JSON header in one forward pass (see Note [Reading outside bytes]).
/// </summary>
/// <remarks>
/// Note [Reading outside bytes]
/// A reader of a file from outside (safetensors, checkpoint metadata, IDX, CSV) reports every malformed input as an
/// <see cref="InvalidDataException"/> whose message names the file, the place (tensor, entry, line, column or
/// field) and what was found against what was expected; nothing else escapes for bad bytes (I/O errors such as a
/// missing file keep their own types). Each reader bounds what it holds by what the file itself contains or by a
/// documented limit checked before the allocation, so a short file cannot make it allocate gigabytes, and it reads
/// non-regular files (pipes, devices) only up to the same bounds. The header is parsed with a forward-only
/// <see cref="Utf8JsonReader"/> rather than a <see cref="JsonDocument"/>, so memory follows the entries kept, not
/// the JSON tokens, and every text is checked to be UTF-8 before any string is decoded.
/// </remarks>
internal static class SafeTensorsHeader
{
    internal const string MetadataKey = "__metadata__";

    private static readonly string[] EntryFields = ["dtype", "shape", "data_offsets"];

    /// <summary>The dtype codes read (see <see cref="SafeTensors"/>), as shared strings.</summary>
    private static readonly string[] DTypeCodes = ["F32", "F64", "I64", "BOOL", "F16", "BF16", "I32", "I16", "I8", "U8"];

    private static string? KnownDType(ref Utf8JsonReader reader)
    {
        foreach (string code in DTypeCodes)
            if (reader.ValueTextEquals(code)) return code;
        return null;
    }

    /// <summary>Parses <paramref name="header"/> (the JSON bytes after the length field) and checks each entry's own fields.</summary>
    public static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(string path, byte[] header)
    {
        if (!Utf8.IsValid(header))
            throw new InvalidDataException($"{path}: the header is not valid UTF-8 (the first bad byte is at offset {8 + FirstInvalidByte(header)} of the file); a safetensors header is UTF-8 JSON");
        var entries = new List<SafeTensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        var dims = new List<int>();
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new InvalidDataException($"{path}: header is JSON but not an object");
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                string name = Text(path, ref reader);
                reader.Read();
                if (name == MetadataKey)
                {
                    if (sawMetadata) throw Twice(path, name);
                    sawMetadata = true;
                    ReadMetadata(path, ref reader, metadata);
                    continue;
                }
                if (entries.Count == SafeTensors.MaxTensors)
                    throw new InvalidDataException($"{path}: the header lists more than {SafeTensors.MaxTensors:N0} tensors, the most this reader accepts");
                entries.Add(ReadEntry(path, name, ref reader, dims));
            }
            while (reader.Read()) { } // anything but whitespace after the object is a JsonException
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: header is not valid JSON: {ex.Message}", ex);
        }
        // Duplicates are found by sorting rather than with a set: the list is all the memory the names need.
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (int i = 1; i < entries.Count; i++)
            if (entries[i].Name == entries[i - 1].Name) throw Twice(path, entries[i].Name);
        return (entries, metadata);
    }

    private static InvalidDataException Twice(string path, string name)
        => new($"{path}: the header names '{Clip(name)}' twice; each tensor name (and '{MetadataKey}') may appear once");

    /// <summary>Checks that the entries tile the data section of <paramref name="dataLength"/> bytes exactly, and sorts them by offset.</summary>
    public static void CheckLayout(string path, List<SafeTensorsEntry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        foreach (var e in entries)
        {
            if (e.Begin != expectedBegin)
            {
                throw new InvalidDataException(e.Begin > expectedBegin
                    ? $"{path}: tensor '{Clip(e.Name)}': data_offsets start at {e.Begin} but the previous tensor ends at {expectedBegin} (a gap in the data)"
                    : $"{path}: tensor '{Clip(e.Name)}': data_offsets start at {e.Begin}, inside the previous tensor's data, which ends at {expectedBegin} (overlap)");
            }
            long bytes = ElementCount(path, e) * SafeTensors.SourceElementSize(e.DType);
            if (e.End - e.Begin != bytes)
                throw new InvalidDataException(
                    $"{path}: tensor '{Clip(e.Name)}': dtype {e.DType} and shape {FormatShape(e.Shape)} need {bytes} bytes but data_offsets [{e.Begin}, {e.End}] span {e.End - e.Begin}");
            if (e.End > dataLength)
                throw new InvalidDataException(
                    $"{path}: tensor '{Clip(e.Name)}': data_offsets [{e.Begin}, {e.End}] run past the end of the data section ({dataLength} bytes; truncated file?)");
            expectedBegin = e.End;
        }
        if (expectedBegin != dataLength)
            throw new InvalidDataException(
                $"{path}: the tensors' data ends at byte {expectedBegin} of the data section but the file holds {dataLength} bytes of data (trailing bytes)");
    }

    /// <summary>The element count; also refuses shapes whose row-major strides (zero sizes counted as one) overflow an array index.</summary>
    private static long ElementCount(string path, SafeTensorsEntry e)
    {
        long count = 1, strideSpan = 1;
        foreach (int d in e.Shape)
        {
            count *= d;
            strideSpan *= Math.Max(d, 1);
            if (strideSpan > Array.MaxLength)
                throw new InvalidDataException($"{path}: tensor '{Clip(e.Name)}': shape {FormatShape(e.Shape)} has more elements than one array can hold ({Array.MaxLength})");
        }
        return count;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType;
    }

    private static void ReadMetadata(string path, ref Utf8JsonReader reader, Dictionary<string, string> metadata)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InvalidDataException($"{path}: '{MetadataKey}' must be an object of strings, got {Describe(ref reader)}");
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            string key = Text(path, ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
                throw new InvalidDataException($"{path}: '{MetadataKey}' value '{Clip(key)}' must be a string, got {Describe(ref reader)}");
            if (metadata.Count == SafeTensors.MaxMetadataEntries)
                throw new InvalidDataException($"{path}: '{MetadataKey}' holds more than {SafeTensors.MaxMetadataEntries:N0} entries, the most this reader accepts");
            if (!metadata.TryAdd(key, Text(path, ref reader)))
                throw new InvalidDataException($"{path}: '{MetadataKey}' names '{Clip(key)}' twice");
        }
    }

    private static SafeTensorsEntry ReadEntry(string path, string name, ref Utf8JsonReader reader, List<int> dims)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new InvalidDataException($"{Where(path, name)}: expected an object with dtype, shape and data_offsets, got {Describe(ref reader)}");
        string? dtype = null;
        int[]? shape = null;
        (long Begin, long End)? offsets = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            // Keys and dtypes are matched in place, not decoded to strings: a header of many small tensors then
            // costs little more than the entries kept.
            int field = -1;
            for (int f = 0; f < EntryFields.Length && field < 0; f++)
                if (reader.ValueTextEquals(EntryFields[f])) field = f;
            reader.Read();
            bool repeated;
            switch (field)
            {
                case 0:
                    repeated = dtype is not null;
                    if (reader.TokenType != JsonTokenType.String) throw new InvalidDataException($"{Where(path, name)}: missing or non-string 'dtype' (got {Describe(ref reader)})");
                    dtype = KnownDType(ref reader)
                        ?? throw new InvalidDataException($"{Where(path, name)}: dtype '{Clip(Text(path, ref reader))}' is not supported (supported: {string.Join(", ", DTypeCodes)})");
                    break;
                case 1:
                    repeated = shape is not null;
                    shape = ReadShape(path, name, ref reader, dims);
                    break;
                case 2:
                    repeated = offsets is not null;
                    offsets = ReadOffsets(path, name, ref reader);
                    break;
                default:
                    repeated = false;
                    reader.Skip();
                    break;
            }
            if (repeated) throw new InvalidDataException($"{Where(path, name)}: '{EntryFields[field]}' appears twice");
        }
        if (dtype is null) throw new InvalidDataException($"{Where(path, name)}: missing or non-string 'dtype'");
        if (shape is null) throw new InvalidDataException($"{Where(path, name)}: missing or non-array 'shape'");
        if (offsets is null) throw new InvalidDataException($"{Where(path, name)}: missing 'data_offsets' or it is not a [begin, end] pair");
        var (begin, end) = offsets.Value;
        if (end < begin)
            throw new InvalidDataException($"{Where(path, name)}: data_offsets [{begin}, {end}] end before they begin");
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static int[] ReadShape(string path, string name, ref Utf8JsonReader reader, List<int> dims)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new InvalidDataException($"{Where(path, name)}: missing or non-array 'shape' (got {Describe(ref reader)})");
        dims.Clear();
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int size) || size < 0)
                throw new InvalidDataException($"{Where(path, name)}: shape entry {dims.Count} is {Describe(ref reader)}, expected a non-negative 32-bit integer");
            dims.Add(size);
        }
        return [.. dims];
    }

    private static (long Begin, long End) ReadOffsets(string path, string name, ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new InvalidDataException($"{Where(path, name)}: missing 'data_offsets' or it is not a [begin, end] pair (got {Describe(ref reader)})");
        Span<long> offsets = stackalloc long[2];
        int n = 0;
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (n == 2) throw new InvalidDataException($"{Where(path, name)}: missing 'data_offsets' or it is not a [begin, end] pair (it has more than two entries)");
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0)
                throw new InvalidDataException($"{Where(path, name)}: data offset {Describe(ref reader)} is not a non-negative integer");
            offsets[n++] = v;
        }
        if (n != 2) throw new InvalidDataException($"{Where(path, name)}: missing 'data_offsets' or it is not a [begin, end] pair (it has {n} entries)");
        return (offsets[0], offsets[1]);
    }

    /// <summary>Where a tensor's problem is, for a message; composed only when one is thrown, so a large header pays nothing per tensor.</summary>
    private static string Where(string path, string name) => $"{path}: tensor '{Clip(name)}'";

    /// <summary>The current token for a message: a number's text, a quoted string, or the kind of value.</summary>
    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Number => Clip(Encoding.UTF8.GetString(reader.ValueSpan)),
        JsonTokenType.String => "a string",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    /// <summary>The offset of the first byte that is not part of a valid UTF-8 sequence (the input must hold one).</summary>
    internal static int FirstInvalidByte(ReadOnlySpan<byte> bytes)
    {
        Span<char> scratch = stackalloc char[1024];
        int offset = 0;
        while (true)
        {
            var status = Utf8.ToUtf16(bytes[offset..], scratch, out int read, out _, replaceInvalidSequences: false);
            offset += read;
            if (status != System.Buffers.OperationStatus.DestinationTooSmall) return offset;
        }
    }

    /// <summary>The current string token; an escaped lone surrogate (<c>\uD800</c>) is bad data, not a crash.</summary>
    private static string Text(string path, ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidDataException($"{path}: the header holds a string that is not valid Unicode near byte {8 + reader.TokenStartIndex} of the file: {ex.Message}", ex);
        }
    }

    /// <summary>A name or value shortened for a message.</summary>
    internal static string Clip(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    /// <summary>A shape for a message, eliding the middle of very long ones.</summary>
    internal static string FormatShape(int[] shape) => shape.Length <= 16
        ? Shape.Format(shape)
        : $"[{string.Join(", ", shape[..8])}, ... ({shape.Length} dims) ..., {string.Join(", ", shape[^4..])}]";
}
