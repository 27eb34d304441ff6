using System.Globalization;

namespace Nabla.Optim;

/// <summary>Multiplies the learning rate by <c>gamma</c> at each milestone step (PyTorch's <c>MultiStepLR</c>).</summary>
/// <remarks>
/// <para><c>lr_t = baseLr * gamma^(number of milestones &lt;= t)</c>, computed recursively (chainable): at a step t
/// listed k times among the milestones, the current rate is multiplied by <c>gamma^k</c>.</para>
/// </remarks>
public sealed class MultiStepLR : LrScheduler
{
    private readonly Dictionary<int, int> _milestones = [];
    private readonly double _gamma;

    /// <summary>Creates the schedule and applies the learning rate of step 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="milestones">The steps at which to decay (>= 0; a step listed twice decays twice).</param>
    /// <param name="gamma">The multiplicative factor (finite, >= 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        if (!(double.IsFinite(gamma) && gamma >= 0))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"MultiStepLR: invalid gamma = {gamma} (expected a finite gamma >= 0)"), nameof(gamma));
        foreach (int m in milestones)
        {
            if (m < 0)
                throw new ArgumentException($"MultiStepLR: invalid milestone {m} (expected milestones >= 0)", nameof(milestones));
            _milestones[m] = _milestones.GetValueOrDefault(m) + 1;
        }
        _gamma = gamma;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return _milestones.TryGetValue(StepCount, out int k) ? group.Lr * Math.Pow(_gamma, k) : group.Lr;
    }

    /// <summary>Step 0 of the closed form: the base rate, decayed by the milestones at step 0.</summary>
    protected override double RestartLr(int groupIndex, ParamGroup group) => BaseLrs[groupIndex] * Math.Pow(_gamma, _milestones.GetValueOrDefault(0));
}
