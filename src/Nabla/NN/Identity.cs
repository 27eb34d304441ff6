namespace Nabla.NN;

/// <summary>Returns its input unchanged (PyTorch's <c>nn.Identity</c>); a placeholder that keeps names in a container.</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    protected override Tensor OnForward(Tensor input) => input;
}
