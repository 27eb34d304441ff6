namespace Nabla.NN;

/// <summary>Which fan Kaiming initialisation preserves: the forward pass (fan-in) or the backward pass (fan-out).</summary>
public enum FanMode
{
    /// <summary>Preserve the variance of activations in the forward pass.</summary>
    FanIn,
    /// <summary>Preserve the variance of gradients in the backward pass.</summary>
    FanOut,
}
