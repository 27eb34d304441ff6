namespace Nabla.NN;

/// <summary>Gated linear unit over <c>dim</c>: <c>a*sigmoid(b)</c> for the two halves <c>a</c>, <c>b</c> of the input (<see cref="Functional.Glu"/>).</summary>
public sealed class Glu(int dim = -1) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Glu(input, dim);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={dim}";
}
