namespace Nabla.NN;

/// <summary>
/// Channel-wise dropout over [N, C, H, W] (or [N, C, L], as PyTorch 1.13) (PyTorch's <c>nn.Dropout2d</c>): in training, each channel of each sample is zeroed as a whole with
/// probability <c>p</c> and the kept ones are scaled by <c>1/(1-p)</c>; in evaluation, the identity. See <see cref="Functional.Dropout2d"/>.
/// </summary>
public sealed class Dropout2d : Module
{
    private readonly double _p;
    private readonly Generator? _generator;

    /// <summary>Creates the layer with drop probability <paramref name="p"/> in [0, 1].</summary>
    /// <param name="p">Probability of dropping a channel.</param>
    /// <param name="generator">The random generator; null uses the default one.</param>
    public Dropout2d(double p = 0.5, Generator? generator = null)
    {
        Functional.CheckDropoutProbability("Dropout2d", p);
        (_p, _generator) = (p, generator);
    }

    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.Dropout2d(input, _p, IsTraining, _generator);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={PyRepr.Float(_p)}, inplace=False";
}
