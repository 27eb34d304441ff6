using Nabla.Data;

namespace Nabla.Tests.Data;

public class IdxBadInputTests
{
    [Fact]
    public void ReadImages_SizesWhoseProductWrapsToZero_ThrowsInsteadOfReturningNoPixels()
    {
        // 2^30 * 2^30 * 16 = 2^64, which a 64-bit product wraps to 0: an empty data section would have matched it.
        using var dir = new TempDirectory();
        string path = dir.File("wrap");
        File.WriteAllBytes(path, IdxTests.ImageHeader(Idx.ImageMagic, 1 << 30, 1 << 30, 16));
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains("header says 1073741824 images of 1073741824x16, more than one array can hold", ex.Message);
    }

    [Fact]
    public void ReadLabels_GzipBombBeyondThePromise_StopsReadingSoonAfterIt()
    {
        // 2 labels promised, then 16 MB of zeros (about 16 KB compressed): the reader must not inflate it all.
        using var dir = new TempDirectory();
        string path = dir.File("bomb.gz");
        byte[] data = new byte[8 + (16 << 20)];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(data, Idx.LabelMagic);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(4), 2);
        File.WriteAllBytes(path, IdxTests.Gzip(data));
        var ex = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains("header says 2 labels (2 bytes) but the file holds more than 65538 bytes of data", ex.Message);
    }

    [Fact]
    public void ReadLabels_FromAPipe_ReadsWhatTheHeaderPromises()
    {
        using var dir = new TempDirectory();
        string source = dir.File("labels"), pipe = dir.File("pipe");
        Idx.WriteLabels(source, new byte[] { 7, 8, 9 });
        byte[] bytes = File.ReadAllBytes(source);
        Fifo.CreateAndFeed(pipe, s => s.Write(bytes));
        Assert.Equal([7, 8, 9], Idx.ReadLabels(pipe));
    }

    [Fact]
    public void ReadImages_EndlessPipeBeyondThePromise_Refused()
    {
        using var dir = new TempDirectory();
        string pipe = dir.File("pipe");
        Fifo.CreateAndFeed(pipe, s =>
        {
            s.Write(IdxTests.ImageHeader(Idx.ImageMagic, 1, 2, 2));
            var zeros = new byte[4096];
            while (true) s.Write(zeros);
        });
        Assert.Contains("holds more than", Assert.Throws<InvalidDataException>(() => Idx.ReadImages(pipe)).Message);
    }

    [Fact]
    public void ReadImages_DevZero_BadMagic()
        => Assert.Contains("bad magic number 0x00000000", Assert.Throws<InvalidDataException>(() => Idx.ReadImages("/dev/zero")).Message);
}
