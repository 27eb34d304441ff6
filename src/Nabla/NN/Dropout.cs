namespace Nabla.NN;

/// <summary>
/// In training, zeroes each element with probability <c>p</c> and scales the rest by <c>1/(1-p)</c>;
/// in evaluation, the identity.
/// </summary>
public sealed class Dropout : Module
{
    private readonly double _p;
    private readonly Generator? _generator;

    /// <summary>Creates the layer with drop probability <paramref name="p"/> in [0, 1).</summary>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        if (p is < 0 or >= 1 || double.IsNaN(p)) throw new ArgumentException($"Dropout: p must be in [0, 1), got {p}");
        _p = p;
        _generator = generator;
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input)
    {
        if (!IsTraining || _p == 0) return input;
        Tensor keep = Tensor.Rand(input.Shape.ToArray(), input.DType, _generator).Ge(_p).To(input.DType);
        return input * keep * (1.0 / (1 - _p));
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={PyRepr.Float(_p)}, inplace=False";
}
