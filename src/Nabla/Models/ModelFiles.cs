using System.Globalization;
using Nabla.Data;

namespace Nabla.Models;

/// <summary>
/// What the language models' files share (Note [GPT files]): configuration and vocabulary in the safetensors metadata,
/// read back with checks against the tensor shapes; and <see cref="Load"/>, which opens either architecture.
/// </summary>
public static class ModelFiles
{
    /// <summary>
    /// Loads a language-model file of either architecture, chosen by its <c>architecture</c> metadata key (a file without
    /// one is a GPT when it has <c>transformer.wte.weight</c>).
    /// </summary>
    /// <param name="path">The safetensors file.</param>
    /// <param name="dtype">The model's dtype.</param>
    /// <param name="nHead">A GPT's head count, for a file whose metadata has none; checked against the file's otherwise.</param>
    /// <param name="blockSize">The window: a char-LSTM's overrides the file's; a GPT's must equal the file's (its position table).</param>
    /// <exception cref="InvalidDataException">The file is neither a GPT nor a char-LSTM file, or does not load (the message says why).</exception>
    /// <exception cref="ArgumentException"><paramref name="nHead"/> or <paramref name="blockSize"/> contradicts the file.</exception>
    public static (ILanguageModel Model, CharTokenizer? Tokenizer) Load(string path, DType dtype = DType.Float32, int? nHead = null, int? blockSize = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        IReadOnlyDictionary<string, string> metadata = IO.SafeTensors.LoadMetadata(path);
        string architecture = metadata.TryGetValue("architecture", out string? a) ? a : GptConfig.Architecture;
        switch (architecture)
        {
            case GptConfig.Architecture:
                var (gpt, gptTokenizer) = Gpt.Load(path, dtype, nHead);
                if (blockSize is { } t && t != gpt.BlockSize)
                    throw new ArgumentException($"block size {t} was asked for, but the GPT in '{path}' has block_size {gpt.BlockSize} (its position table); omit it or pass {gpt.BlockSize}");
                return (gpt, gptTokenizer);
            case CharLstmConfig.Architecture:
                if (nHead is not null) throw new ArgumentException($"'{path}' is a char-LSTM, which has no attention heads; omit the head count");
                var (lstm, lstmTokenizer) = CharLstm.Load(path, dtype, blockSize);
                return (lstm, lstmTokenizer);
            default:
                throw new InvalidDataException(
                    $"'{path}' is a model of architecture '{architecture}'; the text commands read '{GptConfig.Architecture}' and '{CharLstmConfig.Architecture}' files (an image classifier is evaluated with --dataset of its images)");
        }
    }

    /// <summary>The metadata of a file: the configuration's, <c>vocab</c> from the tokenizer, then <paramref name="extra"/> (which may not replace a key).</summary>
    internal static Dictionary<string, string> Metadata(Dictionary<string, string> config, int vocabSize, CharTokenizer? tokenizer,
        IReadOnlyDictionary<string, string>? extra, string model)
    {
        if (tokenizer is not null)
        {
            if (tokenizer.VocabSize != vocabSize)
                throw new ArgumentException($"{model} save: the tokenizer has {tokenizer.VocabSize} characters but the model's vocab_size is {vocabSize}");
            config["vocab"] = tokenizer.ToVocabString();
        }
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
            if (!config.TryAdd(key, value))
                throw new ArgumentException($"{model} save: the metadata key '{key}' is the model's own (configuration, vocabulary or tying); pass another name");
        return config;
    }

    /// <summary>The tokenizer stored under <c>vocab</c>, or null; its size must equal <paramref name="vocabSize"/>.</summary>
    internal static CharTokenizer? Tokenizer(IReadOnlyDictionary<string, string> metadata, int vocabSize, string path)
    {
        if (!metadata.TryGetValue("vocab", out string? vocab)) return null;
        CharTokenizer tokenizer = CharTokenizer.FromVocabString(vocab);
        if (tokenizer.VocabSize != vocabSize)
            throw new ArgumentException($"'{path}' stores a vocabulary of {tokenizer.VocabSize} characters but its embedding has {vocabSize} rows");
        return tokenizer;
    }

    /// <summary>An integer metadata value, or <paramref name="fallback"/> when absent.</summary>
    internal static int Int(IReadOnlyDictionary<string, string> metadata, string key, int fallback, string what) =>
        !metadata.TryGetValue(key, out string? s) ? fallback
        : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
        : throw new ArgumentException($"{what}: metadata {key} = '{s}' is not a positive integer");

    /// <summary>A floating-point metadata value, or <paramref name="fallback"/> when absent.</summary>
    internal static double Double(IReadOnlyDictionary<string, string> metadata, string key, double fallback, string what) =>
        !metadata.TryGetValue(key, out string? s) ? fallback
        : double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
        : throw new ArgumentException($"{what}: metadata {key} = '{s}' is not a number");

    /// <summary>Throws unless the metadata's <paramref name="key"/> is absent or equals the value the shapes give.</summary>
    internal static void Agree(IReadOnlyDictionary<string, string> metadata, string key, int fromShapes, string what)
    {
        if (metadata.TryGetValue(key, out string? s) && s != fromShapes.ToString(CultureInfo.InvariantCulture))
            throw new ArgumentException($"{what}: metadata {key} = {s} but the tensor shapes give {fromShapes}");
    }
}
