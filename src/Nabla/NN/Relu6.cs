namespace Nabla.NN;

/// <summary>ReLU6: <c>min(max(x, 0), 6)</c> (<see cref="Functional.Relu6"/>).</summary>
public sealed class Relu6 : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Relu6(input);
}
