using System.Buffers.Binary;
using System.IO.Compression;
using Nabla.IO;

namespace Nabla.Data;

/// <summary>
/// Reads and writes IDX files, the format of MNIST and Fashion-MNIST: a big-endian header (magic number, then one
/// 32-bit size per dimension) followed by unsigned bytes.
/// </summary>
/// <remarks>
/// Files may be raw or gzip-compressed; compression is detected from the first two bytes (<c>1f 8b</c>), not from the
/// name. The reader checks the magic number (<c>0x00000803</c> for images, <c>0x00000801</c> for labels), that the
/// sizes multiply to at most one array's length, and that the data after the header is exactly as long as the header
/// says; any mismatch raises an <see cref="InvalidDataException"/> naming the file and the field
/// (Note [Reading outside bytes]). It never reads more than the header promises plus 64 KiB, so a gzip bomb or an
/// endless pipe is refused at the cost of an honest file of the promised size. A pipe or a device is read as a stream
/// (gzip is detected only in a seekable file).
/// </remarks>
public static class Idx
{
    /// <summary>The magic number of an unsigned-byte IDX file with three dimensions (images).</summary>
    public const int ImageMagic = 0x00000803;

    /// <summary>The magic number of an unsigned-byte IDX file with one dimension (labels).</summary>
    public const int LabelMagic = 0x00000801;

    /// <summary>Reads an image file: <c>[count, rows, columns]</c> unsigned bytes.</summary>
    /// <exception cref="InvalidDataException">Bad magic number, truncated header, sizes beyond one array, data shorter or
    /// longer than the header says, or corrupt gzip data; the message names the file.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static IdxImages ReadImages(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return ReadImages(file, path);
    }

    /// <summary>Reads an image file from <paramref name="source"/> (at its start); <paramref name="path"/> names it in messages.</summary>
    internal static IdxImages ReadImages(Stream source, string path)
    {
        using (Stream stream = Unwrap(path, source, out long? rawLength, out long? sourceLength))
        {
            Span<byte> header = stackalloc byte[16];
            ReadHeader(path, stream, header, ImageMagic, "image", "magic number, image count, rows, columns");
            int count = ReadSize(path, header[4..], "image count");
            int rows = ReadSize(path, header[8..], "rows");
            int columns = ReadSize(path, header[12..], "columns");
            // Each size is below 2^31, so rows * columns fits a long; the count is multiplied in only once that is known to stay small.
            long perImage = (long)rows * columns;
            if (perImage > Array.MaxLength || (count > 0 && perImage > Array.MaxLength / count))
                throw new InvalidDataException($"{path}: header says {count} images of {rows}x{columns}, more than one array can hold ({Array.MaxLength} bytes)");
            long expected = count * perImage;
            string what = $"{count} images of {rows}x{columns} ({expected} bytes)";
            byte[] pixels = ReadData(path, stream, expected, rawLength - 16, what, sourceLength);
            return new IdxImages(count, rows, columns, pixels);
        }
    }

    /// <summary>Reads a label file: <c>[count]</c> unsigned bytes.</summary>
    /// <exception cref="InvalidDataException">Bad magic number, truncated header, data shorter or longer than the header
    /// says, or corrupt gzip data; the message names the file.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static byte[] ReadLabels(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return ReadLabels(file, path);
    }

    /// <summary>Reads a label file from <paramref name="source"/> (at its start); <paramref name="path"/> names it in messages.</summary>
    internal static byte[] ReadLabels(Stream source, string path)
    {
        using (Stream stream = Unwrap(path, source, out long? rawLength, out long? sourceLength))
        {
            Span<byte> header = stackalloc byte[8];
            ReadHeader(path, stream, header, LabelMagic, "label", "magic number, label count");
            int count = ReadSize(path, header[4..], "label count");
            return ReadData(path, stream, count, rawLength - 8, $"{count} labels ({count} bytes)", sourceLength);
        }
    }

    /// <summary>Writes an image file atomically; gzip-compressed when <paramref name="path"/> ends in <c>.gz</c>.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="pixels">Exactly <c>count * rows * columns</c> bytes, image after image.</param>
    /// <param name="count">The number of images.</param>
    /// <param name="rows">The height of each image.</param>
    /// <param name="columns">The width of each image.</param>
    public static void WriteImages(string path, ReadOnlyMemory<byte> pixels, int count, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (pixels.Length != (long)count * rows * columns)
            throw new ArgumentException($"Idx.WriteImages: {count} images of {rows}x{columns} need {(long)count * rows * columns} bytes, got {pixels.Length}", nameof(pixels));
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, ImageMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), columns);
        Write(path, header, pixels);
    }

    /// <summary>Writes a label file atomically; gzip-compressed when <paramref name="path"/> ends in <c>.gz</c>.</summary>
    public static void WriteLabels(string path, ReadOnlyMemory<byte> labels)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, LabelMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), labels.Length);
        Write(path, header, labels);
    }

    private static void Write(string path, byte[] header, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, stream =>
        {
            if (!gzip)
            {
                stream.Write(header);
                stream.Write(data.Span);
                return;
            }
            using var compressed = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            compressed.Write(header);
            compressed.Write(data.Span);
        });
    }

    /// <summary>
    /// Unwraps gzip when <paramref name="source"/> starts with 1f 8b. The raw data length is known only for an
    /// uncompressed seekable source; a pipe or a device is read as a stream, like gzip data, up to what its header
    /// promises. <paramref name="sourceLength"/> is the stored (compressed) length when known.
    /// </summary>
    private static Stream Unwrap(string path, Stream source, out long? rawLength, out long? sourceLength)
    {
        rawLength = sourceLength = null;
        if (!source.CanSeek || source.Length == 0)
            return source; // a pipe, or a device that reports no size (/dev/zero): only the header can say how much to read
        sourceLength = source.Length;
        Span<byte> magic = stackalloc byte[2];
        int got = ReadFully(path, source, magic);
        source.Position = 0;
        if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            return new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
        rawLength = source.Length;
        return source;
    }

    private static void ReadHeader(string path, Stream stream, Span<byte> header, int magic, string kind, string fields)
    {
        int got = ReadFully(path, stream, header);
        int actual = got >= 4 ? BinaryPrimitives.ReadInt32BigEndian(header) : magic;
        if (got < header.Length && actual == magic)
            throw new InvalidDataException(
                $"{path}: the file holds {got} bytes, too short for the {header.Length}-byte IDX {kind} header ({fields})");
        if (actual != magic)
        {
            string hint = actual switch
            {
                LabelMagic => " (this is a label file)",
                ImageMagic => " (this is an image file)",
                _ when (actual & 0xFFFF0000) != 0 => " (not an IDX file)",
                _ => "",
            };
            throw new InvalidDataException(
                $"{path}: bad magic number 0x{actual:X8} in the IDX header; expected 0x{magic:X8} for an unsigned-byte {kind} file{hint}");
        }
    }

    private static int ReadSize(string path, ReadOnlySpan<byte> bytes, string field)
    {
        uint value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        if (value > int.MaxValue)
            throw new InvalidDataException($"{path}: header field '{field}' is {value}, larger than the maximum of {int.MaxValue}");
        return (int)value;
    }

    /// <summary>Reads exactly <paramref name="expected"/> bytes and checks that nothing follows them.</summary>
    /// <remarks>Never reads more than a small, fixed amount past what the header promises, so a gzip bomb or an
    /// endless device costs no more time or memory than an honest file of the promised size.</remarks>
    private static byte[] ReadData(string path, Stream stream, long expected, long? knownLength, string what, long? sourceLength)
    {
        if (expected > Array.MaxLength)
            throw new InvalidDataException($"{path}: header says {what}, more than one array can hold");
        if (knownLength is { } length && length != expected)
            throw new InvalidDataException($"{path}: header says {what} but the file holds {length} bytes of data");

        // NOTE: for gzip the length is unknown until the end. Deflate expands at most 1032:1, so a header within
        // that bound of the compressed size is given its whole buffer at once (growing by doubling would leave
        // ~1.3x the data as garbage: 60 MB for Fashion-MNIST's training images); a header beyond it cannot be
        // right, and its buffer grows as data arrives rather than trusting it with a multi-gigabyte allocation.
        // A pipe has no size to compare with, so its buffer grows the same way.
        const long MaxDeflateRatio = 1032;
        bool trusted = knownLength is not null || expected <= sourceLength * MaxDeflateRatio;
        var data = new byte[trusted ? expected : Math.Min(expected, 1 << 20)];
        int filled = 0;
        while (true)
        {
            filled += ReadFully(path, stream, data.AsSpan(filled));
            if (filled < data.Length || data.Length == expected) break;
            Array.Resize(ref data, (int)Math.Min(expected, (long)data.Length * 2));
        }
        if (filled < expected)
            throw new InvalidDataException($"{path}: header says {what} but the file holds {filled} bytes of data");

        const int MaxCounted = 1 << 16;
        Span<byte> scratch = stackalloc byte[4096];
        long extra = 0;
        int n;
        while (extra <= MaxCounted && (n = ReadFully(path, stream, scratch)) > 0) extra += n;
        if (extra > MaxCounted)
            throw new InvalidDataException($"{path}: header says {what} but the file holds more than {expected + MaxCounted} bytes of data");
        if (extra > 0)
            throw new InvalidDataException($"{path}: header says {what} but the file holds {expected + extra} bytes of data");
        return data;
    }

    /// <summary>Fills <paramref name="buffer"/> unless the stream ends first; returns the bytes read. Gzip errors name the file.</summary>
    private static int ReadFully(string path, Stream stream, Span<byte> buffer)
    {
        try
        {
            return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"{path}: the gzip data is corrupt: {ex.Message}", ex);
        }
    }
}
