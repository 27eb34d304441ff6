using Nabla.NN;

namespace Nabla.Models;

/// <summary>
/// nanoGPT's multi-head causal self-attention: one projection <c>c_attn</c> to queries, keys and values (output rows in
/// that order), <see cref="Functional.ScaledDotProductAttention"/> with <c>isCausal</c> per head, and the output
/// projection <c>c_proj</c>.
/// </summary>
/// <remarks>
/// Input and output <c>[B, T, n_embd]</c>. Head <c>h</c> reads features <c>h*hs .. (h+1)*hs - 1</c> of q, k and v
/// (<c>hs = n_embd / n_head</c>); scores are scaled by <c>1/sqrt(hs)</c>; query <c>t</c> sees keys <c>0..t</c>. Parameters
/// <c>c_attn.weight</c> <c>[3C, C]</c>, <c>c_proj.weight</c> <c>[C, C]</c> and, with biases, their <c>.bias</c>.
/// </remarks>
public sealed class CausalSelfAttention : Module
{
    private readonly int _heads;
    private readonly double _dropout;
    private readonly Generator? _generator;

    /// <summary>Creates the layer for <paramref name="config"/> (initialised as PyTorch's <see cref="Linear"/>; <see cref="Gpt"/> re-initialises it).</summary>
    public CausalSelfAttention(GptConfig config, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        (_heads, _dropout, _generator) = (config.NHead, config.Dropout, generator);
        CAttn = RegisterModule("c_attn", new Linear(config.NEmbd, 3 * config.NEmbd, config.Bias, dtype, generator));
        CProj = RegisterModule("c_proj", new Linear(config.NEmbd, config.NEmbd, config.Bias, dtype, generator));
        RegisterModule("attn_dropout", new Dropout(config.Dropout, generator));
        ResidDropout = RegisterModule("resid_dropout", new Dropout(config.Dropout, generator));
    }

    /// <summary>The query/key/value projection, <c>[3C, C]</c>.</summary>
    public Linear CAttn { get; }

    /// <summary>The output projection, <c>[C, C]</c>.</summary>
    public Linear CProj { get; }

    private Dropout ResidDropout { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Attend(input, null);

    /// <summary>
    /// Attention for <c>t</c> new positions given the <paramref name="cache"/> of the earlier ones (null: the input is the
    /// whole sequence). New position <c>i</c> sees the cached keys and new keys <c>0..i</c>.
    /// </summary>
    internal Tensor Attend(Tensor x, KVCache? cache)
    {
        if (x.Rank != 3 || x.Dims[2] != CAttn.InFeatures)
            throw new ArgumentException($"CausalSelfAttention: expected input [B, T, {CAttn.InFeatures}], got {x.Shape}");
        int b = x.Dims[0], t = x.Dims[1], c = x.Dims[2], hs = c / _heads;
        Tensor[] qkv = CAttn.Forward(x).Split(c, dim: 2);
        Tensor q = Heads(qkv[0]), k = Heads(qkv[1]), v = Heads(qkv[2]);
        double p = IsTraining ? _dropout : 0.0;
        Tensor y;
        int past = cache?.Length ?? 0;
        if (cache is not null) (k, v) = cache.Append(k, v);
        // A 16-bit model's cache is float32 (Note [Widened key/value cache]): the query is widened to it, and the
        // result rounded back, as attention on 16-bit inputs does.
        DType projected = q.DType;
        if (q.DType != k.DType) q = q.To(k.DType);
        if (past == 0) y = Functional.ScaledDotProductAttention(q, k, v, dropoutP: p, isCausal: true, generator: _generator);
        else if (t == 1) y = Functional.ScaledDotProductAttention(q, k, v, dropoutP: p, generator: _generator);
        else
        {
            // New query i sits at position past + i: it sees keys 0..past + i (causal, aligned bottom-right).
            Tensor mask = Tensor.Ones([t, past + t], DType.Bool).Tril(past);
            y = Functional.ScaledDotProductAttention(q, k, v, mask, p, generator: _generator);
        }
        if (y.DType != projected) y = y.To(projected);
        return ResidDropout.Forward(CProj.Forward(y.Transpose(1, 2).Reshape(b, t, c)));
    }

    // A view of the projection's output: q, k and v are never copied (the attention kernels read strided rows).
    private Tensor Heads(Tensor x) => x.UnflattenLast(_heads).Transpose(1, 2);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"n_head={_heads}";
}
