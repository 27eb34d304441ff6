namespace Nabla.NN;

/// <summary>Hard tanh: <c>min(max(x, minVal), maxVal)</c> (<see cref="Functional.Hardtanh"/>).</summary>
public sealed class Hardtanh(double minVal = -1, double maxVal = 1) : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Hardtanh(input, minVal, maxVal);

    /// <inheritdoc/>
    protected override string ExtraRepr() => FormattableString.Invariant($"min_val={minVal}, max_val={maxVal}");
}
