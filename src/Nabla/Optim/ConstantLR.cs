using System.Globalization;

namespace Nabla.Optim;

/// <summary>Scales the learning rate by a constant <c>factor</c> for the first <c>totalIters</c> steps (PyTorch's <c>ConstantLR</c>).</summary>
/// <remarks>
/// <para>Closed form: <c>lr_t = baseLr * factor</c> for <c>t &lt; totalIters</c>, <c>baseLr</c> from then on.</para>
/// <para>Computed recursively as PyTorch does (chainable): <c>lr_0 = lr * factor</c>, <c>lr_totalIters = lr_(totalIters-1) / factor</c>,
/// otherwise <c>lr_t = lr_(t-1)</c>.</para>
/// </remarks>
public sealed class ConstantLR : LrScheduler
{
    private readonly double _factor;
    private readonly int _totalIters;

    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate times <paramref name="factor"/>).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="factor">The factor applied until step <paramref name="totalIters"/>, in (0, 1].</param>
    /// <param name="totalIters">The number of steps the factor applies (>= 1).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public ConstantLR(Optimizer optimizer, double factor = 1.0 / 3, int totalIters = 5) : base(optimizer)
    {
        // NOTE: PyTorch accepts factor = 0 and then divides by it at step totalIters; it is refused here.
        if (!(factor > 0 && factor <= 1))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ConstantLR: invalid factor = {factor} (expected 0 < factor <= 1)"), nameof(factor));
        if (totalIters < 1)
            throw new ArgumentException($"ConstantLR: invalid totalIters = {totalIters} (expected totalIters >= 1)", nameof(totalIters));
        _factor = factor;
        _totalIters = totalIters;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        int t = StepCount;
        if (t == 0) return group.Lr * _factor;
        return t == _totalIters ? group.Lr * (1.0 / _factor) : group.Lr;
    }

    /// <summary>Step 0 of the closed form: the base rate times <c>factor</c>.</summary>
    protected override double RestartLr(int groupIndex, ParamGroup group) => BaseLrs[groupIndex] * _factor;
}
