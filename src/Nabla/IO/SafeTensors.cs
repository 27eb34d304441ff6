using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Nabla.IO;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
/// header, then the raw little-endian tensor data.
/// </summary>
/// <remarks>
/// <para>The header maps each tensor name to <c>{"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}</c>
/// (offsets relative to the start of the data section) and may hold a <c>__metadata__</c> object of string
/// values. The header is padded with spaces to a multiple of 8 bytes so that the data section is aligned.</para>
/// <para>Written dtypes: F32, F64, I64, BOOL (one per <see cref="DType"/>). Read dtypes: those four, plus F16 and
/// BF16 (converted to float32) and I32, I16, I8, U8 (converted to int64).</para>
/// <para>As in the reference implementation, tensors are laid out sorted by descending dtype alignment and then by
/// name (ordinal), so the same dictionary always produces the same bytes.</para>
/// </remarks>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes <paramref name="tensors"/> (and optional string <paramref name="metadata"/>) to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to create or replace; written through <see cref="AtomicFile"/>.</param>
    /// <param name="tensors">Name to tensor; any shape and dtype, contiguous or not. Gradients are not saved.</param>
    /// <param name="metadata">Free-form string pairs stored under <c>__metadata__</c>, or null for none.</param>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        CheckLittleEndian();

        var entries = new List<(string Name, Tensor Data, string DType)>(tensors.Count);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("safetensors save: tensor names must be non-empty", nameof(tensors));
            if (name == MetadataKey)
                throw new ArgumentException($"safetensors save: '{MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(tensors));
            if (tensor is null)
                throw new ArgumentException($"safetensors save: tensor '{name}' is null", nameof(tensors));
            entries.Add((name, tensor.Detach().ContiguousData(), DTypeCode(tensor.DType)));
        }
        // NOTE: the reference implementation sorts by descending dtype alignment, then by name.
        entries.Sort((a, b) =>
        {
            int byAlignment = AlignmentRank(b.Data.DType).CompareTo(AlignmentRank(a.Data.DType));
            return byAlignment != 0 ? byAlignment : string.CompareOrdinal(a.Name, b.Name);
        });

        byte[] header = BuildHeader(entries, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, data, _) in entries) stream.Write(RawBytes(data));
        });
    }

    private static byte[] BuildHeader(List<(string Name, Tensor Data, string DType)> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var json = new Utf8JsonWriter(buffer, options))
        {
            json.WriteStartObject();
            if (metadata is not null)
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (value is null) throw new ArgumentException($"safetensors save: metadata value for '{key}' is null", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, data, dtype) in entries)
            {
                long bytes = data.Numel * ElementSize(data.DType);
                json.WriteStartObject(name);
                json.WriteString("dtype", dtype);
                json.WriteStartArray("shape");
                foreach (int d in data.Dims) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Reads every tensor in the file at <paramref name="path"/>, in the order of their data in the file.</summary>
    /// <returns>Name to tensor, in file (data-offset) order; each tensor owns fresh storage.</returns>
    /// <exception cref="InvalidDataException">The file is truncated, has an invalid header, inconsistent offsets or an unsupported dtype; the message names the file and the tensor.</exception>
    public static OrderedDictionary<string, Tensor> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckLittleEndian();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        var (entries, _) = ReadHeader(path, stream);
        var result = new OrderedDictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries) result.Add(entry.Name, ReadTensor(path, stream, entry));
        return result;
    }

    /// <summary>Reads only the <c>__metadata__</c> pairs of the file at <paramref name="path"/> (empty if it has none).</summary>
    public static IReadOnlyDictionary<string, string> LoadMetadata(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return ReadHeader(path, stream).Metadata;
    }

    private sealed record Entry(string Name, string DType, int[] Shape, long Begin, long End);

    private static (List<Entry> Entries, Dictionary<string, string> Metadata) ReadHeader(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new InvalidDataException($"{path}: file is {fileLength} bytes long, too short for the 8-byte safetensors header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"{path}: header length field says {headerLength} bytes, more than the {MaxHeaderBytes}-byte limit (not a safetensors file?)");
        if ((long)headerLength > fileLength - 8)
            throw new InvalidDataException($"{path}: header length field says {headerLength} bytes but the file holds only {fileLength - 8} bytes after it (truncated?)");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        if (headerLength == 0 || headerBytes[0] != (byte)'{')
            throw new InvalidDataException($"{path}: header does not start with '{{' (not a safetensors file?)");

        var entries = new List<Entry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(headerBytes);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: header is not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"{path}: header is JSON but not an object");
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    if (property.Value.ValueKind != JsonValueKind.Object)
                        throw new InvalidDataException($"{path}: '{MetadataKey}' must be an object of strings, got {property.Value.ValueKind}");
                    foreach (var pair in property.Value.EnumerateObject())
                    {
                        if (pair.Value.ValueKind != JsonValueKind.String)
                            throw new InvalidDataException($"{path}: '{MetadataKey}' value '{pair.Name}' must be a string, got {pair.Value.ValueKind}");
                        metadata[pair.Name] = pair.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(path, property));
            }
        }

        long dataLength = fileLength - 8 - (long)headerLength;
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        foreach (var e in entries)
        {
            if (e.Begin != expectedBegin)
            {
                throw new InvalidDataException(e.Begin > expectedBegin
                    ? $"{path}: tensor '{e.Name}': data_offsets start at {e.Begin} but the previous tensor ends at {expectedBegin} (a gap in the data)"
                    : $"{path}: tensor '{e.Name}': data_offsets start at {e.Begin}, inside the previous tensor's data, which ends at {expectedBegin} (overlap)");
            }
            long count = 1;
            foreach (int d in e.Shape)
            {
                count *= d;
                if (count > Array.MaxLength)
                    throw new InvalidDataException($"{path}: tensor '{e.Name}': shape {Shape.Format(e.Shape)} has more elements than one array can hold");
            }
            long bytes = count * SourceElementSize(e.DType);
            if (e.End - e.Begin != bytes)
                throw new InvalidDataException(
                    $"{path}: tensor '{e.Name}': dtype {e.DType} and shape {Shape.Format(e.Shape)} need {bytes} bytes but data_offsets [{e.Begin}, {e.End}] span {e.End - e.Begin}");
            if (e.End > dataLength)
                throw new InvalidDataException(
                    $"{path}: tensor '{e.Name}': data_offsets [{e.Begin}, {e.End}] run past the end of the data section ({dataLength} bytes; truncated file?)");
            expectedBegin = e.End;
        }
        if (expectedBegin != dataLength)
            throw new InvalidDataException(
                $"{path}: the tensors' data ends at byte {expectedBegin} of the data section but the file holds {dataLength} bytes of data (trailing bytes)");
        return (entries, metadata);
    }

    private static Entry ParseEntry(string path, JsonProperty property)
    {
        string name = property.Name;
        var value = property.Value;
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: tensor '{name}': expected an object with dtype, shape and data_offsets, got {value.ValueKind}");
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new InvalidDataException($"{path}: tensor '{name}': missing or non-string 'dtype'");
        string dtype = dtypeElement.GetString()!;
        if (SourceElementSize(dtype) == 0)
            throw new InvalidDataException($"{path}: tensor '{name}': dtype '{dtype}' is not supported (supported: F32, F64, I64, BOOL, F16, BF16, I32, I16, I8, U8)");
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new InvalidDataException($"{path}: tensor '{name}': missing or non-array 'shape'");
        var shape = new int[shapeElement.GetArrayLength()];
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int size) || size < 0)
                throw new InvalidDataException($"{path}: tensor '{name}': shape entry {i} is {d.GetRawText()}, expected a non-negative 32-bit integer");
            shape[i++] = size;
        }
        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new InvalidDataException($"{path}: tensor '{name}': missing 'data_offsets' or it is not a [begin, end] pair");
        long begin = ReadOffset(path, name, offsets[0]);
        long end = ReadOffset(path, name, offsets[1]);
        if (end < begin)
            throw new InvalidDataException($"{path}: tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(string path, string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long v) || v < 0)
            throw new InvalidDataException($"{path}: tensor '{name}': data offset {element.GetRawText()} is not a non-negative integer");
        return v;
    }

    private static Tensor ReadTensor(string path, FileStream stream, Entry e)
    {
        DType dtype = e.DType switch
        {
            "F32" or "F16" or "BF16" => DType.Float32,
            "F64" => DType.Float64,
            "BOOL" => DType.Bool,
            _ => DType.Int64,
        };
        var tensor = Tensor.Empty(dtype, e.Shape);
        int n = checked((int)tensor.Numel);
        try
        {
            switch (e.DType)
            {
                case "F32": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<float>())); break;
                case "F64": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<double>())); break;
                case "I64": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<long>())); break;
                default:
                    var raw = new byte[checked(n * SourceElementSize(e.DType))];
                    stream.ReadExactly(raw);
                    Convert(e.DType, raw, tensor);
                    break;
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"{path}: tensor '{e.Name}': the file ended while reading its data (truncated?)", ex);
        }
        return tensor;
    }

    private static void Convert(string dtype, byte[] raw, Tensor tensor)
    {
        switch (dtype)
        {
            case "BOOL":
            {
                var dst = tensor.Span<bool>();
                for (int i = 0; i < dst.Length; i++) dst[i] = raw[i] != 0;
                break;
            }
            case "F16":
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(raw), tensor.Span<float>());
                break;
            case "BF16":
            {
                // bfloat16 is the upper half of a float32.
                var src = MemoryMarshal.Cast<byte, ushort>(raw);
                var dst = MemoryMarshal.Cast<float, uint>(tensor.Span<float>());
                for (int i = 0; i < dst.Length; i++) dst[i] = (uint)src[i] << 16;
                break;
            }
            case "I32": TensorPrimitives.ConvertTruncating<int, long>(MemoryMarshal.Cast<byte, int>(raw), tensor.Span<long>()); break;
            case "I16": TensorPrimitives.ConvertTruncating<short, long>(MemoryMarshal.Cast<byte, short>(raw), tensor.Span<long>()); break;
            case "I8": TensorPrimitives.ConvertTruncating<sbyte, long>(MemoryMarshal.Cast<byte, sbyte>(raw), tensor.Span<long>()); break;
            default: TensorPrimitives.ConvertTruncating<byte, long>(raw, tensor.Span<long>()); break; // U8
        }
    }

    private static ReadOnlySpan<byte> RawBytes(Tensor t) => t.DType switch
    {
        DType.Float32 => MemoryMarshal.AsBytes(t.Span<float>()),
        DType.Float64 => MemoryMarshal.AsBytes(t.Span<double>()),
        DType.Int64 => MemoryMarshal.AsBytes(t.Span<long>()),
        _ => MemoryMarshal.AsBytes(t.Span<bool>()),
    };

    private static string DTypeCode(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        _ => "BOOL",
    };

    private static int ElementSize(DType dtype) => dtype switch
    {
        DType.Float32 => 4,
        DType.Float64 or DType.Int64 => 8,
        _ => 1,
    };

    // The reference implementation's dtype order (increasing alignment): BOOL < ... < F32 < F64 < I64.
    private static int AlignmentRank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.Float32 => 1,
        DType.Float64 => 2,
        _ => 3,
    };

    private static int SourceElementSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    private static void CheckLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors: reading and writing is implemented for little-endian machines only");
    }
}
