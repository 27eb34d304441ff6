using Nabla.Data;
using Nabla.IO;
using Nabla.Models;
using Nabla.NN;
using Nabla.Tests.Data;

namespace Nabla.Tests.Models;

/// <summary>Gpt.Save and Gpt.Load (Note [GPT files]): configuration and vocabulary in the metadata, lm_head.weight tied.</summary>
public class GptFilesTests
{
    [Fact]
    public void SaveLoad_RoundTrip_SameConfigVocabularyAndLogits()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var model = new Gpt(GptTests.Tiny with { Bias = false, Dropout = 0.1 }, generator: new Generator(2));
        var tok = CharTokenizer.FromText("abcdefghijk");
        model.Save(path, tok, new Dictionary<string, string> { ["iters"] = "5" });
        var (loaded, tokenizer) = Gpt.Load(path);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(tok.ToVocabString(), tokenizer!.ToVocabString());
        Tensor idx = GptTests.Ids(2, 5, 11, 3);
        Assert.Equal(model.Eval().Forward(idx).ToArray<float>(), loaded.Eval().Forward(idx).ToArray<float>());
        Assert.Same(loaded.Wte.Weight, loaded.LmHead.Weight);
        Assert.Equal("5", SafeTensors.LoadMetadata(path)["iters"]);
    }

    [Fact]
    public void Save_MetadataAndNames_AreThoseOfPyTorchsFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var (model, tok) = Gpt.Load(Reference.ShakespeareGptTests.ModelPath);
        model.Save(path, tok);
        var ours = SafeTensors.LoadMetadata(path);
        var theirs = SafeTensors.LoadMetadata(Reference.ShakespeareGptTests.ModelPath);
        foreach (string key in new[] { "architecture", "vocab_size", "block_size", "n_layer", "n_head", "n_embd", "dropout", "bias", "vocab", "tied" })
            Assert.Equal(theirs[key], ours[key]);
        Assert.Equal(SafeTensors.Load(Reference.ShakespeareGptTests.ModelPath).Keys.Order(), SafeTensors.Load(path).Keys.Order());
        Assert.DoesNotContain("lm_head.weight", SafeTensors.Load(path).Keys);
    }

    [Fact]
    public void Load_NanoGptStateDict_WithLmHeadAndMaskBuffers_Loads()
    {
        using var dir = new TempDirectory();
        var model = new Gpt(GptTests.Tiny, generator: new Generator(4));
        var state = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone());
        for (int i = 0; i < GptTests.Tiny.NLayer; i++) state[$"transformer.h.{i}.attn.bias"] = Tensor.Ones([8, 8]).Tril().Reshape(1, 1, 8, 8);
        string path = dir.File("nanogpt.safetensors");
        SafeTensors.Save(path, state);   // no metadata: the head count must be given
        var ex = Assert.Throws<InvalidDataException>(() => Gpt.Load(path));
        ErrorAssert.AssertMessage(ex, "n_head", "pass the head count");
        var (loaded, tok) = Gpt.Load(path, nHead: 2);
        Assert.Null(tok);
        Assert.Equal(GptTests.Tiny, loaded.Config);
        Assert.Equal(model.Wte.Weight.ToArray<float>(), loaded.LmHead.Weight.ToArray<float>());
    }

    [Fact]
    public void Load_LmHeadDifferentFromWte_Throws()
    {
        using var dir = new TempDirectory();
        var model = new Gpt(GptTests.Tiny);
        var state = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Detach().Clone());
        state["lm_head.weight"] = state["lm_head.weight"] + 1;
        string path = dir.File("bad.safetensors");
        SafeTensors.Save(path, state, GptTests.Tiny.ToMetadata());
        ErrorAssert.AssertMessage(Assert.Throws<InvalidDataException>(() => Gpt.Load(path)), "lm_head.weight", "transformer.wte.weight", "different values");
    }

    [Theory]
    [InlineData("n_layer", "3", "n_layer = 3", "n_layer = 2")]
    [InlineData("vocab_size", "12", "vocab_size = 12", "vocab_size = 11")]
    [InlineData("bias", "False", "bias = 'False'", "have biases")]
    [InlineData("architecture", "char_lstm", "'char_lstm'", "'gpt'")]
    [InlineData("vocab", "abc", "3 characters", "11 rows")]
    public void Load_MetadataContradictingShapes_Throws(string key, string value, string part1, string part2)
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var meta = GptTests.Tiny.ToMetadata();
        meta[key] = value;
        SafeTensors.Save(path, new Gpt(GptTests.Tiny).StateDict().Where(kv => kv.Key != "lm_head.weight").ToDictionary(), meta);
        var ex = Assert.Throws<InvalidDataException>(() => Gpt.Load(path));
        ErrorAssert.AssertMessage(ex, "m.safetensors", part1, part2);
    }

    [Fact]
    public void Load_HeadCountContradictingFile_ThrowsArgument()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        new Gpt(GptTests.Tiny).Save(path);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Gpt.Load(path, nHead: 4)), "n_head = 4", "n_head = 2");
    }

    [Fact]
    public void Save_TokenizerOfOtherSize_Throws()
    {
        using var dir = new TempDirectory();
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Gpt(GptTests.Tiny).Save(dir.File("m"), CharTokenizer.FromText("ab"))), "2 characters", "vocab_size is 11");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new Gpt(GptTests.Tiny).Save(dir.File("m"), null, new Dictionary<string, string> { ["n_head"] = "3" })), "'n_head'");
    }
}
