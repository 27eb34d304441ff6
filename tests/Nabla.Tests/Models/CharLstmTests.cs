using Nabla.Models;

namespace Nabla.Tests.Models;

public class CharLstmTests
{
    [Fact]
    public void Forward_IdsBT_GivesLogitsBTV_WithTheReferenceNames()
    {
        var model = new CharLstm(new CharLstmConfig(11, 4, 5, NLayer: 2), generator: new Generator(1));
        Assert.Equal(new Shape(3, 7, 11), model.Forward(GptTests.Ids(3, 7, 11, 2)).Shape);
        Assert.Equal(
        [
            "embed.weight",
            "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
            "lstm.weight_ih_l1", "lstm.weight_hh_l1", "lstm.bias_ih_l1", "lstm.bias_hh_l1",
            "head.weight", "head.bias",
        ], model.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void Forward_LaterTokens_DoNotChangeEarlierLogits()
    {
        var model = new CharLstm(new CharLstmConfig(11, 4, 5, NLayer: 1), DType.Float64, new Generator(1));
        long[] ids = GptTests.Ids(1, 6, 11, 3).ToArray<long>(), changed = (long[])ids.Clone();
        changed[5] = (changed[5] + 1) % 11;
        Assert.Equal(model.Forward(Tensor.From(ids, [1, 6])).Narrow(1, 0, 5).ToDoubleArray(),
            model.Forward(Tensor.From(changed, [1, 6])).Narrow(1, 0, 5).ToDoubleArray());
    }

    [Fact]
    public void Forward_BadInput_Throws()
    {
        var model = new CharLstm(new CharLstmConfig(11, 4, 5));
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([2, 3]))), "char_lstm", "int64", "[B, T]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => new CharLstm(new CharLstmConfig(0, 4, 5))), "char_lstm", "must be positive", "VocabSize = 0");
    }

    [Fact]
    public void SaveLoad_RoundTripsAndRefusesMetadataThatContradictsTheShapes()
    {
        using var dir = new Nabla.Tests.Data.TempDirectory();
        var model = new CharLstm(new CharLstmConfig(11, 4, 5, NLayer: 2, BlockSize: 7), generator: new Generator(1));
        string path = dir.File("lstm.safetensors");
        model.Save(path);
        var (loaded, tokenizer) = CharLstm.Load(path);
        Assert.Null(tokenizer);
        Assert.Equal(model.Config, loaded.Config);
        Assert.Equal(model.Forward(GptTests.Ids(1, 3, 11, 2)).ToArray<float>(), loaded.Forward(GptTests.Ids(1, 3, 11, 2)).ToArray<float>());

        var meta = new Dictionary<string, string>(Nabla.IO.SafeTensors.LoadMetadata(path)) { ["n_layer"] = "3" };
        Nabla.IO.SafeTensors.Save(path, Nabla.IO.SafeTensors.Load(path), meta);
        var e = Assert.Throws<InvalidDataException>(() => CharLstm.Load(path));
        Assert.Contains("metadata n_layer = 3 but the tensor shapes give 2", e.Message);
    }
}
