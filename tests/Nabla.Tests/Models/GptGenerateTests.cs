using Nabla.Models;
using Nabla.NN;

namespace Nabla.Tests.Models;

/// <summary>Gpt.Generate and GenerateSteps: the key/value cache gives the same tokens as recomputing, for less work (Note [GPT generation]).</summary>
public class GptGenerateTests
{
    private static Gpt Model(DType dtype = DType.Float32) => new Gpt(GptTests.Tiny, dtype, new Generator(11)).Eval();

    /// <summary>Generates and counts the positions that pass through the position embedding (every position of every forward).</summary>
    private static (long[] Tokens, long Positions) Run(Gpt model, Tensor prompt, int n, double temperature, int? topK, bool useCache, int? cropTo = null)
    {
        long positions = 0;
        using var hook = model.Wpe.RegisterForwardHook((Module _, Tensor input, Tensor _) => positions += input.Numel);
        Tensor all = model.Generate(prompt, n, temperature, topK, new Generator(5), useCache, cropTo);
        return (all.ToArray<long>(), positions);
    }

    [Theory]
    [InlineData(0.0, null, null)]
    [InlineData(1.0, null, null)]
    [InlineData(0.8, 3, null)]
    [InlineData(1.0, null, 4)]
    [InlineData(1.0, 5, 1)]
    public void Generate_CachedAndUncached_GiveTheSameTokens(double temperature, int? topK, int? cropTo)
    {
        Gpt model = Model();
        Tensor prompt = GptTests.Ids(2, 3, 11, 8);
        var (cached, _) = Run(model, prompt, 20, temperature, topK, useCache: true, cropTo);
        var (uncached, _) = Run(model, prompt, 20, temperature, topK, useCache: false, cropTo);
        Assert.Equal(uncached, cached);
        Assert.Equal(2 * 23, cached.Length);
    }

    [Fact]
    public void Generate_WithinTheBlock_CacheProcessesOnePositionPerToken()
    {
        Gpt model = Model();
        Tensor prompt = GptTests.Ids(1, 3, 11, 8);
        var (_, cached) = Run(model, prompt, 5, 1.0, null, useCache: true);
        var (_, uncached) = Run(model, prompt, 5, 1.0, null, useCache: false);
        Assert.Equal(3 + 4, cached);            // the prompt once, then one position for each later token
        Assert.Equal(3 + 4 + 5 + 6 + 7, uncached);
    }

    [Fact]
    public void Generate_CropToHalfBlock_RefillsOncePerHalfBlock()
    {
        Gpt model = Model();
        Tensor prompt = GptTests.Ids(1, 8, 11, 8);
        // Block 8, keep 4: the full prompt (token 1), then a refill of 4 grown by single positions up to 8 (tokens 2-6),
        // then another refill (tokens 7-9).
        var (_, cached) = Run(model, prompt, 9, 1.0, null, useCache: true, cropTo: 4);
        Assert.Equal(8 + (4 + 4) + (4 + 2), cached);
        var (_, nanoGpt) = Run(model, prompt, 9, 1.0, null, useCache: true);
        Assert.Equal(9 * 8, nanoGpt);           // past the block every token recomputes the window, as nanoGPT
    }

    [Fact]
    public void Generate_SameSeed_SameTokens_OtherSeed_OtherTokens()
    {
        Gpt model = Model();
        Tensor prompt = GptTests.Ids(1, 2, 11, 1);
        long[] a = model.Generate(prompt, 30, generator: new Generator(3)).ToArray<long>();
        long[] b = model.Generate(prompt, 30, generator: new Generator(3)).ToArray<long>();
        long[] c = model.Generate(prompt, 30, generator: new Generator(4)).ToArray<long>();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(prompt.ToArray<long>(), a[..2]);
    }

    [Fact]
    public void Generate_Greedy_PicksTheArgmaxOfAFullForward()
    {
        Gpt model = Model(DType.Float64);
        Tensor prompt = GptTests.Ids(1, 4, 11, 2);
        long[] tokens = model.Generate(prompt, 6, temperature: 0).ToArray<long>();
        for (int n = 4; n < 10; n++)
        {
            int t = Math.Min(n, 8);
            Tensor logits = model.Forward(Tensor.From(tokens[(n - t)..n], [1, t]));
            Assert.Equal(logits.Select(1, t - 1).ArgMax(-1).Item<long>(), tokens[n]);
        }
    }

    [Fact]
    public void Generate_TopKOne_IsGreedy()
    {
        Gpt model = Model();
        Tensor prompt = GptTests.Ids(2, 2, 11, 2);
        Assert.Equal(model.Generate(prompt, 12, temperature: 0).ToArray<long>(),
            model.Generate(prompt, 12, temperature: 1.5, topK: 1, generator: new Generator(9)).ToArray<long>());
    }

    [Fact]
    public void GenerateSteps_StreamsOneColumnPerStep_Lazily()
    {
        Gpt model = Model();
        long positions = 0;
        using var hook = model.Wpe.RegisterForwardHook((Module _, Tensor input, Tensor _) => positions += input.Numel);
        IEnumerable<Tensor> steps = model.GenerateSteps(GptTests.Ids(2, 3, 11, 8), 4);
        Assert.Equal(0, positions);
        Tensor first = steps.First();
        Assert.Equal(new Shape(2), first.Shape);
        Assert.Equal(DType.Int64, first.DType);
        Assert.Equal(3, positions);             // the prompt's positions 0..2 (shared by both rows)
    }

    [Fact]
    public void Generate_LeavesGradientModeAndRecordsNoGraph()
    {
        Gpt model = Model();
        Tensor all = model.Generate(GptTests.Ids(1, 3, 11, 8), 3);
        Assert.True(Autograd.IsGradEnabled);
        Assert.Null(all.GradFn);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Generate_LongPrompt_IsCroppedToTheBlock()
    {
        Gpt model = Model();
        Tensor prompt = GptTests.Ids(1, 20, 11, 8);
        Tensor all = model.Generate(prompt, 2, temperature: 0);
        Tensor expected = model.Generate(prompt.Narrow(1, 12, 8), 2, temperature: 0);
        Assert.Equal(expected.ToArray<long>()[8..], all.ToArray<long>()[20..]);
    }

    [Theory]
    [InlineData(-1, 1.0, null, null, "maxNewTokens")]
    [InlineData(3, -0.5, null, null, "temperature")]
    [InlineData(3, double.NaN, null, null, "temperature")]
    [InlineData(3, 1.0, 0, null, "top_k")]
    [InlineData(3, 1.0, null, 9, "cropTo")]
    [InlineData(3, 1.0, null, 0, "cropTo")]
    public void GenerateSteps_BadArguments_ThrowAtTheCall(int n, double temperature, int? topK, int? cropTo, string named)
    {
        var ex = Assert.Throws<ArgumentException>(() => Model().GenerateSteps(GptTests.Ids(1, 2, 11, 1), n, temperature, topK, cropTo: cropTo));
        ErrorAssert.AssertMessage(ex, "GPT generate", named);
    }

    [Fact]
    public void GenerateSteps_PromptWithBadId_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Model().GenerateSteps(Tensor.From(new long[] { 1, 40 }, [1, 2]), 3));
        ErrorAssert.AssertMessage(ex, "token id 40");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => Model().GenerateSteps(Tensor.Zeros([1, 0], DType.Int64), 3)), "T >= 1");
    }

    [Fact]
    public void KVCache_Overflow_Throws()
    {
        var cache = new KVCache(1, 2, 3, 4);
        cache.Append(Tensor.Zeros([1, 2, 2, 4]), Tensor.Zeros([1, 2, 2, 4]));
        var ex = Assert.Throws<ArgumentException>(() => cache.Append(Tensor.Zeros([1, 2, 2, 4]), Tensor.Zeros([1, 2, 2, 4])));
        ErrorAssert.AssertMessage(ex, "KVCache", "2 new positions", "capacity 3");
        ErrorAssert.AssertMessage(Assert.Throws<ArgumentException>(() => cache.Append(Tensor.Zeros([1, 3, 1, 4]), Tensor.Zeros([1, 3, 1, 4]))), "[1, 2, t, 4]");
    }

    [Fact]
    public void Attention_CachedChunkAfterPrefix_MatchesFullCausalAttention()
    {
        var attn = new CausalSelfAttention(GptTests.Tiny, DType.Float64, new Generator(3));
        Tensor x = Tensor.Randn([2, 7, 16], DType.Float64, new Generator(4));
        Tensor full = attn.Forward(x);
        var cache = new KVCache(2, 2, 8, 8, DType.Float64);
        Tensor a = attn.Attend(x.Narrow(1, 0, 3), cache), b = attn.Attend(x.Narrow(1, 3, 3), cache), c = attn.Attend(x.Narrow(1, 6, 1), cache);
        double[] stepped = Tensor.Cat([a, b, c], 1).ToDoubleArray(), expected = full.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], stepped[i], 1e-12);
    }
}
