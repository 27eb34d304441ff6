namespace Nabla;

/// <summary>Which formula <see cref="Functional.Gelu(Tensor, GeluApproximation)"/> evaluates.</summary>
public enum GeluApproximation
{
    /// <summary>The exact form <c>0.5*x*(1 + erf(x/sqrt(2)))</c>.</summary>
    None,

    /// <summary>The tanh approximation <c>0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3)))</c>.</summary>
    Tanh,
}
