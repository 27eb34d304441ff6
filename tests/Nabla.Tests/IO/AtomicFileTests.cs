using Nabla.IO;
using Nabla.Tests.Data;

namespace Nabla.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void Write_NewFile_HasContentsAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.bin");
        AtomicFile.Write(path, s => s.Write([1, 2, 3]));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], dir.FileNames());
    }

    [Fact]
    public void Write_ExistingFile_IsReplaced()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.bin");
        File.WriteAllBytes(path, [9, 9, 9, 9]);
        AtomicFile.Write(path, s => s.Write([1]));
        Assert.Equal([1], File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_WriterThrows_KeepsOldContentsAndRemovesTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.bin");
        File.WriteAllBytes(path, [7, 7]);
        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write([1, 2, 3]);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", ex.Message);
        Assert.Equal([7, 7], File.ReadAllBytes(path));
        Assert.Equal(["out.bin"], dir.FileNames());
    }

    [Fact]
    public void Write_WriterThrowsForNewFile_LeavesNothing()
    {
        using var dir = new TempDirectory();
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(dir.File("new.bin"), _ => throw new InvalidOperationException()));
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void Write_MissingDirectory_NamesIt()
    {
        using var dir = new TempDirectory();
        string missing = Path.Combine(dir.Path, "no-such-dir");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(Path.Combine(missing, "f.bin"), _ => { }));
        Assert.Contains(missing, ex.Message);
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void Write_ParentIsAFile_IsUnwritableAndSaysWhy()
    {
        // NOTE: a parent that is a regular file is unwritable even for root, unlike a chmod-ed directory.
        using var dir = new TempDirectory();
        string file = dir.File("plain.txt");
        File.WriteAllText(file, "x");
        var ex = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.Write(Path.Combine(file, "f.bin"), _ => { }));
        Assert.Contains("is a file, not a directory", ex.Message);
    }

    [Fact]
    public void Write_TargetIsADirectory_Throws()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("sub"));
        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(dir.File("sub"), s => s.WriteByte(1)));
        Assert.Contains("directory", ex.Message);
        Assert.Empty(dir.FileNames());
    }
}
