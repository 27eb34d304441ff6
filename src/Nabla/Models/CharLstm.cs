using System.Globalization;
using Nabla.Data;
using Nabla.IO;
using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// A character-level LSTM language model (the reference's <c>char_lstm</c>): <c>embed</c> (Embedding V x E), <c>lstm</c>
/// (<see cref="Lstm"/>, batch first, zero initial state) and <c>head</c> (Linear H x V);
/// <c>logits = head(lstm(embed(idx)).output)</c>.
/// </summary>
/// <remarks>
/// State dict names are PyTorch's for that module tree (<c>embed.weight</c>, <c>lstm.weight_ih_l0</c>, ...,
/// <c>head.weight</c>, <c>head.bias</c>), with PyTorch's default initialisation of each layer. Its files carry
/// <see cref="CharLstmConfig.ToMetadata"/> and the vocabulary, as a GPT's do (Note [GPT files]). Generation carries the
/// LSTM state from token to token, so each new token costs one step; without the cache it reruns the whole context.
/// </remarks>
public sealed class CharLstm : Module, ILanguageModel
{
    private readonly Embedding _embed;
    private readonly Lstm _lstm;
    private readonly Linear _head;

    /// <summary>Creates the model with PyTorch's default initialisation drawn from <paramref name="generator"/>.</summary>
    /// <exception cref="ArgumentException">The configuration is invalid.</exception>
    public CharLstm(CharLstmConfig config, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config.Validate();
        _embed = RegisterModule("embed", new Embedding(config.VocabSize, config.NEmbd, dtype: dtype, generator: generator));
        _lstm = RegisterModule("lstm", new Lstm(config.NEmbd, config.HiddenSize, config.NLayer, batchFirst: true, dropout: config.Dropout,
            dtype: dtype, generator: generator));
        _head = RegisterModule("head", new Linear(config.HiddenSize, config.VocabSize, dtype: dtype, generator: generator));
    }

    /// <summary>The configuration.</summary>
    public CharLstmConfig Config { get; }

    Module ILanguageModel.Module => this;

    /// <inheritdoc/>
    public string Architecture => CharLstmConfig.Architecture;

    /// <inheritdoc/>
    public int VocabSize => Config.VocabSize;

    /// <inheritdoc/>
    public int BlockSize => Config.BlockSize;

    /// <inheritdoc/>
    public Dictionary<string, string> ConfigMetadata() => Config.ToMetadata();

    /// <summary>The logits <c>[B, T, V]</c> of the next token at every position of <paramref name="input"/> (int64 <c>[B, T]</c>).</summary>
    protected override Tensor OnForward(Tensor input) => Step(input, null).Logits;

    private (Tensor Logits, (Tensor H, Tensor C) State) Step(Tensor input, (Tensor H, Tensor C)? state)
    {
        CheckInput(input);
        var (output, next) = _lstm.Forward(_embed.Forward(input), state);
        return (_head.Forward(output), next);
    }

    private void CheckInput(Tensor idx)
    {
        ArgumentNullException.ThrowIfNull(idx);
        if (idx.DType != DType.Int64 || idx.Rank != 2)
            throw new ArgumentException($"char_lstm: expected token ids as an int64 tensor [B, T], got {idx.DType.Name()} of shape {idx.Shape}");
        ReadOnlySpan<long> ids = idx.Contiguous().Span<long>();
        int t = Math.Max(idx.Dims[1], 1);
        for (int i = 0; i < ids.Length; i++)
            if ((ulong)ids[i] >= (ulong)Config.VocabSize)
                throw new ArgumentException($"char_lstm: token id {ids[i]} at [{i / t}, {i % t}] is outside the vocabulary [0, {Config.VocabSize})");
    }

    /// <inheritdoc/>
    public IEnumerable<Tensor> GenerateSteps(Tensor idx, int maxNewTokens, double temperature = 1.0, int? topK = null, Generator? generator = null,
        bool useCache = true)
    {
        TokenSampling.Check("char_lstm", idx, maxNewTokens, temperature, topK);
        CheckInput(idx);
        return Steps(idx.Contiguous(), maxNewTokens, temperature, topK, Generator.Use(generator), useCache);
    }

    private IEnumerable<Tensor> Steps(Tensor context, int count, double temperature, int? topK, Generator generator, bool useCache)
    {
        (Tensor H, Tensor C)? state = null;
        Tensor pending = context;
        for (int i = 0; i < count; i++)
        {
            Tensor next;
            using (Autograd.NoGrad())
            {
                Tensor logits;
                if (useCache) (logits, state) = Step(pending, state);
                else logits = Step(context, null).Logits;
                next = TokenSampling.Sample(logits.Select(1, logits.Dims[1] - 1), temperature, topK, generator);
                pending = next.Unsqueeze(1);
                if (!useCache) context = Tensor.Cat([context, pending], 1);
            }
            yield return next;
        }
    }

    /// <inheritdoc/>
    public void Save(string path, CharTokenizer? tokenizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        SafeTensors.Save(path, StateDict(), ModelFiles.Metadata(Config.ToMetadata(), Config.VocabSize, tokenizer, metadata, "char_lstm"));
    }

    /// <summary>
    /// Loads a char-LSTM file: the sizes from the tensor shapes (<see cref="CharLstmConfig.FromState"/>), the block size
    /// and dropout from the metadata, and the tokenizer when the file stores a vocabulary.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed char-LSTM file (the message names the file and the tensor or key).</exception>
    /// <param name="path">The safetensors file.</param>
    /// <param name="dtype">The model's dtype.</param>
    /// <param name="blockSize">The window to train and evaluate on, instead of the file's.</param>
    public static (CharLstm Model, CharTokenizer? Tokenizer) Load(string path, DType dtype = DType.Float32, int? blockSize = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OrderedDictionary<string, Tensor> state = SafeTensors.Load(path);
        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadMetadata(path);
        try
        {
            CharLstmConfig config = CharLstmConfig.FromState(state, metadata, $"'{path}'");
            if (blockSize is { } t) config = (config with { BlockSize = t }).Validate();
            CharTokenizer? tokenizer = ModelFiles.Tokenizer(metadata, config.VocabSize, path);
            var model = new CharLstm(config, dtype);
            model.LoadStateDict(state);
            return (model, tokenizer);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"char_lstm: '{path}' does not load: {e.Message}", e);
        }
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => string.Create(CultureInfo.InvariantCulture,
        $"vocab_size={Config.VocabSize}, n_embd={Config.NEmbd}, hidden_size={Config.HiddenSize}, n_layer={Config.NLayer}");
}
