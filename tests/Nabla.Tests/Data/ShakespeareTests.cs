using Nabla.Data;

namespace Nabla.Tests.Data;

public class ShakespeareTests
{
    [Fact]
    public void Load_EmbeddedCorpus_IsTinyShakespeareWithNanoGptsVocabularyAndSplit()
    {
        string text = Shakespeare.Text();
        Assert.Equal(1_115_394, text.Length);
        Assert.StartsWith("First Citizen:\nBefore we proceed any further, hear me speak.", text);
        var (train, val) = Shakespeare.LoadSplit();
        Assert.Equal(1_003_854, train.Length);
        Assert.Equal(111_540, val.Length);
        Assert.Equal("\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", train.Tokenizer.ToVocabString());
        Assert.Equal(text[1_003_854..1_003_900], val.Tokenizer.Decode(val.Tokens[..46].ToArray()));
    }
}
