using System.Globalization;

namespace Nabla.Optim;

/// <summary>Anneals the learning rate from its base value to <c>etaMin</c> along a half cosine over <c>tMax</c> steps (PyTorch's <c>CosineAnnealingLR</c>).</summary>
/// <remarks>
/// <para>Closed form: <c>lr_t = etaMin + (baseLr - etaMin) * (1 + cos(pi * t / tMax)) / 2</c> for every t (after
/// <c>tMax</c> the rate rises again, a full cosine period being <c>2 * tMax</c>).</para>
/// <para>Computed recursively as PyTorch does (chainable), which drifts from the closed form by about 1e-15:</para>
/// <code>
/// t = 0:                           lr_t = lr_(t-1)  (the base rate)
/// (t - 1 - tMax) % (2 tMax) == 0:  lr_t = lr_(t-1) + (baseLr - etaMin) * (1 - cos(pi / tMax)) / 2
/// otherwise:                       lr_t = (1 + cos(pi t / tMax)) / (1 + cos(pi (t - 1) / tMax)) * (lr_(t-1) - etaMin) + etaMin
/// </code>
/// </remarks>
public sealed class CosineAnnealingLR : LrScheduler
{
    private readonly int _tMax;
    private readonly double _etaMin;

    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="tMax">The number of steps of a half period (>= 1).</param>
    /// <param name="etaMin">The minimum learning rate (finite).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax < 1)
            throw new ArgumentException($"CosineAnnealingLR: invalid tMax = {tMax} (expected tMax >= 1)", nameof(tMax));
        if (!double.IsFinite(etaMin))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"CosineAnnealingLR: invalid etaMin = {etaMin} (expected a finite number)"), nameof(etaMin));
        _tMax = tMax;
        _etaMin = etaMin;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        int t = StepCount;
        if (t == 0) return group.Lr;
        if ((t - 1 - _tMax) % (2 * _tMax) == 0)
            return group.Lr + (BaseLrs[groupIndex] - _etaMin) * (1 - Math.Cos(Math.PI / _tMax)) / 2;
        return (1 + Math.Cos(Math.PI * t / _tMax)) / (1 + Math.Cos(Math.PI * (t - 1) / _tMax)) * (group.Lr - _etaMin) + _etaMin;
    }

    /// <summary>Step 0 of the closed form: the base rate.</summary>
    protected override double RestartLr(int groupIndex, ParamGroup group) => BaseLrs[groupIndex];
}
