namespace Nabla.NN;

/// <summary>
/// Multi-head attention with PyTorch 1.13's semantics (<c>nn.MultiheadAttention</c>): project query, key and value,
/// attend per head with <c>softmax(q·kᵀ/sqrt(head_dim) + mask)</c>, concatenate the heads and project the result.
/// </summary>
/// <remarks>
/// <para>Shapes: <c>query</c> <c>[L, B, E]</c>, <c>key</c> <c>[S, B, kdim]</c>, <c>value</c> <c>[S, B, vdim]</c>
/// (<c>batchFirst</c>: <c>[B, L, E]</c>, ...; unbatched: <c>[L, E]</c>, <c>[S, kdim]</c>, <c>[S, vdim]</c>).
/// The output is laid out like the query; the weights are <c>[B, L, S]</c> averaged over heads or <c>[B, H, L, S]</c>
/// per head (unbatched <c>[L, S]</c> / <c>[H, L, S]</c>), after dropout as in 1.13.</para>
/// <para>Masks (the opposite of <see cref="Functional.ScaledDotProductAttention"/>'s bool convention):
/// <c>keyPaddingMask</c> is bool <c>[B, S]</c> (<c>[S]</c> unbatched), <c>true</c> = that key is padding and ignored;
/// <c>attnMask</c> is <c>[L, S]</c> or <c>[B·H, L, S]</c> (<c>[H, L, S]</c> unbatched; entry <c>b·H + h</c> for batch
/// item b, head h), bool <c>true</c> = the pair is NOT allowed, or float (the query's dtype) added to the scores.
/// Both masks combine: a key is excluded if either excludes it. A row with every key excluded gives NaN, as in PyTorch.</para>
/// <para>Parameters: with <c>kdim == vdim == embedDim</c> one <c>in_proj_weight</c> <c>[3E, E]</c> (rows W_q; W_k; W_v),
/// else <c>q_proj_weight</c> <c>[E, E]</c>, <c>k_proj_weight</c> <c>[E, kdim]</c>, <c>v_proj_weight</c> <c>[E, vdim]</c>;
/// with <c>bias</c> <c>in_proj_bias</c> <c>[3E]</c>; and <c>out_proj</c> (a <see cref="Linear"/>). PyTorch's
/// initialisation: Xavier-uniform projection weights, zero biases, <c>out_proj.weight</c> as a Linear's.
/// <c>add_bias_kv</c> and <c>add_zero_attn</c> are not supported.</para>
/// <para>Self-attention (the same tensor as query, key and value) projects with one GEMM; key and value the same
/// tensor with one GEMM for both. Without <c>needWeights</c> the heads attend through
/// <see cref="Functional.ScaledDotProductAttention"/>.</para>
/// </remarks>
public sealed class MultiheadAttention
    : Module<Tensor, Tensor, Tensor, (Tensor? KeyPaddingMask, bool NeedWeights, Tensor? AttnMask, bool AverageAttnWeights), (Tensor Output, Tensor? Weights)>
{
    private const string Op = "MultiheadAttention";
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="embedDim">E, the width of the query and of the output.</param>
    /// <param name="numHeads">The number of heads; must divide <paramref name="embedDim"/>.</param>
    /// <param name="dropout">The dropout probability on the attention weights in training.</param>
    /// <param name="bias">Whether the projections have biases.</param>
    /// <param name="kdim">The key width (null: E).</param>
    /// <param name="vdim">The value width (null: E).</param>
    /// <param name="batchFirst">Inputs and output are <c>[B, L, E]</c> instead of <c>[L, B, E]</c>.</param>
    /// <param name="dtype">The parameters' dtype.</param>
    /// <param name="generator">The generator for initialisation and dropout (null: the global one).</param>
    public MultiheadAttention(int embedDim, int numHeads, double dropout = 0.0, bool bias = true, int? kdim = null, int? vdim = null,
        bool batchFirst = false, DType dtype = DType.Float32, Generator? generator = null)
    {
        if (embedDim <= 0 || numHeads <= 0 || embedDim % numHeads != 0)
            throw new ArgumentException($"{Op}: embed_dim ({embedDim}) must be positive and divisible by num_heads ({numHeads})");
        if (kdim <= 0 || vdim <= 0)
            throw new ArgumentException($"{Op}: kdim and vdim must be positive, got kdim={kdim}, vdim={vdim}");
        if (!(dropout >= 0 && dropout <= 1))
            throw new ArgumentException($"{Op}: dropout must be in [0, 1], got {dropout}");
        (EmbedDim, NumHeads, Dropout, BatchFirst, _generator) = (embedDim, numHeads, dropout, batchFirst, generator);
        (KDim, VDim) = (kdim ?? embedDim, vdim ?? embedDim);
        if (KDim == embedDim && VDim == embedDim)
            InProjWeight = RegisterParameter("in_proj_weight", Tensor.Zeros([3 * embedDim, embedDim], dtype));
        else
        {
            QProjWeight = RegisterParameter("q_proj_weight", Tensor.Zeros([embedDim, embedDim], dtype));
            KProjWeight = RegisterParameter("k_proj_weight", Tensor.Zeros([embedDim, KDim], dtype));
            VProjWeight = RegisterParameter("v_proj_weight", Tensor.Zeros([embedDim, VDim], dtype));
        }
        if (bias) InProjBias = RegisterParameter("in_proj_bias", Tensor.Zeros([3 * embedDim], dtype));
        OutProj = RegisterModule("out_proj", new Linear(embedDim, embedDim, bias, dtype, generator));
        // PyTorch's _reset_parameters, after out_proj's own initialisation.
        foreach (Tensor? w in (Tensor?[])[InProjWeight, QProjWeight, KProjWeight, VProjWeight])
            if (w is not null) Init.XavierUniform(w, generator: generator);
        if (OutProj.Bias is { } outBias) Init.Zeros(outBias);
    }

    /// <summary>E, the width of the query and of the output.</summary>
    public int EmbedDim { get; }

    /// <summary>The number of heads.</summary>
    public int NumHeads { get; }

    /// <summary>The width of one head, E / heads.</summary>
    public int HeadDim => EmbedDim / NumHeads;

    /// <summary>The key width.</summary>
    public int KDim { get; }

    /// <summary>The value width.</summary>
    public int VDim { get; }

    /// <summary>The dropout probability on the attention weights (training only).</summary>
    public double Dropout { get; }

    /// <summary>Whether inputs and output are batch first.</summary>
    public bool BatchFirst { get; }

    /// <summary>The packed projection <c>[3E, E]</c> (W_q; W_k; W_v), or null when kdim or vdim differ from E.</summary>
    public Tensor? InProjWeight { get; }

    /// <summary>The query projection <c>[E, E]</c> when kdim or vdim differ from E, else null.</summary>
    public Tensor? QProjWeight { get; }

    /// <summary>The key projection <c>[E, kdim]</c> when kdim or vdim differ from E, else null.</summary>
    public Tensor? KProjWeight { get; }

    /// <summary>The value projection <c>[E, vdim]</c> when kdim or vdim differ from E, else null.</summary>
    public Tensor? VProjWeight { get; }

    /// <summary>The projection biases <c>[3E]</c> (b_q; b_k; b_v), or null without bias.</summary>
    public Tensor? InProjBias { get; }

    /// <summary>The output projection.</summary>
    public Linear OutProj { get; }

    /// <summary>Runs the layer with PyTorch's keyword arguments (see the type remarks for shapes and masks).</summary>
    /// <returns>The output, and the attention weights when <paramref name="needWeights"/> (else null).</returns>
    public (Tensor Output, Tensor? Weights) Forward(Tensor query, Tensor key, Tensor value, Tensor? keyPaddingMask = null,
        bool needWeights = true, Tensor? attnMask = null, bool averageAttnWeights = true)
        => Forward(query, key, value, (keyPaddingMask, needWeights, attnMask, averageAttnWeights));

    /// <inheritdoc/>
    protected override (Tensor Output, Tensor? Weights) OnForward(Tensor query, Tensor key, Tensor value,
        (Tensor? KeyPaddingMask, bool NeedWeights, Tensor? AttnMask, bool AverageAttnWeights) options)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var (kpm, needWeights, attnMask, average) = options;
        bool unbatched = CheckInputs(query, key, value);
        Tensor q = query, k = key, v = value;
        if (unbatched)
        {
            (q, k, v) = (q.Unsqueeze(0), k.Unsqueeze(0), v.Unsqueeze(0));
            if (kpm?.Rank == 1) kpm = kpm.Unsqueeze(0);
        }
        else if (!BatchFirst) (q, k, v) = (q.Transpose(0, 1), k.Transpose(0, 1), v.Transpose(0, 1));
        int b = q.Dims[0], l = q.Dims[1], s = k.Dims[1], e = EmbedDim;
        Tensor? mask = Mask(kpm, attnMask, b, l, s, unbatched, q.DType);

        var (qh, kh, vh) = Project(q, k, v, ReferenceEquals(query, key), ReferenceEquals(key, value));
        double p = IsTraining ? Dropout : 0, scale = 1 / Math.Sqrt(HeadDim);
        Tensor o;
        Tensor? weights = null;
        if (needWeights)
        {
            Tensor scores = (qh * scale).MatMul(kh.MT);
            if (mask?.DType == DType.Bool) scores = Tensor.Where(mask, scores, Tensor.Scalar(double.NegativeInfinity, scores.DType));
            else if (mask is not null) scores += mask;
            weights = scores.Softmax(-1);
            if (p > 0) weights = Functional.Dropout(weights, p, true, _generator);
            o = weights.MatMul(vh);
            if (average) weights = weights.Sum(1) / NumHeads;
            if (unbatched) weights = weights.Squeeze(0);
        }
        else o = Functional.ScaledDotProductAttention(qh, kh, vh, mask, p, scale: scale, generator: _generator);

        Tensor output = OutProj.Forward(o.Transpose(1, 2).Reshape(b, l, e));
        output = unbatched ? output.Squeeze(0) : BatchFirst ? output : output.Transpose(0, 1);
        return (output, weights);
    }

    /// <summary>Query, key and value projected and split into heads <c>[B, H, ·, head_dim]</c> (views of the projections).</summary>
    private (Tensor Q, Tensor K, Tensor V) Project(Tensor q, Tensor k, Tensor v, bool queryIsKey, bool keyIsValue)
    {
        int e = EmbedDim;
        Tensor? Bias(int start, int count) => InProjBias?.Narrow(0, start * e, count * e);
        Tensor[] Heads(Tensor projected, int parts)
        {
            Tensor split = projected.Reshape(projected.Dims[0], projected.Dims[1], parts, NumHeads, HeadDim);
            return [.. Enumerable.Range(0, parts).Select(i => split.Select(2, i).Transpose(1, 2))];
        }
        if (InProjWeight is not { } w)
            return (Heads(Functional.Linear(q, QProjWeight!, Bias(0, 1)), 1)[0], Heads(Functional.Linear(k, KProjWeight!, Bias(1, 1)), 1)[0],
                Heads(Functional.Linear(v, VProjWeight!, Bias(2, 1)), 1)[0]);
        if (queryIsKey && keyIsValue)
        {
            Tensor[] qkv = Heads(Functional.Linear(q, w, InProjBias), 3);
            return (qkv[0], qkv[1], qkv[2]);
        }
        Tensor qh = Heads(Functional.Linear(q, w.Narrow(0, 0, e), Bias(0, 1)), 1)[0];
        if (keyIsValue)
        {
            Tensor[] kv = Heads(Functional.Linear(k, w.Narrow(0, e, 2 * e), Bias(1, 2)), 2);
            return (qh, kv[0], kv[1]);
        }
        return (qh, Heads(Functional.Linear(k, w.Narrow(0, e, e), Bias(1, 1)), 1)[0], Heads(Functional.Linear(v, w.Narrow(0, 2 * e, e), Bias(2, 1)), 1)[0]);
    }

    /// <summary>Whether the inputs are unbatched; throws when their ranks, widths or lengths do not fit the layer.</summary>
    private bool CheckInputs(Tensor query, Tensor key, Tensor value)
    {
        string Shapes() => $"query {query.Shape}, key {key.Shape}, value {value.Shape}";
        string layout = BatchFirst ? "[B, L, E], [B, S, kdim], [B, S, vdim]" : "[L, B, E], [S, B, kdim], [S, B, vdim]";
        if (query.Rank is not (2 or 3) || key.Rank != query.Rank || value.Rank != query.Rank)
            throw new ArgumentException($"{Op}: expected 3-D inputs {layout} or 2-D unbatched ones [L, E], [S, kdim], [S, vdim], got {Shapes()}");
        if (query.Dims[^1] != EmbedDim || key.Dims[^1] != KDim || value.Dims[^1] != VDim)
            throw new ArgumentException($"{Op}: expected last dims E = {EmbedDim}, kdim = {KDim}, vdim = {VDim}, got {Shapes()}");
        bool unbatched = query.Rank == 2;
        int bd = BatchFirst ? 0 : 1, sd = unbatched ? 0 : 1 - bd;
        if (!unbatched && (key.Dims[bd] != query.Dims[bd] || value.Dims[bd] != query.Dims[bd]))
            throw new ArgumentException($"{Op}: query, key and value must have the same batch size (dim {bd}), got {Shapes()}");
        if (key.Dims[sd] != value.Dims[sd])
            throw new ArgumentException($"{Op}: key and value must have the same length S (dim {sd}), got {Shapes()}");
        return unbatched;
    }

    /// <summary>
    /// The two masks combined for <see cref="Functional.ScaledDotProductAttention"/>'s conventions, broadcastable to
    /// <c>[B, H, L, S]</c>: bool true = the pair takes part, or float added (-inf where the padding mask excludes).
    /// </summary>
    private Tensor? Mask(Tensor? keyPadding, Tensor? attn, int b, int l, int s, bool unbatched, DType dtype)
    {
        if (keyPadding is not null)
        {
            if (keyPadding.DType != DType.Bool || !keyPadding.Shape.ToArray().SequenceEqual([b, s]))
                throw new ArgumentException(
                    $"{Op}: key_padding_mask must be a bool tensor of shape {(unbatched ? $"[{s}]" : $"[{b}, {s}]")} (true = the key is padding), got {keyPadding.DType.Name()} {(unbatched ? keyPadding.Squeeze(0).Shape : keyPadding.Shape)}");
            keyPadding = keyPadding.Reshape(b, 1, 1, s);
        }
        if (attn is not null)
        {
            if (attn.DType != DType.Bool && attn.DType != dtype)
                throw new ArgumentException($"{Op}: attn_mask has dtype {attn.DType.Name()}; expected bool (true = NOT allowed) or {dtype.Name()} (added to the scores)");
            int[] dims = attn.Shape.ToArray();
            int heads = (unbatched ? 1 : b) * NumHeads;
            if (!(dims.SequenceEqual([l, s]) || dims.SequenceEqual([heads, l, s])))
                throw new ArgumentException(
                    $"{Op}: attn_mask must be [{l}, {s}] or [{heads}, {l}, {s}] ([{(unbatched ? "" : "B*")}num_heads, L, S]), got {attn.Shape}");
            if (attn.Rank == 3) attn = attn.Reshape(b, NumHeads, l, s);
        }
        if (attn is null) return keyPadding?.LogicalNot();
        if (attn.DType == DType.Bool) return (keyPadding is null ? attn : attn.LogicalOr(keyPadding)).LogicalNot();
        return keyPadding is null ? attn : Tensor.Where(keyPadding, Tensor.Scalar(double.NegativeInfinity, dtype), attn);
    }
}
