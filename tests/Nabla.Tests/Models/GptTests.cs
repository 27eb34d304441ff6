using Nabla.Models;
using Nabla.NN;

namespace Nabla.Tests.Models;

/// <summary>Gpt (nanoGPT): shapes, names, tying, initialisation and bad input. Generation: GptGenerateTests; files: GptFilesTests.</summary>
public class GptTests
{
    internal static readonly GptConfig Tiny = new(VocabSize: 11, BlockSize: 8, NLayer: 2, NHead: 2, NEmbd: 16, Bias: true);

    internal static Tensor Ids(int b, int t, int vocab, int seed)
    {
        var g = new Generator((ulong)seed);
        return Tensor.From(Enumerable.Range(0, b * t).Select(_ => g.NextInt64(0, vocab)).ToArray(), [b, t]);
    }

    [Fact]
    public void Forward_IdsBT_GivesLogitsBTV()
    {
        var model = new Gpt(Tiny, generator: new Generator(1));
        Tensor logits = model.Forward(Ids(3, 5, 11, 2));
        Assert.Equal(new Shape(3, 5, 11), logits.Shape);
        Assert.Equal(DType.Float32, logits.DType);
    }

    [Fact]
    public void Forward_LaterTokens_DoNotChangeEarlierLogits()
    {
        var model = new Gpt(Tiny, DType.Float64, new Generator(1));
        Tensor a = Ids(1, 6, 11, 3);
        long[] changed = a.ToArray<long>();
        changed[5] = (changed[5] + 1) % 11;
        Tensor la = model.Forward(a), lb = model.Forward(Tensor.From(changed, [1, 6]));
        Assert.Equal(la.Narrow(1, 0, 5).ToDoubleArray(), lb.Narrow(1, 0, 5).ToDoubleArray());
        Assert.NotEqual(la.Narrow(1, 5, 1).ToDoubleArray(), lb.Narrow(1, 5, 1).ToDoubleArray());
    }

    [Fact]
    public void NamedParameters_AreNanoGptsInOrder_WithTheTiedWeightOnce()
    {
        var model = new Gpt(Tiny with { NLayer = 1 });
        string[] expected =
        [
            "transformer.wte.weight", "transformer.wpe.weight",
            "transformer.h.0.ln_1.weight", "transformer.h.0.ln_1.bias",
            "transformer.h.0.attn.c_attn.weight", "transformer.h.0.attn.c_attn.bias",
            "transformer.h.0.attn.c_proj.weight", "transformer.h.0.attn.c_proj.bias",
            "transformer.h.0.ln_2.weight", "transformer.h.0.ln_2.bias",
            "transformer.h.0.mlp.c_fc.weight", "transformer.h.0.mlp.c_fc.bias",
            "transformer.h.0.mlp.c_proj.weight", "transformer.h.0.mlp.c_proj.bias",
            "transformer.ln_f.weight", "transformer.ln_f.bias",
        ];
        Assert.Equal(expected, model.NamedParameters().Select(p => p.Name));
        Assert.Equal([.. expected, "lm_head.weight"], model.StateDict().Keys);
        Assert.Same(model.StateDict()["transformer.wte.weight"], model.StateDict()["lm_head.weight"]);
        Assert.Equal(new Shape(48, 16), model.StateDict()["transformer.h.0.attn.c_attn.weight"].Shape);
        Assert.Equal(new Shape(16, 64), model.StateDict()["transformer.h.0.mlp.c_proj.weight"].Shape);
        Assert.Equal(new Shape(8, 16), model.StateDict()["transformer.wpe.weight"].Shape);
    }

    [Fact]
    public void NamedParameters_WithoutBias_HaveNoBiases()
    {
        var model = new Gpt(Tiny with { Bias = false });
        Assert.DoesNotContain(model.StateDict().Keys, k => k.EndsWith(".bias", StringComparison.Ordinal));
        Assert.Equal(2 + 2 * 6 + 1, model.Parameters().Count());
    }

    [Fact]
    public void Backward_TiedWeight_GetsEmbeddingAndHeadGradients()
    {
        var model = new Gpt(Tiny, DType.Float64, new Generator(4));
        Tensor idx = Ids(2, 4, 11, 5), target = Ids(2, 4, 11, 6);
        Gpt.Loss(model.Forward(idx), target).Backward();
        double[] tied = model.Wte.Weight.Grad!.ToDoubleArray();
        // Rows of ids that never occur as input get gradient only from the output projection, which touches every row.
        long[] used = idx.ToArray<long>();
        int unused = Enumerable.Range(0, 11).First(r => !used.Contains(r));
        Assert.Contains(tied.Skip(unused * 16).Take(16), v => v != 0);
        // Untied, the embedding row of an unused id gets nothing: the head's share is what the tying adds.
        model.ZeroGrad();
        Tensor head = model.LmHead.Weight.Detach().Clone();
        Tensor logits = Functional.Linear(model.LnF.Forward(model.Blocks.Aggregate(model.Wte.Forward(idx) + model.Wpe.Forward(Tensor.Arange(4)), (x, b) => b.Forward(x))), head);
        Gpt.Loss(logits, target).Backward();
        Assert.All(model.Wte.Weight.Grad!.ToDoubleArray().Skip(unused * 16).Take(16), v => Assert.Equal(0, v));
    }

    [Fact]
    public void Constructor_Init_IsNanoGpts()
    {
        var config = new GptConfig(VocabSize: 300, BlockSize: 64, NLayer: 8, NHead: 4, NEmbd: 128, Bias: true);
        var model = new Gpt(config, generator: new Generator(7));
        static (double Mean, double Std) Stats(Tensor t)
        {
            double[] v = t.ToDoubleArray();
            double mean = v.Average();
            return (mean, Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average()));
        }
        foreach (var (name, p) in model.NamedParameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) { Assert.All(p.ToDoubleArray(), v => Assert.Equal(0, v)); continue; }
            if (name.Contains(".ln_") || name.Contains("ln_f")) { Assert.All(p.ToDoubleArray(), v => Assert.Equal(1, v)); continue; }
            double std = name.EndsWith("c_proj.weight", StringComparison.Ordinal) ? 0.02 / Math.Sqrt(16) : 0.02;
            var (m, s) = Stats(p);
            Assert.True(Math.Abs(m) < 4 * std / Math.Sqrt(p.Numel), $"{name}: mean {m}");
            Assert.True(Math.Abs(s / std - 1) < 0.05, $"{name}: std {s}, expected {std}");
        }
    }

    [Fact]
    public void Constructor_SameGenerator_SameWeights()
    {
        double[] a = new Gpt(Tiny, generator: new Generator(3)).Wte.Weight.ToDoubleArray();
        double[] b = new Gpt(Tiny, generator: new Generator(3)).Wte.Weight.ToDoubleArray();
        Assert.Equal(a, b);
    }

    [Fact]
    public void Forward_LongerThanBlock_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Gpt(Tiny).Forward(Ids(1, 9, 11, 1)));
        ErrorAssert.AssertMessage(ex, "GPT", "length 9", "block size", "8");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(-1)]
    public void Forward_IdOutsideVocabulary_ThrowsNamingIdAndPlace(long bad)
    {
        long[] ids = Ids(2, 3, 11, 1).ToArray<long>();
        ids[4] = bad;
        var ex = Assert.Throws<ArgumentException>(() => new Gpt(Tiny).Forward(Tensor.From(ids, [2, 3])));
        ErrorAssert.AssertMessage(ex, "GPT", $"token id {bad}", "[1, 1]", "[0, 11)");
    }

    [Fact]
    public void Forward_FloatOrOneDimInput_Throws()
    {
        var model = new Gpt(Tiny);
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros([2, 3]))), "int64", "[B, T]");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => model.Forward(Tensor.From(new long[] { 1, 2 }))), "int64", "[B, T]", "[2]");
    }

    [Theory]
    [InlineData(0, 4, 4, 0.0)]
    [InlineData(16, 3, 2, 0.0)]
    [InlineData(16, 4, 0, 0.0)]
    [InlineData(16, 4, 2, 1.0)]
    public void Config_Invalid_Throws(int vocab, int nEmbd, int nHead, double dropout)
    {
        var ex = Assert.Throws<ArgumentException>(() => new Gpt(new GptConfig(VocabSize: vocab, NEmbd: nEmbd, NHead: nHead, Dropout: dropout)));
        Assert.Contains("GPT", ex.Message);
    }

    [Fact]
    public void Loss_MismatchedShapes_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Gpt.Loss(Tensor.Zeros([2, 3, 5]), Tensor.Zeros([2, 4], DType.Int64)));
        ErrorAssert.AssertMessage(ex, "[B, T, V]", "[2, 3, 5]", "[2, 4]");
    }

    [Fact]
    public void Train_WithDropout_DiffersFromEval()
    {
        var model = new Gpt(Tiny with { Dropout = 0.5 }, generator: new Generator(2));
        Tensor idx = Ids(1, 8, 11, 3);
        double[] train = model.Forward(idx).ToDoubleArray();
        double[] eval = model.Eval().Forward(idx).ToDoubleArray();
        Assert.NotEqual(train, eval);
        Assert.Equal(eval, model.Forward(idx).ToDoubleArray());
    }

    [Fact]
    public void Adam_FewSteps_LowersLossOnARepeatedSequence()
    {
        var model = new Gpt(Tiny, generator: new Generator(5));
        var optimizer = new Nabla.Optim.AdamW(model.Parameters(), lr: 1e-2);
        Tensor x = Tensor.From(new long[] { 1, 2, 3, 4, 5, 6, 7, 8 }, [1, 8]), y = Tensor.From(new long[] { 2, 3, 4, 5, 6, 7, 8, 9 }, [1, 8]);
        double first = 0, last = 0;
        for (int i = 0; i < 30; i++)
        {
            optimizer.ZeroGrad();
            Tensor loss = model.Forward(x, y).Loss;
            loss.Backward();
            optimizer.Step();
            if (i == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first / 4, $"loss {first} -> {last}");
    }

    [Fact]
    public void LayerNorm_BiasFalse_HasOnlyWeight()
    {
        var norm = new LayerNorm([4], bias: false);
        Assert.Null(norm.Bias);
        Assert.Equal(["weight"], norm.NamedParameters().Select(p => p.Name));
    }
}
