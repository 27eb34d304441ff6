namespace Nabla.Optim;

/// <summary>How <see cref="OneCycleLR"/> moves between the ends of a phase.</summary>
public enum AnnealStrategy
{
    /// <summary>Cosine: <c>out = b + (a - b) / 2 * (cos(pi * pct) + 1)</c> for a phase from a to b.</summary>
    Cos,

    /// <summary>Linear: <c>out = a + (b - a) * pct</c> for a phase from a to b.</summary>
    Linear,
}
