using Nabla.Data;
using Nabla.IO;

namespace Nabla.Models;

// Note [GPT files]
// A GPT file is safetensors with nanoGPT's state_dict names and the configuration and vocabulary in __metadata__ (string
// values, the keys of PyTorch's shakespeare_gpt.safetensors: architecture, vocab_size, block_size, n_layer, n_head,
// n_embd, dropout, bias, vocab, tied). lm_head.weight is transformer.wte.weight (tied), so Save stores it once, under
// transformer.wte.weight, as that file does; Load accepts files with or without lm_head.weight (a nanoGPT state_dict
// has both names; LoadStateDict loads the tied tensor from whichever is present and refuses two different values) and
// ignores nanoGPT's causal-mask buffers (transformer.h.{i}.attn.bias), which are not state. The shapes determine the
// vocabulary size, block size, width, layer count and biases; the metadata must agree with them, and only n_head and
// dropout come from it alone. Into nanoGPT: sd = load_file(path); sd["lm_head.weight"] = sd["transformer.wte.weight"];
// model.load_state_dict(sd, strict=False), where the only missing keys are those mask buffers (PyTorch < 2.0).

public sealed partial class Gpt
{
    /// <summary>The metadata value of <c>tied</c> in a GPT file.</summary>
    public const string TiedMetadata = "lm_head.weight = transformer.wte.weight";

    /// <summary>
    /// Saves the weights to a safetensors file with the configuration and, when given, <paramref name="tokenizer"/>'s
    /// vocabulary in its metadata (Note [GPT files]); <c>lm_head.weight</c> is not stored (it is <c>transformer.wte.weight</c>).
    /// </summary>
    /// <param name="path">The file to write (atomically: a crash leaves the old file or the new one).</param>
    /// <param name="tokenizer">The tokenizer whose ids the model reads, stored as the <c>vocab</c> key; its size must equal the vocabulary size.</param>
    /// <param name="metadata">More metadata pairs to store (they may not replace the configuration's keys).</param>
    /// <exception cref="ArgumentException">The tokenizer's size differs from <c>vocab_size</c>, or <paramref name="metadata"/> repeats a configuration key.</exception>
    public void Save(string path, CharTokenizer? tokenizer = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Dictionary<string, string> config = Config.ToMetadata();
        config["tied"] = TiedMetadata;
        Dictionary<string, string> meta = ModelFiles.Metadata(config, Config.VocabSize, tokenizer, metadata, "GPT");
        var tensors = StateDict().Where(kv => kv.Key != "lm_head.weight").ToDictionary(kv => kv.Key, kv => kv.Value);
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>
    /// Loads a GPT file (a Nabla-saved one, PyTorch's <c>shakespeare_gpt.safetensors</c>, or a nanoGPT state_dict saved as
    /// safetensors): the configuration from the tensor shapes and metadata (<see cref="GptConfig.FromState"/>), the weights,
    /// and the tokenizer when the file has a <c>vocab</c> key. See Note [GPT files].
    /// </summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="dtype">The model's dtype; the stored weights are converted to it.</param>
    /// <param name="nHead">The head count for a file whose metadata has none (checked against it otherwise).</param>
    /// <param name="dropout">The dropout probability, for training the loaded model; default the file's (else 0).</param>
    /// <returns>The model, and the tokenizer or null when the file stores no vocabulary.</returns>
    /// <exception cref="InvalidDataException">The file is not a well-formed safetensors file, or not a GPT whose tensors
    /// and metadata agree (the message names the file, the tensor or key, and both values).</exception>
    /// <exception cref="ArgumentException"><paramref name="nHead"/> contradicts the file's <c>n_head</c>.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static (Gpt Model, CharTokenizer? Tokenizer) Load(string path, DType dtype = DType.Float32, int? nHead = null, double? dropout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        OrderedDictionary<string, Tensor> tensors = SafeTensors.Load(path);
        IReadOnlyDictionary<string, string> metadata = SafeTensors.LoadMetadata(path);
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in tensors)
            if (!(name.StartsWith("transformer.h.", StringComparison.Ordinal) && name.EndsWith(".attn.bias", StringComparison.Ordinal)))
                state[name] = tensor;
        if (nHead is { } heads && metadata.TryGetValue("n_head", out string? stored) && stored != heads.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new ArgumentException($"GPT: n_head = {heads} was asked for, but '{path}' says n_head = {stored}");
        GptConfig config;
        try
        {
            config = GptConfig.FromState(state, metadata, nHead, dropout, $"'{path}'");
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        CharTokenizer? tokenizer = null;
        try
        {
            if (metadata.TryGetValue("vocab", out string? vocab))
            {
                tokenizer = CharTokenizer.FromVocabString(vocab);
                if (tokenizer.VocabSize != config.VocabSize)
                    throw new ArgumentException($"GPT: '{path}' stores a vocabulary of {tokenizer.VocabSize} characters but its embedding has {config.VocabSize} rows");
            }
            var model = new Gpt(config, dtype);
            model.LoadStateDict(state);
            return (model, tokenizer);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"GPT: '{path}' does not load: {e.Message}", e);
        }
    }
}
