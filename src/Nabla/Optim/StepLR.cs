using System.Globalization;

namespace Nabla.Optim;

/// <summary>Multiplies the learning rate by <c>gamma</c> every <c>stepSize</c> steps (PyTorch's <c>StepLR</c>).</summary>
/// <remarks>
/// <para><c>lr_t = baseLr * gamma^floor(t / stepSize)</c>, computed recursively (chainable): at every t that is a
/// positive multiple of <c>stepSize</c> the current rate is multiplied by <c>gamma</c>.</para>
/// </remarks>
public sealed class StepLR : LrScheduler
{
    private readonly int _stepSize;
    private readonly double _gamma;

    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="stepSize">The number of steps between decays (>= 1).</param>
    /// <param name="gamma">The multiplicative factor (finite, >= 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize < 1)
            throw new ArgumentException($"StepLR: invalid stepSize = {stepSize} (expected stepSize >= 1)", nameof(stepSize));
        if (!(double.IsFinite(gamma) && gamma >= 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"StepLR: invalid gamma = {gamma} (expected a finite gamma >= 0)"), nameof(gamma));
        _stepSize = stepSize;
        _gamma = gamma;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return StepCount == 0 || StepCount % _stepSize != 0 ? group.Lr : group.Lr * _gamma;
    }

    /// <summary>Step 0 of the closed form: the base rate.</summary>
    protected override double RestartLr(int groupIndex, ParamGroup group) => BaseLrs[groupIndex];
}
