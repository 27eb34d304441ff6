namespace Nabla.NN;

/// <summary>
/// In training, zeroes each element with probability <c>p</c> and scales the rest by <c>1/(1-p)</c>
/// (<see cref="Functional.Dropout"/>); in evaluation, the identity.
/// </summary>
public sealed class Dropout : Module
{
    private readonly double _p;
    private readonly Generator? _generator;

    /// <summary>Creates the layer with drop probability <paramref name="p"/> in [0, 1] (1 zeroes everything in training, as in PyTorch).</summary>
    public Dropout(double p = 0.5, Generator? generator = null)
    {
        Functional.CheckDropoutProbability("Dropout", p);
        _p = p;
        _generator = generator;
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Dropout(input, _p, IsTraining, _generator);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={PyRepr.Float(_p)}, inplace=False";
}
