using System.Globalization;

namespace Nabla.Models;

/// <summary>The configuration of a <see cref="CharLstm"/>.</summary>
/// <param name="VocabSize">The number of token ids (rows of <c>embed.weight</c>).</param>
/// <param name="NEmbd">The embedding width E.</param>
/// <param name="HiddenSize">The LSTM's hidden size H.</param>
/// <param name="NLayer">The number of stacked LSTM layers.</param>
/// <param name="BlockSize">The window it trains and is evaluated on (no shape records it: metadata only).</param>
/// <param name="Dropout">Dropout between LSTM layers, in training.</param>
public sealed record CharLstmConfig(int VocabSize = 65, int NEmbd = 64, int HiddenSize = 256, int NLayer = 2, int BlockSize = 64, double Dropout = 0.0)
{
    /// <summary>The value of the <c>architecture</c> metadata key of a char-LSTM file.</summary>
    public const string Architecture = "char_lstm";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field; returns this configuration.</summary>
    public CharLstmConfig Validate()
    {
        if (VocabSize <= 0 || NEmbd <= 0 || HiddenSize <= 0 || NLayer <= 0 || BlockSize <= 0)
            throw new ArgumentException($"char_lstm: vocab_size, n_embd, hidden_size, n_layer and block_size must be positive, got {this}");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentException($"char_lstm: dropout must be in [0, 1), got {Dropout}");
        return this;
    }

    /// <summary>The configuration as safetensors metadata (string values): architecture, vocab_size, n_embd, hidden_size, n_layer, block_size, dropout.</summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        ["architecture"] = Architecture,
        ["vocab_size"] = VocabSize.ToString(CultureInfo.InvariantCulture),
        ["n_embd"] = NEmbd.ToString(CultureInfo.InvariantCulture),
        ["hidden_size"] = HiddenSize.ToString(CultureInfo.InvariantCulture),
        ["n_layer"] = NLayer.ToString(CultureInfo.InvariantCulture),
        ["block_size"] = BlockSize.ToString(CultureInfo.InvariantCulture),
        ["dropout"] = NN.PyRepr.Float(Dropout),
    };

    /// <summary>
    /// The configuration of a char-LSTM state dict: V and E from <c>embed.weight</c>, H from <c>lstm.weight_hh_l0</c>, the
    /// layer count from the <c>lstm.weight_ih_l{k}</c> names; block size and dropout from <paramref name="metadata"/>
    /// (default 64 and 0). Metadata keys that the shapes also determine must agree with them.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor is missing or misshapen, or the metadata contradicts the shapes (named in the message).</exception>
    public static CharLstmConfig FromState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyDictionary<string, string>? metadata = null, string what = "the state")
    {
        ArgumentNullException.ThrowIfNull(state);
        metadata ??= new Dictionary<string, string>();
        if (!state.TryGetValue("embed.weight", out Tensor? embed) || embed.Rank != 2)
            throw new ArgumentException($"char_lstm: {what} has no 2-D embed.weight: it is not a char-LSTM state dict");
        if (!state.TryGetValue("lstm.weight_hh_l0", out Tensor? hh) || hh.Rank != 2)
            throw new ArgumentException($"char_lstm: {what} has no 2-D lstm.weight_hh_l0: it is not a char-LSTM state dict");
        int layers = 0;
        while (state.ContainsKey($"lstm.weight_ih_l{layers}")) layers++;
        var config = new CharLstmConfig(embed.Dims[0], embed.Dims[1], hh.Dims[1], layers,
            ModelFiles.Int(metadata, "block_size", 64, what), ModelFiles.Double(metadata, "dropout", 0, what));
        ModelFiles.Agree(metadata, "vocab_size", config.VocabSize, what);
        ModelFiles.Agree(metadata, "n_embd", config.NEmbd, what);
        ModelFiles.Agree(metadata, "hidden_size", config.HiddenSize, what);
        ModelFiles.Agree(metadata, "n_layer", config.NLayer, what);
        return config.Validate();
    }
}
