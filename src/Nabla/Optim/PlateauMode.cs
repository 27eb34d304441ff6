namespace Nabla.Optim;

/// <summary>Whether <see cref="ReduceLROnPlateau"/> watches a metric that should fall or rise (PyTorch's <c>mode</c>).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better, e.g. a loss (<c>"min"</c>).</summary>
    Min,

    /// <summary>Higher is better, e.g. an accuracy (<c>"max"</c>).</summary>
    Max,
}
