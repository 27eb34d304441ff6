using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// Cosine annealing from the base rate to <c>etaMin</c> with warm restarts, each period <c>tMult</c> times longer than
/// the last (PyTorch's <c>CosineAnnealingWarmRestarts</c>, SGDR).
/// </summary>
/// <remarks>
/// <para>Starting with <c>tCur = 0</c> and <c>tI = t0</c>, every step does <c>tCur += 1</c>, and when
/// <c>tCur &gt;= tI</c>: <c>tCur -= tI</c>, <c>tI *= tMult</c>. The rate is
/// <c>etaMin + (baseLr - etaMin) * (1 + cos(pi * tCur / tI)) / 2</c>: back at the base rate at steps
/// <c>t0, t0 + t0 tMult, ...</c>, never exactly <c>etaMin</c>. Not chainable (computed from the base rate).</para>
/// </remarks>
public sealed class CosineAnnealingWarmRestarts : LrScheduler
{
    private readonly int _t0;
    private readonly int _tMult;
    private readonly double _etaMin;

    /// <summary>Creates the schedule and applies the learning rate of step 0 (the base rate).</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="t0">The number of steps until the first restart (>= 1).</param>
    /// <param name="tMult">The factor each period grows by after a restart (>= 1).</param>
    /// <param name="etaMin">The minimum learning rate (finite).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult = 1, double etaMin = 0) : base(optimizer)
    {
        if (t0 < 1)
            throw new ArgumentException($"CosineAnnealingWarmRestarts: invalid t0 = {t0} (expected a positive integer)", nameof(t0));
        if (tMult < 1)
            throw new ArgumentException($"CosineAnnealingWarmRestarts: invalid tMult = {tMult} (expected an integer >= 1)", nameof(tMult));
        if (!double.IsFinite(etaMin))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"CosineAnnealingWarmRestarts: invalid etaMin = {etaMin} (expected a finite number)"), nameof(etaMin));
        _t0 = t0;
        _tMult = tMult;
        _etaMin = etaMin;
        ApplyInitialLr();
    }

    /// <summary>The steps since the last restart and the length of the current period (PyTorch's <c>T_cur</c>, <c>T_i</c>) at step <paramref name="step"/>.</summary>
    internal (long TCur, long TI) Period(int step)
    {
        // The same integer recursion PyTorch runs one step at a time, folded: periods t0, t0 tMult, t0 tMult^2, ...
        long tCur = step, tI = _t0;
        if (_tMult == 1) return (tCur % tI, tI);
        while (tCur >= tI)
        {
            tCur -= tI;
            tI *= _tMult;
        }
        return (tCur, tI);
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var (tCur, tI) = Period(StepCount);
        return _etaMin + (BaseLrs[groupIndex] - _etaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2;
    }
}
