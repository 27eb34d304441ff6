namespace Nabla.NN;

/// <summary><c>relu(conv2d(x))</c> as one op (<see cref="Functional.Conv2dRelu"/>): what <see cref="ModuleExtensions.Fuse"/> makes of a <see cref="Conv2d"/> followed by a <see cref="Relu"/>.</summary>
/// <remarks>Holds the Conv2d's own weight and bias tensors under the same names. See Note [Fusion].</remarks>
public sealed class Conv2dRelu : Module
{
    [NotRegistered] private readonly Conv2d _conv;

    /// <summary>Fuses <paramref name="conv"/> with a ReLU; the parameters stay the Conv2d's tensors.</summary>
    public Conv2dRelu(Conv2d conv)
    {
        ArgumentNullException.ThrowIfNull(conv);
        _conv = conv;
        RegisterParameter("weight", conv.Weight);
        if (conv.Bias is { } bias) RegisterParameter("bias", bias);
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return _conv.ForwardRelu(input);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => _conv.Arguments;
}
