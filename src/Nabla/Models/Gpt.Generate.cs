namespace Nabla.Models;

// Note [GPT generation]
// Each new token is drawn from the logits of the last position of a window of the context that ends at the last
// token. Window rule, the same with and without the cache: it starts at 0; whenever it would hold more than block_size
// tokens it is cropped to the last `cropTo` (default block_size). With the default every token beyond block_size
// conditions on exactly the last block_size tokens: nanoGPT's `idx[:, -block_size:]`.
// The cache (one KVCache per block) holds the keys and values of the window's positions, so a token that extends the
// window costs one position through every layer. A crop moves every position (the position embeddings are absolute),
// so it refills the caches from the cropped window in one pass. With the default crop that happens at every token
// past block_size, which then costs a full window as without the cache; cropTo = block_size / 2 refills once per
// block_size / 2 tokens instead, at the price of a context that varies between block_size / 2 and block_size tokens.
// Both paths compute the same logits up to rounding, so a seed gives the same tokens with and without the cache.

public sealed partial class Gpt
{
    /// <summary>
    /// Samples <paramref name="maxNewTokens"/> tokens after <paramref name="idx"/> (int64 <c>[B, T]</c>) and returns the
    /// whole sequence <c>[B, T + maxNewTokens]</c>, as nanoGPT's <c>generate</c>.
    /// </summary>
    /// <remarks>See <see cref="GenerateSteps"/> for the parameters and Note [GPT generation] for the context window.</remarks>
    public Tensor Generate(Tensor idx, int maxNewTokens, double temperature = 1.0, int? topK = null, Generator? generator = null,
        bool useCache = true, int? cropTo = null)
    {
        var columns = new List<Tensor> { idx };
        foreach (Tensor next in GenerateSteps(idx, maxNewTokens, temperature, topK, generator, useCache, cropTo))
            columns.Add(next.Unsqueeze(1));
        return Tensor.Cat(columns, 1);
    }

    /// <summary>
    /// Samples tokens after <paramref name="idx"/> one at a time, yielding each step's new tokens (int64 <c>[B]</c>) as soon
    /// as they are drawn, so a caller can stream text. Runs without a graph, in the model's current mode (call
    /// <c>Eval()</c> first for a model with dropout, as nanoGPT's <c>sample.py</c> does).
    /// </summary>
    /// <param name="idx">The prompt, int64 <c>[B, T]</c> with <c>T ≥ 1</c> and ids in <c>[0, vocab_size)</c>; a prompt longer than the block size is cropped as the context is.</param>
    /// <param name="maxNewTokens">How many tokens to draw (≥ 0).</param>
    /// <param name="temperature">Divides the logits before the softmax; 0 takes the most likely token (greedy), otherwise it must be positive.</param>
    /// <param name="topK">Keeps only the <paramref name="topK"/> largest logits of each row (ties with the k-th kept too), as nanoGPT; null keeps all.</param>
    /// <param name="generator">Draws the samples (<see cref="Tensor.Multinomial"/>); the same seed gives the same tokens. Default <see cref="Generator.Default"/>.</param>
    /// <param name="useCache">Keep keys and values between tokens (<see cref="KVCache"/>) so that each token costs one position; false recomputes the window per token, as nanoGPT.</param>
    /// <param name="cropTo">How many of the last tokens to keep when the context outgrows the block size, 1 to block_size; default block_size (nanoGPT's crop). See Note [GPT generation].</param>
    /// <exception cref="ArgumentException">An argument is out of range or the prompt is not valid input (named in the message); thrown at the call, before the first step.</exception>
    public IEnumerable<Tensor> GenerateSteps(Tensor idx, int maxNewTokens, double temperature = 1.0, int? topK = null, Generator? generator = null,
        bool useCache = true, int? cropTo = null)
    {
        TokenSampling.Check("GPT", idx, maxNewTokens, temperature, topK);
        int keep = cropTo ?? Config.BlockSize;
        if (keep < 1 || keep > Config.BlockSize)
            throw new ArgumentException($"GPT generate: cropTo must be in [1, {Config.BlockSize}] (the block size), got {keep}");
        CheckInput(idx.Narrow(1, Math.Max(0, idx.Dims[1] - Config.BlockSize), Math.Min(idx.Dims[1], Config.BlockSize)), 0);
        return Steps(new Sampler(this, idx, temperature, topK, Generator.Use(generator), useCache, keep), maxNewTokens);
    }

    private static IEnumerable<Tensor> Steps(Sampler sampler, int count)
    {
        for (int i = 0; i < count; i++) yield return sampler.Next();
    }

    /// <summary>The state of one generation: the context, the window start and the caches (Note [GPT generation]).</summary>
    private sealed class Sampler(Gpt model, Tensor prompt, double temperature, int? topK, Generator generator, bool useCache, int keep)
    {
        private Tensor _context = prompt.Contiguous();
        private int _start;
        private int _cachedStart = -1;
        private readonly KVCache[]? _caches = useCache ? model.NewCaches(prompt.Dims[0]) : null;

        public Tensor Next()
        {
            Tensor next;
            using (Autograd.NoGrad())
            {
                int n = _context.Dims[1];
                if (n - _start > model.Config.BlockSize) _start = n - keep;
                next = Sample(LastLogits(n));
                _context = Tensor.Cat([_context, next.Unsqueeze(1)], 1);
            }
            return next;
        }

        /// <summary>The logits [B, V] after the window [_start, n).</summary>
        private Tensor LastLogits(int n)
        {
            Tensor logits;
            if (_caches is null) logits = model.Run(_context.Narrow(1, _start, n - _start), null);
            else if (_cachedStart == _start && _caches[0].Length == n - 1 - _start)
                logits = model.Run(_context.Narrow(1, n - 1, 1), _caches);
            else
            {
                foreach (KVCache cache in _caches) cache.Clear();
                _cachedStart = _start;
                logits = model.Run(_context.Narrow(1, _start, n - _start), _caches);
            }
            return logits.Select(1, logits.Dims[1] - 1);
        }

        private Tensor Sample(Tensor logits) => TokenSampling.Sample(logits, temperature, topK, generator);
    }

    /// <summary>Empty caches for every block, sized for the block size; float32 for a 16-bit model (Note [Widened key/value cache]).</summary>
    private KVCache[] NewCaches(int batch)
    {
        DType dtype = Wte.Weight.DType.IsHalf() ? DType.Float32 : Wte.Weight.DType;
        int hs = Config.NEmbd / Config.NHead;
        return [.. Enumerable.Range(0, Config.NLayer).Select(_ => new KVCache(batch, Config.NHead, Config.BlockSize, hs, dtype))];
    }
}
