namespace Nabla.Optim;

/// <summary>The amplitude policy of <see cref="CyclicLR"/> (PyTorch's <c>mode</c>).</summary>
public enum CyclicMode
{
    /// <summary>The same triangle every cycle (<c>"triangular"</c>).</summary>
    Triangular,

    /// <summary>The amplitude halves every cycle (<c>"triangular2"</c>).</summary>
    Triangular2,

    /// <summary>The amplitude is scaled by <c>gamma^t</c> at step t (<c>"exp_range"</c>).</summary>
    ExpRange,
}
