namespace Nabla.Optim;

/// <summary>
/// The linear warm-up (or decay) of <see cref="LinearLR"/>, under the name Nabla gave it before it took PyTorch's;
/// identical to <see cref="LinearLR"/> in every respect.
/// </summary>
public sealed class LinearWarmup : LinearLR
{
    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate times <paramref name="startFactor"/>).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="startFactor">The factor at step 0, in (0, 1].</param>
    /// <param name="endFactor">The factor from step <paramref name="totalIters"/> on, in [0, 1].</param>
    /// <param name="totalIters">The number of steps of the ramp (>= 1).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public LinearWarmup(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5)
        : base(optimizer, startFactor, endFactor, totalIters) { }
}
