using Nabla.Data;
using Nabla.Tests.Data;

namespace Nabla.Tests.Fuzz;

/// <summary>Idx.ReadImages and ReadLabels over seeded mutations (Note [Mutation tests]): only InvalidDataException may escape.</summary>
public class IdxMutationTests
{
    private static readonly Type[] Documented = [typeof(InvalidDataException)];

    [Theory]
    [InlineData("images", 31)]
    [InlineData("images.gz", 32)]
    public void ReadImages_MutatedFile_OnlyInvalidDataEscapes(string name, int seed)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name);
        Idx.WriteImages(path, IdxTests.Pixels(3, 4, 5), 3, 4, 5);
        Mutations.Run($"Idx.ReadImages ({name})", File.ReadAllBytes(path),
            bytes => Idx.ReadImages(new MemoryStream(bytes, writable: false), name), Documented, count: 3000, seed: seed);
    }

    [Theory]
    [InlineData("labels", 33)]
    [InlineData("labels.gz", 34)]
    public void ReadLabels_MutatedFile_OnlyInvalidDataEscapes(string name, int seed)
    {
        using var dir = new TempDirectory();
        string path = dir.File(name);
        Idx.WriteLabels(path, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        Mutations.Run($"Idx.ReadLabels ({name})", File.ReadAllBytes(path),
            bytes => Idx.ReadLabels(new MemoryStream(bytes, writable: false), name), Documented, count: 3000, seed: seed);
    }
}
