namespace Nabla.NN;

/// <summary>The nonlinearity a layer feeds, for initialisation gains (PyTorch's <c>calculate_gain</c>).</summary>
public enum Nonlinearity
{
    /// <summary>No nonlinearity (gain 1).</summary>
    Linear,
    /// <summary>Sigmoid (gain 1).</summary>
    Sigmoid,
    /// <summary>Tanh (gain 5/3).</summary>
    Tanh,
    /// <summary>ReLU (gain sqrt(2)).</summary>
    Relu,
    /// <summary>Leaky ReLU (gain sqrt(2/(1+slope^2))).</summary>
    LeakyRelu,
    /// <summary>SELU (gain 3/4).</summary>
    Selu,
}
