using Nabla.Data;

namespace Nabla.Tests.Data;

public class CharTokenizerTests
{
    [Fact]
    public void FromText_Vocabulary_IsSortedDistinctCharacters()
    {
        var tok = CharTokenizer.FromText("hello world\n");
        Assert.Equal("\n dehlorw", tok.ToVocabString());
        Assert.Equal(9, tok.VocabSize);
        Assert.Equal([4, 3, 5, 5, 6], tok.Encode("hello"));
        Assert.Equal("world", tok.Decode(tok.Encode("world")));
    }

    [Fact]
    public void FromText_BeyondBmp_SortsByCodePointAsPython()
    {
        // Python: sorted(set("a😀b\uFFFD")) == ['a', 'b', '\ufffd', '😀'] (code points, not UTF-16 units).
        var tok = CharTokenizer.FromText("a😀b\uFFFD");
        Assert.Equal("ab\uFFFD😀", tok.ToVocabString());
        Assert.Equal(4, tok.VocabSize);
        Assert.Equal([3, 0], tok.Encode("😀a"));
        Assert.Equal("😀a", tok.Decode(new long[] { 3, 0 }));
    }

    [Fact]
    public void Encode_UnknownCharacter_NamesItAndItsPosition()
    {
        var tok = CharTokenizer.FromText("abc");
        var ex = Assert.Throws<ArgumentException>(() => tok.Encode("ab😀cz"));
        ErrorAssert.AssertMessage(ex, "'😀' (U+1F600)", "position 2", "3 characters");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => tok.Encode("a\tb")), "U+0009", "position 1");
    }

    [Fact]
    public void Decode_IdOutsideVocabulary_Throws()
    {
        var tok = CharTokenizer.FromText("abc");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => tok.Decode(new long[] { 0, 3 })), "token id 3", "position 1", "[0, 3)");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => tok.Decode(-1)), "token id -1");
    }

    [Fact]
    public void VocabString_RoundTrips_AndKeepsTheGivenOrder()
    {
        var tok = CharTokenizer.FromVocabString("zyx");
        Assert.Equal([2, 0], tok.Encode("xz"));
        Assert.Equal("zyx", CharTokenizer.FromVocabString(tok.ToVocabString()).ToVocabString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("abca", "twice")]
    public void FromVocabString_Invalid_Throws(string vocab, string expected)
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => CharTokenizer.FromVocabString(vocab)), "CharTokenizer", expected);
    }

    [Fact]
    public void FromText_EmptyOrLoneSurrogate_Throws()
    {
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => CharTokenizer.FromText("")), "empty");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => CharTokenizer.FromText("ab\uDC00")), "surrogate", "index 2");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => CharTokenizer.FromVocabString("a\uD800b")), "vocabulary string", "lone UTF-16 surrogate", "index 1");
    }
}
