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
/// <para>Written dtypes: F32, F64, I64, BOOL, BF16, F16 (one per <see cref="DType"/>). Read dtypes: those six, each as
/// its own dtype (BF16 and F16 stay 16-bit), plus I32, I16, I8, U8 (converted to int64).</para>
/// <para>As in the reference implementation, tensors are laid out sorted by descending dtype alignment and then by
/// name (ordinal), so the same dictionary always produces the same bytes.</para>
/// </remarks>
public static class SafeTensors
{
    private const string MetadataKey = SafeTensorsHeader.MetadataKey;

    /// <summary>The largest header <see cref="Load(string)"/> reads, in bytes: the reference implementation's limit.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The most tensors one file may hold for <see cref="Load(string)"/> and <see cref="Save"/>; it bounds the per-tensor memory a small header can demand.</summary>
    public const int MaxTensors = 100_000;

    /// <summary>The most <c>__metadata__</c> entries one file may hold for <see cref="Load(string)"/> and <see cref="Save"/>.</summary>
    public const int MaxMetadataEntries = 100_000;

    /// <summary>Writes <paramref name="tensors"/> (and optional string <paramref name="metadata"/>) to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to create or replace; written through <see cref="AtomicFile"/>.</param>
    /// <param name="tensors">Name to tensor; any shape and dtype, contiguous or not. Gradients are not saved.</param>
    /// <param name="metadata">Free-form string pairs stored under <c>__metadata__</c>, or null for none.</param>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        CheckLittleEndian();
        if (tensors.Count > MaxTensors)
            throw new ArgumentException($"safetensors save: {tensors.Count:N0} tensors, more than the {MaxTensors:N0} a file may hold (Load would refuse it)", nameof(tensors));
        if (metadata?.Count > MaxMetadataEntries)
            throw new ArgumentException($"safetensors save: {metadata.Count:N0} metadata entries, more than the {MaxMetadataEntries:N0} a file may hold (Load would refuse it)", nameof(metadata));

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
        if (header.Length > MaxHeaderBytes)
            throw new ArgumentException($"safetensors save: the header would be {header.Length:N0} bytes, more than the {MaxHeaderBytes:N0} a file may hold (Load would refuse it)", nameof(metadata));
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
                long bytes = data.Numel * data.DType.ElementSize();
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
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file within this reader's
    /// bounds: too short, a header length beyond <see cref="MaxHeaderBytes"/> or the file, a header that is not UTF-8
    /// JSON or not an object, a duplicated name, more than <see cref="MaxTensors"/> tensors or
    /// <see cref="MaxMetadataEntries"/> metadata entries, a missing or mistyped field, an unsupported dtype,
    /// offsets that leave gaps, overlap, disagree with the shape or run past the end, or a file that is not regular
    /// (a pipe). The message names the file and the tensor or field. See Note [Reading outside bytes].</exception>
    /// <exception cref="IOException">The file is missing or cannot be read (a disk error); a permission problem is an <see cref="UnauthorizedAccessException"/>.</exception>
    public static OrderedDictionary<string, Tensor> Load(string path)
    {
        using FileStream stream = OpenRead(path);
        return Load(stream, path);
    }

    /// <summary>Reads every tensor from a seekable <paramref name="stream"/> positioned at the start of the file; <paramref name="name"/> names it in messages.</summary>
    internal static OrderedDictionary<string, Tensor> Load(Stream stream, string name)
        => ReadTensors(name, stream, ReadHeader(name, stream).Entries);

    /// <summary>Reads only the <c>__metadata__</c> pairs of the file at <paramref name="path"/> (empty if it has none).</summary>
    /// <exception cref="InvalidDataException">The header is malformed, as for <see cref="Load(string)"/>; the tensors' data is not read.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static IReadOnlyDictionary<string, string> LoadMetadata(string path)
    {
        using FileStream stream = OpenRead(path);
        return ReadHeader(path, stream).Metadata;
    }

    /// <summary>Opens <paramref name="path"/> for reading; a file that cannot seek (a pipe) is refused, as tensors are read by offset.</summary>
    internal static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckLittleEndian();
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        if (stream.CanSeek) return stream;
        stream.Dispose();
        throw new InvalidDataException($"{path}: not a regular file (a pipe or a socket?); a safetensors file is read by offset and must be a regular file");
    }

    /// <summary>Reads the tensors listed by <see cref="ReadHeader"/>, in data order, from the stream it left at the data section.</summary>
    internal static OrderedDictionary<string, Tensor> ReadTensors(string path, Stream stream, List<SafeTensorsEntry> entries)
    {
        var result = new OrderedDictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (var entry in entries) result.Add(entry.Name, ReadTensor(path, stream, entry));
        return result;
    }

    /// <summary>Reads and checks the header of a seekable stream positioned at its start, leaving it at the data section.</summary>
    internal static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) ReadHeader(string path, Stream stream)
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
        try
        {
            stream.ReadExactly(headerBytes);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"{path}: the file ended while reading its {headerLength}-byte header (it shrank while being read?)", ex);
        }
        if (headerLength == 0 || headerBytes[0] != (byte)'{')
            throw new InvalidDataException($"{path}: header does not start with '{{' (not a safetensors file?)");
        var (entries, metadata) = SafeTensorsHeader.Parse(path, headerBytes);
        SafeTensorsHeader.CheckLayout(path, entries, fileLength - 8 - (long)headerLength);
        return (entries, metadata);
    }

    private static Tensor ReadTensor(string path, Stream stream, SafeTensorsEntry e)
    {
        DType dtype = e.DType switch
        {
            "F32" => DType.Float32,
            "F64" => DType.Float64,
            "BF16" => DType.BFloat16,
            "F16" => DType.Float16,
            "BOOL" => DType.Bool,
            _ => DType.Int64,
        };
        var tensor = Tensor.Empty(dtype, e.Shape);
        try
        {
            switch (e.DType)
            {
                case "F32": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<float>())); break;
                case "F64": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<double>())); break;
                case "I64": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<long>())); break;
                case "BF16": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<BFloat16>())); break;
                case "F16": stream.ReadExactly(MemoryMarshal.AsBytes(tensor.Span<Half>())); break;
                default: ReadConverted(stream, e.DType, tensor); break;
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"{path}: tensor '{SafeTensorsHeader.Clip(e.Name)}': the file ended while reading its data (truncated?)", ex);
        }
        return tensor;
    }

    /// <summary>Reads a dtype that needs converting in blocks, so the raw bytes never need one array of their own.</summary>
    private static void ReadConverted(Stream stream, string dtype, Tensor tensor)
    {
        const int BlockElements = 1 << 16;
        int size = SourceElementSize(dtype);
        var raw = new byte[BlockElements * size];
        long numel = tensor.Numel;
        for (long done = 0; done < numel; done += BlockElements)
        {
            int n = (int)Math.Min(BlockElements, numel - done);
            stream.ReadExactly(raw.AsSpan(0, n * size));
            Convert(dtype, raw.AsSpan(0, n * size), tensor, (int)done, n);
        }
    }

    private static void Convert(string dtype, ReadOnlySpan<byte> raw, Tensor tensor, int start, int count)
    {
        switch (dtype)
        {
            case "BOOL":
            {
                var dst = tensor.Span<bool>().Slice(start, count);
                for (int i = 0; i < dst.Length; i++) dst[i] = raw[i] != 0;
                break;
            }
            case "I32": TensorPrimitives.ConvertTruncating<int, long>(MemoryMarshal.Cast<byte, int>(raw), tensor.Span<long>().Slice(start, count)); break;
            case "I16": TensorPrimitives.ConvertTruncating<short, long>(MemoryMarshal.Cast<byte, short>(raw), tensor.Span<long>().Slice(start, count)); break;
            case "I8": TensorPrimitives.ConvertTruncating<sbyte, long>(MemoryMarshal.Cast<byte, sbyte>(raw), tensor.Span<long>().Slice(start, count)); break;
            default: TensorPrimitives.ConvertTruncating<byte, long>(raw, tensor.Span<long>().Slice(start, count)); break; // U8
        }
    }

    private static ReadOnlySpan<byte> RawBytes(Tensor t) => t.DType switch
    {
        DType.Float32 => MemoryMarshal.AsBytes(t.Span<float>()),
        DType.Float64 => MemoryMarshal.AsBytes(t.Span<double>()),
        DType.Int64 => MemoryMarshal.AsBytes(t.Span<long>()),
        DType.BFloat16 => MemoryMarshal.AsBytes(t.Span<BFloat16>()),
        DType.Float16 => MemoryMarshal.AsBytes(t.Span<Half>()),
        DType.Bool => MemoryMarshal.AsBytes(t.Span<bool>()),
        _ => throw DTypeExtensions.Unknown(t.DType),
    };

    private static string DTypeCode(DType dtype) => dtype switch
    {
        DType.Float32 => "F32",
        DType.Float64 => "F64",
        DType.Int64 => "I64",
        DType.BFloat16 => "BF16",
        DType.Float16 => "F16",
        DType.Bool => "BOOL",
        _ => throw DTypeExtensions.Unknown(dtype),
    };

    // The reference implementation's dtype order: BOOL < ... < F16 < BF16 < ... < F32 < F64 < I64.
    private static int AlignmentRank(DType dtype) => dtype switch
    {
        DType.Bool => 0,
        DType.Float16 => 1,
        DType.BFloat16 => 2,
        DType.Float32 => 3,
        DType.Float64 => 4,
        DType.Int64 => 5,
        _ => throw DTypeExtensions.Unknown(dtype),
    };

    internal static int SourceElementSize(string dtype) => dtype switch
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
