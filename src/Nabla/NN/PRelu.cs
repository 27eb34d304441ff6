namespace Nabla.NN;

/// <summary>Parametric ReLU: <c>x</c> for x &gt; 0, else <c>weight[c]*x</c>, with a learnable slope per channel (dim 1) or one shared slope.</summary>
/// <remarks>As PyTorch's <c>nn.PReLU</c>: <c>weight</c> has <c>numParameters</c> elements (1, or the channel count), initialised to <c>init</c> (0.25).</remarks>
public sealed class PRelu : Module
{
    /// <summary>Creates the layer with <paramref name="numParameters"/> slopes (1, or the size of the input's dim 1).</summary>
    public PRelu(int numParameters = 1, double init = 0.25, DType dtype = DType.Float32)
    {
        if (numParameters < 1) throw new ArgumentException($"PReLU: num_parameters must be positive, got {numParameters}");
        Weight = RegisterParameter("weight", Tensor.Full([numParameters], init, dtype));
    }

    /// <summary>The slopes of the negative part, <c>[num_parameters]</c>.</summary>
    public Tensor Weight { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Prelu(input, Weight);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"num_parameters={Weight.Numel}";
}
