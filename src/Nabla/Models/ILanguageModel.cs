using Nabla.Data;
using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// A character-level language model that the text commands train, evaluate, save and sample from: <see cref="Gpt"/> and
/// <see cref="CharLstm"/>. Its forward pass (<c>Forward(idx)</c> of the module) maps int64 token ids <c>[B, T]</c> to the
/// logits <c>[B, T, V]</c> of the next token at every position.
/// </summary>
public interface ILanguageModel
{
    /// <summary>The module (its parameters, state dict and modes).</summary>
    Module Module { get; }

    /// <summary>The <c>architecture</c> key of its files: <c>gpt</c> or <c>char_lstm</c>.</summary>
    string Architecture { get; }

    /// <summary>The vocabulary size V.</summary>
    int VocabSize { get; }

    /// <summary>The window it trains and is evaluated on (for a GPT also the longest context).</summary>
    int BlockSize { get; }

    /// <summary>The configuration as safetensors metadata (string values).</summary>
    Dictionary<string, string> ConfigMetadata();

    /// <summary>
    /// Samples tokens after <paramref name="idx"/> one at a time (int64 <c>[B]</c> per step), keeping what the model can
    /// reuse between steps (a GPT's key/value cache, an LSTM's state) unless <paramref name="useCache"/> is false.
    /// </summary>
    IEnumerable<Tensor> GenerateSteps(Tensor idx, int maxNewTokens, double temperature = 1.0, int? topK = null, Generator? generator = null,
        bool useCache = true);

    /// <summary>Saves the weights with the configuration, <paramref name="tokenizer"/>'s vocabulary and <paramref name="metadata"/>.</summary>
    void Save(string path, CharTokenizer? tokenizer = null, IReadOnlyDictionary<string, string>? metadata = null);
}
