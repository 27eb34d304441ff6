namespace Nabla.NN;

/// <summary>Hard sigmoid: <c>min(max(x + 3, 0), 6)/6</c> (<see cref="Functional.Hardsigmoid"/>).</summary>
public sealed class Hardsigmoid : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Hardsigmoid(input);
}
