using System.Buffers.Binary;
using System.IO.Compression;
using Nabla.Data;

namespace Nabla.Tests.Data;

public class IdxTests
{
    internal static byte[] Pixels(int count, int rows, int columns, int salt = 0)
    {
        var p = new byte[count * rows * columns];
        for (int i = 0; i < p.Length; i++) p[i] = (byte)((i * 7 + salt) % 256);
        return p;
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest)) gz.Write(data);
        return buffer.ToArray();
    }

    internal static byte[] ImageHeader(int magic, int count, int rows, int columns)
    {
        var h = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(h, magic);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(12), columns);
        return h;
    }

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void WriteImagesReadImages_RawAndGzip_RoundTrip(string name)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name);
        byte[] pixels = Pixels(5, 4, 3);
        Idx.WriteImages(path, pixels, 5, 4, 3);
        byte[] onDisk = File.ReadAllBytes(path);
        Assert.Equal(name.EndsWith(".gz", StringComparison.Ordinal), onDisk[0] == 0x1f && onDisk[1] == 0x8b);
        IdxImages images = Idx.ReadImages(path);
        Assert.Equal((5, 4, 3), (images.Count, images.Rows, images.Columns));
        Assert.Equal(pixels, images.Pixels.ToArray());
        Assert.Equal([name], dir.FileNames());
    }

    [Theory]
    [InlineData("labels-idx1-ubyte")]
    [InlineData("labels-idx1-ubyte.gz")]
    public void WriteLabelsReadLabels_RawAndGzip_RoundTrip(string name)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name);
        Idx.WriteLabels(path, new byte[] { 3, 1, 4, 1, 5 });
        Assert.Equal([3, 1, 4, 1, 5], Idx.ReadLabels(path));
    }

    [Fact]
    public void ReadImages_GzipDetectedByMagicBytesNotName()
    {
        using var dir = new TempDirectory();
        string path = dir.File("images-without-extension");
        File.WriteAllBytes(path, Gzip([.. ImageHeader(Idx.ImageMagic, 2, 2, 2), .. Pixels(2, 2, 2)]));
        Assert.Equal(Pixels(2, 2, 2), Idx.ReadImages(path).Pixels.ToArray());
    }

    [Fact]
    public void ReadImages_LargeGzip_ReadsEveryByte()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.gz");
        byte[] pixels = Pixels(3000, 28, 28, salt: 5); // 2.35 MB, read into one buffer sized from the header
        Idx.WriteImages(path, pixels, 3000, 28, 28);
        Assert.Equal(pixels, Idx.ReadImages(path).Pixels.ToArray());
    }

    [Fact]
    public void ReadImages_GzipHeaderBeyondDeflateRatio_GrowsItsBufferAndReportsTheShortfall()
    {
        // A 60,000-image header in a gzip file of a few hundred bytes claims more than deflate's 1032:1 can
        // expand to, so no 47 MB buffer is trusted to it: the data is read as it arrives and the shortfall named.
        using var dir = new TempDirectory();
        string path = dir.File("lying-header.gz");
        byte[] gz = Gzip([.. ImageHeader(Idx.ImageMagic, 60000, 28, 28), .. new byte[3_000]]);
        Assert.True(47040000L > gz.LongLength * 1032, "the file must be small enough for the header to exceed the bound");
        File.WriteAllBytes(path, gz);
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("the file holds 3000 bytes of data", ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_TruncatedData_NamesFileHeaderAndActualLength(bool gzip)
    {
        using var dir = new TempDirectory();
        string path = dir.File(gzip ? "train-images-idx3-ubyte.gz" : "train-images-idx3-ubyte");
        byte[] bytes = [.. ImageHeader(Idx.ImageMagic, 60000, 28, 28), .. new byte[1000]];
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Equal($"{path}: header says 60000 images of 28x28 (47040000 bytes) but the file holds 1000 bytes of data", ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_OverLongData_Throws(bool gzip)
    {
        using var dir = new TempDirectory();
        string path = dir.File("x");
        byte[] bytes = [.. ImageHeader(Idx.ImageMagic, 2, 2, 2), .. new byte[9]];
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("header says 2 images of 2x2 (8 bytes) but the file holds 9 bytes of data", ex.Message);
    }

    [Fact]
    public void ReadImages_LabelFile_BadMagicWithHint()
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels");
        Idx.WriteLabels(path, new byte[] { 1, 2 });
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains("bad magic number 0x00000801", ex.Message);
        Assert.Contains("expected 0x00000803", ex.Message);
        Assert.Contains("label file", ex.Message);
    }

    [Fact]
    public void ReadLabels_ImageFile_BadMagic()
    {
        using var dir = new TempDirectory();
        string path = dir.File("images");
        Idx.WriteImages(path, Pixels(1, 1, 1), 1, 1, 1);
        Assert.Contains("expected 0x00000801", Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path)).Message);
    }

    [Fact]
    public void ReadImages_NotIdx_BadMagic()
    {
        using var dir = new TempDirectory();
        string path = dir.File("text");
        File.WriteAllText(path, "hello, this is not an IDX file");
        Assert.Contains("not an IDX file", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path)).Message);
    }

    [Fact]
    public void ReadImages_TruncatedHeader_NamesHeaderFields()
    {
        using var dir = new TempDirectory();
        string path = dir.File("short");
        File.WriteAllBytes(path, ImageHeader(Idx.ImageMagic, 1, 1, 1)[..6]);
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("holds 6 bytes", ex.Message);
        Assert.Contains("image count, rows, columns", ex.Message);
    }

    [Fact]
    public void ReadLabels_TruncatedData_NamesCount()
    {
        using var dir = new TempDirectory();
        string path = dir.File("l");
        var bytes = new byte[8 + 3];
        BinaryPrimitives.WriteInt32BigEndian(bytes, Idx.LabelMagic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 10);
        File.WriteAllBytes(path, bytes);
        Assert.Contains("header says 10 labels (10 bytes) but the file holds 3 bytes of data", Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path)).Message);
    }

    [Fact]
    public void ReadImages_HugeHeaderField_RejectedWithoutAllocating()
    {
        using var dir = new TempDirectory();
        string path = dir.File("huge.gz");
        File.WriteAllBytes(path, Gzip(ImageHeader(Idx.ImageMagic, -1, 28, 28)));
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("'image count' is 4294967295", ex.Message);
        File.WriteAllBytes(path, Gzip([.. ImageHeader(Idx.ImageMagic, 1_000_000, 1000, 1000), 1, 2, 3]));
        Assert.Contains("more than one array can hold", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path)).Message);
    }

    [Fact]
    public void ReadImages_CorruptGzip_NamesFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.gz");
        byte[] gz = Gzip([.. ImageHeader(Idx.ImageMagic, 4, 8, 8), .. Pixels(4, 8, 8)]);
        for (int i = 12; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        File.WriteAllBytes(path, gz);
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void WriteImages_WrongPixelCount_Throws()
        => Assert.Contains("need 12 bytes, got 11", Assert.Throws<ArgumentException>(() => Idx.WriteImages("unused", new byte[11], 1, 3, 4)).Message);

    [Fact]
    public void ReadImages_MissingFile_ThrowsFileNotFound()
        => Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))));
}
