using System.Globalization;

namespace Nabla.Optim;

/// <summary>Decays the learning rate polynomially to zero over <c>totalIters</c> steps (PyTorch's <c>PolynomialLR</c>).</summary>
/// <remarks>
/// <para>Closed form: <c>lr_t = baseLr * (1 - min(t, totalIters) / totalIters)^power</c>: exactly 0 from
/// <c>t = totalIters</c> on when <c>power &gt; 0</c>.</para>
/// <para>Computed recursively as PyTorch does (chainable): for <c>0 &lt; t &lt;= totalIters</c>,
/// <c>lr_t = lr_(t-1) * ((1 - t / totalIters) / (1 - (t - 1) / totalIters))^power</c>; otherwise <c>lr_t = lr_(t-1)</c>.</para>
/// </remarks>
public sealed class PolynomialLR : LrScheduler
{
    private readonly int _totalIters;
    private readonly double _power;

    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="totalIters">The number of steps until the rate reaches 0 (>= 1).</param>
    /// <param name="power">The power of the polynomial (finite, >= 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public PolynomialLR(Optimizer optimizer, int totalIters = 5, double power = 1.0) : base(optimizer)
    {
        if (totalIters < 1)
            throw new ArgumentException($"PolynomialLR: invalid totalIters = {totalIters} (expected totalIters >= 1)", nameof(totalIters));
        if (!(double.IsFinite(power) && power >= 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"PolynomialLR: invalid power = {power} (expected a finite power >= 0)"), nameof(power));
        _totalIters = totalIters;
        _power = power;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        int t = StepCount;
        if (t == 0 || t > _totalIters) return group.Lr;
        double decay = Math.Pow((1.0 - (double)t / _totalIters) / (1.0 - (double)(t - 1) / _totalIters), _power);
        return group.Lr * decay;
    }

    /// <summary>Step 0 of the closed form: the base rate.</summary>
    protected override double RestartLr(int groupIndex, ParamGroup group) => BaseLrs[groupIndex];
}
