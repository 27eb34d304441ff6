using System.Text.Json;
using Nabla.Data;
using Nabla.Models;

namespace Nabla.Tests.Reference;

/// <summary>
/// The nanoGPT trained in PyTorch on tiny Shakespeare (Fixtures/models/shakespeare_gpt.*): loaded by Gpt.Load from its
/// safetensors file (no lm_head.weight), it reproduces PyTorch's deterministic validation loss, logits and argmax.
/// </summary>
public class ShakespeareGptTests
{
    internal static readonly string ModelPath = Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "shakespeare_gpt.safetensors");

    private static JsonElement Expected(string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "models", "shakespeare_gpt.expected.json")));
        return doc.RootElement.GetProperty(key).Clone();
    }

    /// <summary>Mean cross-entropy over every validation window, with the logits converted to float64 (the file's definition).</summary>
    private static double ValidationLoss(Gpt model, TextDataset val, int blockSize)
    {
        int windows = val.WindowCount(blockSize);
        Assert.Equal(3485, windows);
        double sum = 0;
        using (Autograd.NoGrad())
            for (int first = 0; first < windows; first += 500)
            {
                var (x, y) = val.Windows(blockSize, first, Math.Min(500, windows - first));
                Tensor logits = model.Forward(x).To(DType.Float64);
                sum += Functional.CrossEntropy(logits.Reshape(-1, logits.Dims[2]), y.Reshape(-1), reduction: Reduction.Sum).Item();
            }
        return sum / (windows * (double)blockSize);
    }

    private static void AssertLogits(Gpt model, TextDataset val, JsonElement expected, double tolerance)
    {
        var (x, _) = val.Windows(32, 0, 2);
        double[] got;
        using (Autograd.NoGrad()) got = model.Forward(x).Narrow(1, 0, 4).ToDoubleArray();
        double[] want = expected.GetProperty("data").EnumerateArray().SelectMany(w => w.EnumerateArray()).SelectMany(p => p.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
        Assert.Equal(2 * 4 * 65, want.Length);
        for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(got[i] - want[i]) <= tolerance, $"logit {i}: expected {want[i]:R}, got {got[i]:R}");
    }

    [Fact]
    public void Load_PyTorchFile_ReadsConfigAndVocabularyFromTheFile()
    {
        var (model, tokenizer) = Gpt.Load(ModelPath);
        Assert.Equal(new GptConfig(VocabSize: 65, BlockSize: 32, NLayer: 2, NHead: 2, NEmbd: 64, Dropout: 0, Bias: true), model.Config);
        Assert.NotNull(tokenizer);
        Assert.Equal(Expected("vocab").GetString(), tokenizer!.ToVocabString());
        Assert.Equal(Shakespeare.Load().Tokenizer.ToVocabString(), tokenizer.ToVocabString());
    }

    [Fact]
    public void Float32_ValidationLossLogitsAndArgmax_MatchPyTorch()
    {
        var (model, _) = Gpt.Load(ModelPath);
        TextDataset val = Shakespeare.LoadSplit().Val;
        Assert.Equal(111_540, val.Length);
        double loss = ValidationLoss(model, val, 32);
        double expected = Expected("val_loss").GetProperty("value").GetDouble();
        Assert.True(Math.Abs(loss - expected) <= 1e-4 * expected, $"val_loss: expected {expected:R}, got {loss:R}");
        AssertLogits(model, val, Expected("first_logits"), 1e-4);

        var (x, _) = val.Windows(32, 0, 2);
        long[] argmax;
        using (Autograd.NoGrad()) argmax = model.Forward(x).ArgMax(-1).ToArray<long>();
        Assert.Equal(Expected("argmax_first_64").GetProperty("data").EnumerateArray().Select(e => e.GetInt64()), argmax);
    }

    [Fact]
    public void Float64_ValidationLossAndLogits_MatchPyTorchTo1e9()
    {
        var (model, _) = Gpt.Load(ModelPath, DType.Float64);
        TextDataset val = Shakespeare.LoadSplit().Val;
        double loss = ValidationLoss(model, val, 32);
        double expected = Expected("val_loss_float64").GetProperty("value").GetDouble();
        Assert.True(Math.Abs(loss - expected) <= 1e-9, $"val_loss_float64: expected {expected:R}, got {loss:R}");
        AssertLogits(model, val, Expected("first_logits_float64"), 1e-9);
    }
}
