namespace Nabla.NN;

/// <summary>Hard swish: <c>x*min(max(x + 3, 0), 6)/6</c> (<see cref="Functional.Hardswish"/>).</summary>
public sealed class Hardswish : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Hardswish(input);
}
