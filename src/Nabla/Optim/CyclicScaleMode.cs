namespace Nabla.Optim;

/// <summary>What a custom scale function of <see cref="CyclicLR"/> is evaluated on (PyTorch's <c>scale_mode</c>).</summary>
public enum CyclicScaleMode
{
    /// <summary>The cycle number, 1 for the first cycle (<c>"cycle"</c>).</summary>
    Cycle,

    /// <summary>The step count t (<c>"iterations"</c>).</summary>
    Iterations,
}
