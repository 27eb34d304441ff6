using System.Globalization;

namespace Nabla.Optim;

/// <summary>Multiplies the learning rate by <c>gamma</c> every step (PyTorch's <c>ExponentialLR</c>).</summary>
/// <remarks><c>lr_t = baseLr * gamma^t</c>, computed recursively (chainable): <c>lr_t = lr_(t-1) * gamma</c>.</remarks>
public sealed class ExponentialLR : LrScheduler
{
    private readonly double _gamma;

    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="gamma">The multiplicative factor per step (finite, >= 0).</param>
    /// <exception cref="ArgumentException"><paramref name="gamma"/> is out of range.</exception>
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        if (!(double.IsFinite(gamma) && gamma >= 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ExponentialLR: invalid gamma = {gamma} (expected a finite gamma >= 0)"), nameof(gamma));
        _gamma = gamma;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return StepCount == 0 ? group.Lr : group.Lr * _gamma;
    }

    /// <summary>Step 0 of the closed form: the base rate.</summary>
    protected override double RestartLr(int groupIndex, ParamGroup group) => BaseLrs[groupIndex];
}
