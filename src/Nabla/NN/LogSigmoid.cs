namespace Nabla.NN;

/// <summary>Log-sigmoid: <c>ln(sigmoid(x))</c>, stable for any finite x (<see cref="Functional.LogSigmoid"/>).</summary>
public sealed class LogSigmoid : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => Functional.LogSigmoid(input);
}
