namespace Nabla.NN;

// Note [Fusion]
// A fused op is an ordinary public op with its own node (Functional.LinearRelu: AddmmReluBackward; Functional.Conv2dRelu:
// ConvolutionReluBackward), computing bit for bit what the separate ops compute, in one pass and one node. Nothing
// chooses it behind the caller's back: a model uses it because its author wrote the fused module or called
// Module.Fuse(), which asks each module in a container for its fused form with the next (Module.FuseWith), so that
// containers know no layer types. The graph, the GradFn names and anomaly mode's reports are therefore the same in
// every mode: anomaly mode names the fused op. The presets of the nabla tool are fused by the tool.

/// <summary><c>relu(x·Wᵀ + b)</c> as one op (<see cref="Functional.LinearRelu"/>): what <see cref="ModuleExtensions.Fuse"/> makes of a <see cref="Linear"/> followed by a <see cref="Relu"/>.</summary>
/// <remarks>Holds the Linear's own weight and bias tensors under the same names. See Note [Fusion].</remarks>
public sealed class LinearRelu : Module
{
    [NotRegistered] private readonly Linear _linear;

    /// <summary>Fuses <paramref name="linear"/> with a ReLU; the parameters stay the Linear's tensors.</summary>
    public LinearRelu(Linear linear)
    {
        ArgumentNullException.ThrowIfNull(linear);
        _linear = linear;
        Weight = RegisterParameter("weight", linear.Weight);
        if (linear.Bias is { } bias) Bias = RegisterParameter("bias", bias);
    }

    /// <summary>The weight, [out, in].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, [out], or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        _linear.CheckInput(input);
        return Functional.LinearRelu(input, Weight, Bias);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"in_features={_linear.InFeatures}, out_features={_linear.OutFeatures}, bias={(Bias is not null ? "True" : "False")}";
}
