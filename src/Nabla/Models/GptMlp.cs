using Nabla.NN;

namespace Nabla.Models;

/// <summary>nanoGPT's <c>MLP</c>: <c>c_proj(gelu(c_fc(x)))</c> with the exact (erf) GELU and a hidden width of <c>4·n_embd</c>, then dropout.</summary>
public sealed class GptMlp : Module
{
    /// <summary>Creates the block's MLP for <paramref name="config"/>.</summary>
    public GptMlp(GptConfig config, DType dtype = DType.Float32, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        CFc = RegisterModule("c_fc", new Linear(config.NEmbd, 4 * config.NEmbd, config.Bias, dtype, generator));
        Gelu = RegisterModule("gelu", new Gelu());
        CProj = RegisterModule("c_proj", new Linear(4 * config.NEmbd, config.NEmbd, config.Bias, dtype, generator));
        Dropout = RegisterModule("dropout", new Dropout(config.Dropout, generator));
    }

    /// <summary>The expansion, <c>[4C, C]</c>.</summary>
    public Linear CFc { get; }

    /// <summary>The projection back, <c>[C, 4C]</c>.</summary>
    public Linear CProj { get; }

    private Gelu Gelu { get; }

    private Dropout Dropout { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Dropout.Forward(CProj.Forward(Gelu.Forward(CFc.Forward(input))));
}
