using Nabla.NN;

namespace Nabla.Models;

/// <summary>nanoGPT's pre-norm transformer <c>Block</c>: <c>x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))</c>.</summary>
public sealed class GptBlock : Module
{
    /// <summary>Creates the block for <paramref name="config"/>.</summary>
    public GptBlock(GptConfig config, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Ln1 = RegisterModule("ln_1", new LayerNorm([config.NEmbd], bias: config.Bias, dtype: dtype));
        Attn = RegisterModule("attn", new CausalSelfAttention(config, dtype, generator));
        Ln2 = RegisterModule("ln_2", new LayerNorm([config.NEmbd], bias: config.Bias, dtype: dtype));
        Mlp = RegisterModule("mlp", new GptMlp(config, dtype, generator));
    }

    /// <summary>The layer norm before attention.</summary>
    public LayerNorm Ln1 { get; }

    /// <summary>The causal self-attention.</summary>
    public CausalSelfAttention Attn { get; }

    /// <summary>The layer norm before the MLP.</summary>
    public LayerNorm Ln2 { get; }

    /// <summary>The MLP.</summary>
    public GptMlp Mlp { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Step(input, null);

    /// <summary>The block over new positions, with the attention layer's <paramref name="cache"/> of earlier ones (or none).</summary>
    internal Tensor Step(Tensor x, KVCache? cache)
    {
        Tensor a = Ln1.Forward(x);
        x = x + (cache is null ? Attn.Forward(a) : Attn.Attend(a, cache));
        return x + Mlp.Forward(Ln2.Forward(x));
    }
}
