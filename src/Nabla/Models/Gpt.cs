using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// nanoGPT (karpathy/nanoGPT <c>model.py</c>): a decoder-only transformer language model with nanoGPT's module tree,
/// state_dict names and initialisation, so its checkpoints load here and Nabla's load there.
/// </summary>
/// <remarks>
/// <para><c>x = wte[idx] + wpe[0..T-1]</c>; <c>n_layer</c> pre-norm <see cref="GptBlock"/>s; <c>logits = ln_f(x)·wteᵀ</c>.
/// Names: <c>transformer.wte.weight</c> <c>[V, C]</c>, <c>transformer.wpe.weight</c> <c>[block_size, C]</c>,
/// <c>transformer.h.{i}.ln_1</c>, <c>.attn.c_attn</c> (q, k, v rows), <c>.attn.c_proj</c>, <c>.ln_2</c>,
/// <c>.mlp.c_fc</c>, <c>.mlp.c_proj</c>, <c>transformer.ln_f</c>, and <c>lm_head.weight</c>, which <b>is</b>
/// <c>transformer.wte.weight</c> (weight tying): <see cref="ModuleBase.Parameters"/> yields it once (as
/// <c>transformer.wte.weight</c>) and its gradient sums both uses.</para>
/// <para>Initialisation (nanoGPT's <c>_init_weights</c>): linear and embedding weights N(0, 0.02), the two <c>c_proj</c>
/// weights of every block N(0, 0.02/sqrt(2·n_layer)), biases 0, layer norms weight 1 and bias 0.</para>
/// <para>Files: <see cref="Save"/> and <see cref="Load"/> (Note [GPT files]); generation: <see cref="Generate"/> (Note [GPT generation]).</para>
/// </remarks>
public sealed partial class Gpt : Module, ILanguageModel
{
    /// <summary>Creates the model with nanoGPT's initialisation drawn from <paramref name="generator"/> (<see cref="Generator.Default"/> when null); dropout draws from it too.</summary>
    /// <exception cref="ArgumentException">The configuration is invalid (<see cref="GptConfig.Validate"/>).</exception>
    public Gpt(GptConfig config, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        int c = config.NEmbd;
        Wte = new Embedding(config.VocabSize, c, dtype: dtype, generator: generator);
        Wpe = new Embedding(config.BlockSize, c, dtype: dtype, generator: generator);
        Blocks = new ModuleList<GptBlock>([.. Enumerable.Range(0, config.NLayer).Select(_ => new GptBlock(config, dtype, generator))]);
        LnF = new LayerNorm([c], bias: config.Bias, dtype: dtype);
        Drop = new Dropout(config.Dropout, generator);
        var transformer = new ModuleDict<ModuleBase>();
        transformer.Add("wte", Wte);
        transformer.Add("wpe", Wpe);
        transformer.Add("drop", Drop);
        transformer.Add("h", Blocks);
        transformer.Add("ln_f", LnF);
        RegisterModule("transformer", transformer);
        LmHead = RegisterModule("lm_head", new Linear(c, config.VocabSize, bias: false, dtype: dtype));
        LmHead.Weight = Wte.Weight;
        InitWeights(generator);
    }

    /// <summary>The configuration.</summary>
    public GptConfig Config { get; }

    Module ILanguageModel.Module => this;

    /// <inheritdoc/>
    public string Architecture => GptConfig.Architecture;

    /// <inheritdoc/>
    public int VocabSize => Config.VocabSize;

    /// <inheritdoc/>
    public int BlockSize => Config.BlockSize;

    /// <inheritdoc/>
    public Dictionary<string, string> ConfigMetadata() => Config.ToMetadata();

    IEnumerable<Tensor> ILanguageModel.GenerateSteps(Tensor idx, int maxNewTokens, double temperature, int? topK, Generator? generator, bool useCache) =>
        GenerateSteps(idx, maxNewTokens, temperature, topK, generator, useCache);

    /// <summary>The token embedding <c>transformer.wte</c>, <c>[V, C]</c>; its weight is also <see cref="LmHead"/>'s.</summary>
    public Embedding Wte { get; }

    /// <summary>The position embedding <c>transformer.wpe</c>, <c>[block_size, C]</c>.</summary>
    public Embedding Wpe { get; }

    /// <summary>The transformer blocks <c>transformer.h</c>.</summary>
    public ModuleList<GptBlock> Blocks { get; }

    /// <summary>The final layer norm <c>transformer.ln_f</c>.</summary>
    public LayerNorm LnF { get; }

    /// <summary>The output projection <c>lm_head</c> (no bias), tied to <see cref="Wte"/>.</summary>
    public Linear LmHead { get; }

    private Dropout Drop { get; }

    /// <summary>
    /// Gradient checkpointing: when true, each transformer block of a forward that records a graph is a
    /// <see cref="Checkpoint.Run(Module, Tensor, bool)"/> segment, so the graph keeps each block's input instead of its
    /// activations and backward recomputes the blocks one by one (about one more forward of the blocks). Values and
    /// gradients are bit for bit those without it, dropout included. Off by default; not part of the configuration or
    /// the model file (it changes how the model trains, not what it computes).
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    private void InitWeights(Generator? generator)
    {
        double projStd = 0.02 / Math.Sqrt(2.0 * Config.NLayer);
        foreach (var (name, module) in NamedModules())
        {
            if (module is Linear linear)
            {
                Init.Normal(linear.Weight, 0, name.EndsWith("c_proj", StringComparison.Ordinal) ? projStd : 0.02, generator);
                if (linear.Bias is { } bias) Init.Zeros(bias);
            }
            else if (module is Embedding embedding && !ReferenceEquals(embedding.Weight, LmHead.Weight))
                Init.Normal(embedding.Weight, 0, 0.02, generator);
        }
    }

    /// <summary>The logits <c>[B, T, V]</c> of the next token at every position of <paramref name="input"/> (int64 <c>[B, T]</c>, <c>T ≤ block_size</c>).</summary>
    /// <exception cref="ArgumentException">The input is not int64 <c>[B, T]</c>, <c>T</c> exceeds the block size, or an id is outside <c>[0, vocab_size)</c>; the message names the value and where it is.</exception>
    protected override Tensor OnForward(Tensor input) => Run(input, null);

    /// <summary>The logits for new positions after those in <paramref name="caches"/> (one per block), or for the whole input when null.</summary>
    private Tensor Run(Tensor idx, KVCache[]? caches)
    {
        int past = caches?[0].Length ?? 0;
        CheckInput(idx, past);
        int t = idx.Dims[1];
        Tensor pos = Tensor.Arange(past, past + t);
        Tensor x = Drop.Forward(Wte.Forward(idx) + Wpe.Forward(pos));
        for (int i = 0; i < Blocks.Count; i++)
            x = caches is not null ? Blocks[i].Step(x, caches[i])
                : GradientCheckpointing ? Checkpoint.Run(Blocks[i], x)
                : Blocks[i].Forward(x);
        return LmHead.Forward(LnF.Forward(x));
    }

    private void CheckInput(Tensor idx, int past)
    {
        ArgumentNullException.ThrowIfNull(idx);
        if (idx.DType != DType.Int64 || idx.Rank != 2)
            throw new ArgumentException($"GPT: expected token ids as an int64 tensor [B, T], got {idx.DType.Name()} of shape {idx.Shape}");
        int t = idx.Dims[1];
        if (past + t > Config.BlockSize)
            throw new ArgumentException(past == 0
                ? $"GPT: cannot forward a sequence of length {t}: the block size (the longest context) is {Config.BlockSize}; crop it to the last {Config.BlockSize} tokens"
                : $"GPT: {t} new positions after {past} cached ones exceed the block size {Config.BlockSize}");
        ReadOnlySpan<long> ids = idx.Contiguous().Span<long>();
        for (int i = 0; i < ids.Length; i++)
            if ((ulong)ids[i] >= (ulong)Config.VocabSize)
                throw new ArgumentException($"GPT: token id {ids[i]} at [{i / Math.Max(t, 1)}, {i % Math.Max(t, 1)}] is outside the vocabulary [0, {Config.VocabSize})");
    }

    /// <summary>The logits <c>[B, T, V]</c> and the mean cross-entropy against <paramref name="targets"/> (int64 <c>[B, T]</c>), as nanoGPT's <c>forward(idx, targets)</c>.</summary>
    public (Tensor Logits, Tensor Loss) Forward(Tensor input, Tensor targets)
    {
        Tensor logits = Forward(input);
        return (logits, Loss(logits, targets));
    }

    /// <summary>
    /// The mean cross-entropy of <paramref name="logits"/> <c>[B, T, V]</c> against <paramref name="targets"/> <c>[B, T]</c>:
    /// <c>cross_entropy(logits.view(-1, V), targets.view(-1))</c>; targets of -1 are ignored, as in nanoGPT.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not match.</exception>
    public static Tensor Loss(Tensor logits, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(targets);
        if (logits.Rank != 3 || targets.Rank != 2 || logits.Dims[0] != targets.Dims[0] || logits.Dims[1] != targets.Dims[1])
            throw new ArgumentException($"GPT loss: expected logits [B, T, V] and targets [B, T], got {logits.Shape} and {targets.Shape}");
        int v = logits.Dims[2];
        return Functional.CrossEntropy(logits.Reshape(-1, v), targets.Reshape(-1), ignoreIndex: -1);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"n_layer={Config.NLayer}, n_head={Config.NHead}, n_embd={Config.NEmbd}, block_size={Config.BlockSize}, vocab_size={Config.VocabSize}";
}
