using Nabla.Models;
using Nabla.NN;

namespace Nabla.Tests.Models;

/// <summary>
/// A GPT converted to bfloat16 or float16 (<c>model.To(dtype)</c>) runs and generates as its float32 original, within the
/// 16-bit rounding; its key/value cache is float32 and changes nothing (Note [Widened key/value cache]).
/// </summary>
public class GptHalfGenerateTests
{
    private static readonly GptConfig Config = GptTests.Tiny with { VocabSize = 65, NLayer = 3, NEmbd = 32, NHead = 4 };

    private static Gpt Float32Model() => new Gpt(Config, generator: new Generator(21)).Eval();

    // Logits of magnitude ~0.6 after three blocks, each op's result rounded to 8 significant bits (bfloat16) or 11
    // (float16); the worst differences measured are 0.0026 and 0.0003, a quarter to a sixth of these.
    private static double Tolerance(DType dtype) => dtype == DType.BFloat16 ? 0.01 : 0.002;

    [Theory]
    [InlineData(DType.BFloat16)]
    [InlineData(DType.Float16)]
    public void Converted_Logits_MatchFloat32WithinTheDTypesRounding(DType dtype)
    {
        Gpt fp32 = Float32Model(), half = Float32Model().To(dtype);
        Assert.All(half.Parameters(), p => Assert.Equal(dtype, p.DType));
        Tensor idx = GptTests.Ids(2, 8, 65, 3);
        Tensor expected = fp32.Forward(idx), actual = half.Forward(idx);
        Assert.Equal(dtype, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        float[] e = expected.ToArray<float>(), a = actual.To(DType.Float32).ToArray<float>();
        double worst = e.Zip(a, (x, y) => Math.Abs(x - y)).Max();
        Assert.InRange(worst, 0, Tolerance(dtype));
        Assert.InRange(e.Max(Math.Abs), 0.3, 10); // logits that are not all near zero, so the tolerance means something
    }

    [Theory]
    [InlineData(DType.BFloat16, 0.0, null)]
    [InlineData(DType.BFloat16, 1.0, null)]
    [InlineData(DType.BFloat16, 0.8, 5)]
    [InlineData(DType.Float16, 1.0, null)]
    public void Converted_GenerationWithCache_EachStepsLogitsMatchFloat32(DType dtype, double temperature, int? topK)
    {
        Gpt fp32 = Float32Model(), half = Float32Model().To(dtype);
        Tensor prompt = GptTests.Ids(2, 3, 65, 8);
        // 14 tokens from a prompt of 3 in a block of 8: single cached positions, then crops that refill the cache.
        long[] tokens = half.Generate(prompt, 14, temperature, topK, new Generator(5)).ToArray<long>();
        Assert.Equal(2 * 17, tokens.Length);
        Assert.All(tokens, t => Assert.InRange(t, 0, 64));
        // Every step's distribution is float32's on the same context, within the rounding: compare the last position's
        // logits of the window each token was drawn from.
        for (int n = 3; n < 17; n++)
        {
            int t = Math.Min(n, Config.BlockSize);
            long[] window = [.. tokens[(n - t)..n], .. tokens[(17 + n - t)..(17 + n)]];
            Tensor idx = Tensor.From(window, [2, t]);
            float[] e = fp32.Forward(idx).Select(1, t - 1).ToArray<float>();
            float[] a = half.Forward(idx).Select(1, t - 1).To(DType.Float32).ToArray<float>();
            Assert.InRange(e.Zip(a, (x, y) => Math.Abs(x - y)).Max(), 0, Tolerance(dtype));
        }
    }

    [Fact]
    public void BFloat16_Greedy_CachedAndUncached_GiveTheSameTokens()
    {
        Gpt model = Float32Model().To(DType.BFloat16);
        Tensor prompt = GptTests.Ids(1, 2, 65, 4);
        long[] cached = model.Generate(prompt, 12, temperature: 0).ToArray<long>();
        long[] uncached = model.Generate(prompt, 12, temperature: 0, useCache: false).ToArray<long>();
        Assert.Equal(uncached, cached);
    }

    [Fact]
    public void BFloat16_Attention_Float32CacheEqualsBFloat16CacheBitForBit()
    {
        var attn = new CausalSelfAttention(Config, DType.BFloat16, new Generator(3));
        Tensor x = Tensor.Randn([2, 7, 32], DType.BFloat16, new Generator(4));
        var wide = new KVCache(2, 4, 8, 8, DType.Float32);
        var narrow = new KVCache(2, 4, 8, 8, DType.BFloat16);
        foreach (var (start, length) in new[] { (0, 3), (3, 1), (4, 3) })
        {
            Tensor a = attn.Attend(x.Narrow(1, start, length), wide), b = attn.Attend(x.Narrow(1, start, length), narrow);
            Assert.Equal(DType.BFloat16, a.DType);
            Assert.Equal(b.ToArray<BFloat16>(), a.ToArray<BFloat16>());
        }
        Assert.Equal(DType.Float32, wide.DType);
        Assert.Equal(7, wide.Length);
    }
}
