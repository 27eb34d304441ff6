namespace Nabla.NN;

/// <summary>The activation of a transformer layer's feed-forward block (PyTorch's <c>activation="relu"</c> or <c>"gelu"</c>).</summary>
public enum TransformerActivation
{
    /// <summary>ReLU, PyTorch's default.</summary>
    Relu,
    /// <summary>The exact (erf) GELU.</summary>
    Gelu,
}
