using System.Text;
using Nabla.Data;

namespace Nabla.Tests.Data;

public class TextDatasetTests
{
    private static TextDataset Digits(int n) => TextDataset.FromText(string.Concat(Enumerable.Range(0, n).Select(i => (char)('a' + i % 26))));

    [Fact]
    public void Split_IsPrepareDotPys_FirstIntOfNineTenths()
    {
        TextDataset all = Digits(105);
        var (train, val) = all.Split();
        Assert.Equal((int)(105 * 0.9), train.Length);
        Assert.Equal(105 - 94, val.Length);
        Assert.Equal(all.Tokens[94], val.Tokens[0]);
        Assert.Same(all.Tokenizer, val.Tokenizer);
    }

    [Fact]
    public void GetBatch_TargetsAreInputsShiftedByOne_FromSeededOffsets()
    {
        TextDataset data = Digits(200);
        var (x, y) = data.GetBatch(5, 7, new Generator(3));
        Assert.Equal(new Shape(5, 7), x.Shape);
        Assert.Equal(DType.Int64, y.DType);
        long[] xs = x.ToArray<long>(), ys = y.ToArray<long>();
        for (int b = 0; b < 5; b++)
        {
            int offset = FindOffset(data, xs.AsSpan(b * 7, 7));
            Assert.InRange(offset, 0, 200 - 7 - 1);
            for (int t = 0; t < 7; t++) Assert.Equal(data.Tokens[offset + t + 1], ys[b * 7 + t]);
        }
        var (x2, _) = data.GetBatch(5, 7, new Generator(3));
        Assert.Equal(xs, x2.ToArray<long>());
    }

    private static int FindOffset(TextDataset data, ReadOnlySpan<long> window)
    {
        for (int i = 0; i + window.Length <= data.Length; i++)
        {
            bool match = true;
            for (int t = 0; t < window.Length && match; t++) match = data.Tokens[i + t] == window[t];
            if (match) return i;
        }
        return -1;
    }

    [Fact]
    public void GetBatch_Offsets_CoverTheWholeRangeAndNoMore()
    {
        TextDataset data = TextDataset.FromText("abcdefgh");  // every window start is unique: offset = first id
        var seen = new HashSet<long>();
        var g = new Generator(1);
        for (int i = 0; i < 200; i++) seen.Add(data.GetBatch(1, 3, g).X.ToArray<long>()[0]);
        Assert.Equal(new HashSet<long> { 0, 1, 2, 3, 4 }, seen);  // randint(len - T) = [0, 5)
    }

    [Fact]
    public void Windows_AreTheNonOverlappingValidationWindows()
    {
        TextDataset data = Digits(23);
        Assert.Equal(3, data.WindowCount(7));   // (23 - 1) / 7
        var (x, y) = data.Windows(7, 1, 2);
        Assert.Equal(Enumerable.Range(7, 14).Select(i => (long)data.Tokens[i]), x.ToArray<long>());
        Assert.Equal(Enumerable.Range(8, 14).Select(i => (long)data.Tokens[i]), y.ToArray<long>());
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => data.Windows(7, 2, 2)), "windows 2 to 3", "0 to 2");
    }

    [Fact]
    public void GetBatch_TextNotLongerThanBlock_Throws()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Digits(8).GetBatch(2, 8)), "8 tokens", "at least 9");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Digits(8).GetBatch(0, 3)), "batch size");
    }

    [Fact]
    public void FromText_WithTokenizer_UnknownCharacter_Throws()
    {
        var tok = CharTokenizer.FromText("abc");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => TextDataset.FromText("abd", tok)), "'d'", "position 2");
    }

    [Fact]
    public void FromFile_Utf8WithBom_ReadsCharacters()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.txt");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes("héllo é")]);
        TextDataset data = TextDataset.FromFile(path);
        Assert.Equal(7, data.Length);
        Assert.Equal(" hlo\u00e9", data.Tokenizer.ToVocabString());
    }

    [Fact]
    public void FromFile_Missing_Empty_NotUtf8_ThrowClearErrors()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<FileNotFoundException>(() => TextDataset.FromFile(dir.File("none.txt")));
        ErrorAssert.AssertMessage(missing, "no text file", "none.txt");
        File.WriteAllBytes(dir.File("empty.txt"), []);
        ErrorAssert.AssertMessage(Assert.Throws<InvalidDataException>(() => TextDataset.FromFile(dir.File("empty.txt"))), "empty.txt", "is empty");
        File.WriteAllBytes(dir.File("latin1.txt"), [(byte)'a', (byte)'b', 0xE9, (byte)'c']);
        ErrorAssert.AssertMessage(Assert.Throws<InvalidDataException>(() => TextDataset.FromFile(dir.File("latin1.txt"))), "latin1.txt", "not UTF-8", "offset 2");
    }

    [Fact]
    public void Constructor_IdOutsideVocabulary_Throws()
    {
        var tok = CharTokenizer.FromText("ab");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new TextDataset([0, 1, 2], tok)), "token id 2", "position 2");
    }
}
