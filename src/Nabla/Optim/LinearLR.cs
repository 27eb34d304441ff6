using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// Scales the learning rate by a factor that moves linearly from <c>startFactor</c> to <c>endFactor</c> over
/// <c>totalIters</c> steps, then stays (PyTorch's <c>LinearLR</c>; usually a warm-up, chained with a decay).
/// </summary>
/// <remarks>
/// <para>Closed form: <c>lr_t = baseLr * (startFactor + (endFactor - startFactor) * min(t, totalIters) / totalIters)</c>.</para>
/// <para>Computed recursively as PyTorch does (chainable):</para>
/// <code>
/// t = 0:              lr_0 = lr * startFactor
/// 0 &lt; t &lt;= totalIters: lr_t = lr_(t-1) * (1 + (endFactor - startFactor) / (totalIters * startFactor + (t - 1) * (endFactor - startFactor)))
/// t &gt; totalIters:     lr_t = lr_(t-1)
/// </code>
/// </remarks>
public class LinearLR : LrScheduler
{
    private readonly double _startFactor;
    private readonly double _endFactor;
    private readonly int _totalIters;

    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate times <paramref name="startFactor"/>).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="startFactor">The factor at step 0, in (0, 1].</param>
    /// <param name="endFactor">The factor from step <paramref name="totalIters"/> on, in [0, 1].</param>
    /// <param name="totalIters">The number of steps of the ramp (>= 1).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name}: invalid startFactor = {startFactor} (expected 0 < startFactor <= 1)"), nameof(startFactor));
        if (!(endFactor >= 0 && endFactor <= 1))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name}: invalid endFactor = {endFactor} (expected 0 <= endFactor <= 1)"), nameof(endFactor));
        if (totalIters < 1)
            throw new ArgumentException($"{Name}: invalid totalIters = {totalIters} (expected totalIters >= 1)", nameof(totalIters));
        _startFactor = startFactor;
        _endFactor = endFactor;
        _totalIters = totalIters;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected sealed override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        int t = StepCount;
        if (t == 0) return group.Lr * _startFactor;
        if (t > _totalIters) return group.Lr;
        return group.Lr * (1.0 + (_endFactor - _startFactor) / (_totalIters * _startFactor + (t - 1) * (_endFactor - _startFactor)));
    }

    /// <summary>Step 0 of the closed form: the base rate times <c>startFactor</c>.</summary>
    protected sealed override double RestartLr(int groupIndex, ParamGroup group) => BaseLrs[groupIndex] * _startFactor;
}
