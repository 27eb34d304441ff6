namespace Nabla.NN;

/// <summary>SELU: <c>scale*(x if x &gt; 0 else alpha*(e^x - 1))</c> with PyTorch's fixed alpha and scale (<see cref="Functional.Selu"/>).</summary>
public sealed class Selu : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Selu(input);
}
