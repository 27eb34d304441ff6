namespace Nabla.NN;

/// <summary>Mish: <c>x*tanh(softplus(x))</c> (<see cref="Functional.Mish"/>).</summary>
public sealed class Mish : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Mish(input);
}
