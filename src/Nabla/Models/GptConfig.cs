using System.Globalization;

namespace Nabla.Models;

/// <summary>
/// The configuration of a <see cref="Gpt"/>: nanoGPT's <c>GPTConfig</c> (karpathy/nanoGPT <c>model.py</c>).
/// </summary>
/// <remarks>
/// The defaults are nanoGPT's documented CPU configuration for <c>shakespeare_char</c> (4 layers, 4 heads, width 128,
/// block 64, the 65-character vocabulary of tiny Shakespeare, no dropout, no biases). In a safetensors file the
/// configuration is the <c>__metadata__</c> of <see cref="ToMetadata"/> (string values, the keys of PyTorch's
/// <c>shakespeare_gpt.safetensors</c>); what the tensor shapes determine is read from them (<see cref="FromState"/>).
/// </remarks>
/// <param name="VocabSize">The number of token ids (rows of <c>transformer.wte.weight</c>).</param>
/// <param name="BlockSize">The longest context (rows of <c>transformer.wpe.weight</c>).</param>
/// <param name="NLayer">The number of transformer blocks.</param>
/// <param name="NHead">The number of attention heads; must divide <paramref name="NEmbd"/>.</param>
/// <param name="NEmbd">The width of the residual stream.</param>
/// <param name="Dropout">The dropout probability after the embeddings, on the attention weights and after each projection (training only).</param>
/// <param name="Bias">Whether the linear layers and layer norms have biases.</param>
public sealed record GptConfig(int VocabSize = 65, int BlockSize = 64, int NLayer = 4, int NHead = 4, int NEmbd = 128,
    double Dropout = 0.0, bool Bias = false)
{
    /// <summary>The value of the <c>architecture</c> metadata key of a GPT file.</summary>
    public const string Architecture = "gpt";

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field; returns this configuration.</summary>
    public GptConfig Validate()
    {
        if (VocabSize <= 0 || BlockSize <= 0 || NLayer <= 0 || NHead <= 0 || NEmbd <= 0)
            throw new ArgumentException($"GPT: vocab_size, block_size, n_layer, n_head and n_embd must be positive, got {this}");
        if (NEmbd % NHead != 0)
            throw new ArgumentException($"GPT: n_embd = {NEmbd} must be a multiple of n_head = {NHead} (each head gets n_embd / n_head features)");
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentException($"GPT: dropout must be in [0, 1), got {Dropout}");
        return this;
    }

    /// <summary>
    /// The configuration as safetensors metadata: <c>architecture</c> (<c>gpt</c>), <c>vocab_size</c>, <c>block_size</c>,
    /// <c>n_layer</c>, <c>n_head</c>, <c>n_embd</c>, <c>dropout</c> (Python's float repr, <c>0.0</c>) and <c>bias</c>
    /// (<c>True</c>/<c>False</c>), as in PyTorch's <c>shakespeare_gpt.safetensors</c>.
    /// </summary>
    public Dictionary<string, string> ToMetadata() => new()
    {
        ["architecture"] = Architecture,
        ["vocab_size"] = Invariant(VocabSize),
        ["block_size"] = Invariant(BlockSize),
        ["n_layer"] = Invariant(NLayer),
        ["n_head"] = Invariant(NHead),
        ["n_embd"] = Invariant(NEmbd),
        ["dropout"] = NN.PyRepr.Float(Dropout),
        ["bias"] = Bias ? "True" : "False",
    };

    /// <summary>
    /// The configuration of a GPT state dict: vocabulary size and width from <c>transformer.wte.weight</c>, block size from
    /// <c>transformer.wpe.weight</c>, layer count from the <c>transformer.h.{i}</c> names, biases from the presence of
    /// <c>transformer.ln_f.bias</c>; the head count and dropout (which no shape determines) from
    /// <paramref name="metadata"/> or <paramref name="nHead"/>/<paramref name="dropout"/>.
    /// </summary>
    /// <param name="state">Tensors by nanoGPT's state_dict names (a safetensors file's).</param>
    /// <param name="metadata">The file's metadata; keys that the shapes also determine must agree with them.</param>
    /// <param name="nHead">The head count when the metadata has none; when both are given they must agree.</param>
    /// <param name="dropout">The dropout probability, overriding the metadata's (training a loaded model); default the metadata's, else 0.</param>
    /// <param name="what">Names the source (a file path) in error messages.</param>
    /// <exception cref="ArgumentException">A tensor is missing or shaped inconsistently, the head count is unknown, or the
    /// metadata contradicts the shapes or <paramref name="nHead"/>; the message names the key and both values.</exception>
    public static GptConfig FromState(IReadOnlyDictionary<string, Tensor> state, IReadOnlyDictionary<string, string>? metadata = null,
        int? nHead = null, double? dropout = null, string what = "the state")
    {
        ArgumentNullException.ThrowIfNull(state);
        metadata ??= new Dictionary<string, string>();
        Tensor wte = Required(state, "transformer.wte.weight", 2, what), wpe = Required(state, "transformer.wpe.weight", 2, what);
        int vocab = wte.Dims[0], width = wte.Dims[1], block = wpe.Dims[0];
        if (wpe.Dims[1] != width)
            throw new ArgumentException($"GPT: {what}: transformer.wpe.weight has shape {wpe.Shape} but transformer.wte.weight has {wte.Shape}; both need n_embd = {width} columns");
        int layers = 0;
        while (state.ContainsKey($"transformer.h.{layers}.attn.c_attn.weight")) layers++;
        if (layers == 0) throw new ArgumentException($"GPT: {what} has no transformer.h.0.attn.c_attn.weight: it is not a nanoGPT state dict");
        bool bias = state.ContainsKey("transformer.ln_f.bias");
        if (metadata.TryGetValue("architecture", out string? arch) && arch != Architecture)
            throw new ArgumentException($"GPT: {what} has architecture '{arch}' in its metadata, expected '{Architecture}'");
        Agree(metadata, "vocab_size", vocab, what);
        Agree(metadata, "block_size", block, what);
        Agree(metadata, "n_layer", layers, what);
        Agree(metadata, "n_embd", width, what);
        if (metadata.TryGetValue("bias", out string? b) && b != (bias ? "True" : "False"))
            throw new ArgumentException($"GPT: {what}: metadata bias = '{b}' but the tensors {(bias ? "have" : "have no")} biases (transformer.ln_f.bias)");
        int? heads = metadata.TryGetValue("n_head", out string? h) ? ParseInt(h, "n_head", what) : null;
        if (heads is { } fromFile && nHead is { } given && fromFile != given)
            throw new ArgumentException($"GPT: n_head = {given} was asked for, but {what} says n_head = {fromFile}");
        int n = nHead ?? heads ?? throw new ArgumentException($"GPT: {what} does not give n_head (no metadata key 'n_head'), and the tensor shapes do not determine it; pass the head count");
        double p = dropout ?? (metadata.TryGetValue("dropout", out string? d) ? ParseDouble(d, "dropout", what) : 0.0);
        return new GptConfig(vocab, block, layers, n, width, p, bias).Validate();
    }

    private static Tensor Required(IReadOnlyDictionary<string, Tensor> state, string name, int rank, string what)
    {
        if (!state.TryGetValue(name, out Tensor? t)) throw new ArgumentException($"GPT: {what} has no tensor '{name}': it is not a nanoGPT state dict");
        if (t.Rank != rank) throw new ArgumentException($"GPT: {what}: '{name}' has shape {t.Shape}, expected {rank} dims");
        return t;
    }

    private static void Agree(IReadOnlyDictionary<string, string> metadata, string key, int fromShapes, string what)
    {
        if (metadata.TryGetValue(key, out string? text) && ParseInt(text, key, what) != fromShapes)
            throw new ArgumentException($"GPT: {what}: metadata {key} = {text} but the tensor shapes give {key} = {fromShapes}");
    }

    private static int ParseInt(string text, string key, string what) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new ArgumentException($"GPT: {what}: metadata {key} = '{text}' is not an integer");

    private static double ParseDouble(string text, string key, string what) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v
            : throw new ArgumentException($"GPT: {what}: metadata {key} = '{text}' is not a number");

    private static string Invariant(int v) => v.ToString(CultureInfo.InvariantCulture);
}
