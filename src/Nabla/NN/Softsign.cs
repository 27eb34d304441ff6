namespace Nabla.NN;

/// <summary>Softsign: <c>x/(1 + |x|)</c> (<see cref="Functional.Softsign"/>).</summary>
public sealed class Softsign : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Softsign(input);
}
