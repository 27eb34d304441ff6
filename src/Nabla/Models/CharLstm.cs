using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// A character-level LSTM language model (reference README section 4, <c>model: "char_lstm"</c>):
/// <c>logits = head(lstm(embed(idx)).output)</c> with a batch-first <see cref="NN.Lstm"/> run from a zero state.
/// </summary>
/// <remarks>
/// Input int64 <c>[B, T]</c> token ids in <c>[0, vocab_size)</c>, output logits <c>[B, T, vocab_size]</c>. Names:
/// <c>embed.weight</c> <c>[V, E]</c>; <c>lstm.weight_ih_l{k}</c>, <c>lstm.weight_hh_l{k}</c>, <c>lstm.bias_ih_l{k}</c>,
/// <c>lstm.bias_hh_l{k}</c>; <c>head.weight</c> <c>[V, H]</c>, <c>head.bias</c>. PyTorch's default initialisations.
/// The loss is <see cref="Gpt.Loss"/> (mean cross-entropy over all positions).
/// </remarks>
public sealed class CharLstm : Module
{
    /// <summary>Creates the model.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public CharLstm(int vocabSize, int embedDim, int hiddenSize, int numLayers = 1, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (vocabSize <= 0 || embedDim <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new ArgumentException($"CharLstm: sizes must be positive, got vocab_size {vocabSize}, embed_dim {embedDim}, hidden_size {hiddenSize}, num_layers {numLayers}");
        Embed = RegisterModule("embed", new Embedding(vocabSize, embedDim, dtype: dtype, generator: generator));
        Lstm = RegisterModule("lstm", new Lstm(embedDim, hiddenSize, numLayers, batchFirst: true, dtype: dtype, generator: generator));
        Head = RegisterModule("head", new Linear(hiddenSize, vocabSize, dtype: dtype, generator: generator));
    }

    /// <summary>The token embedding <c>embed</c>, <c>[V, E]</c>.</summary>
    public Embedding Embed { get; }

    /// <summary>The recurrent layers <c>lstm</c> (batch first).</summary>
    public Lstm Lstm { get; }

    /// <summary>The output layer <c>head</c>, <c>[V, H]</c> with bias.</summary>
    public Linear Head { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not int64 <c>[B, T]</c>, or an id is outside the vocabulary.</exception>
    protected override Tensor OnForward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.DType != DType.Int64 || input.Rank != 2)
            throw new ArgumentException($"CharLstm: expected token ids as an int64 tensor [B, T], got {input.DType.Name()} of shape {input.Shape}");
        return Head.Forward(Lstm.Forward(Embed.Forward(input)).Output);
    }
}
