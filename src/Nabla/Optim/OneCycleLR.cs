using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// The 1cycle policy (Smith and Topin): the learning rate rises from <c>maxLr / divFactor</c> to <c>maxLr</c>, then
/// anneals far below the start, while the momentum moves the opposite way (PyTorch's <c>OneCycleLR</c>).
/// </summary>
/// <remarks>
/// <para>With <c>initial = maxLr / divFactor</c>, <c>min = initial / finalDivFactor</c>, <c>T = totalSteps</c>; phases end
/// at (fractional) steps:</para>
/// <code>
/// two-phase:   [0, pctStart*T - 1]: lr initial -> maxLr,  momentum maxMomentum -> baseMomentum
///              [.., T - 1]:         lr maxLr -> min,      momentum baseMomentum -> maxMomentum
/// three-phase: [0, pctStart*T - 1]: lr initial -> maxLr,  momentum maxMomentum -> baseMomentum
///              [.., 2*pctStart*T - 2]: lr maxLr -> initial, momentum baseMomentum -> maxMomentum
///              [.., T - 1]:         lr initial -> min,    momentum stays maxMomentum
/// </code>
/// <para>At step t the first phase with <c>t &lt;= end</c> (or the last phase) applies, with
/// <c>pct = (t - start) / (end - start)</c>, <c>start</c> being the previous phase's end (0 for the first; a phase of zero
/// length gives pct = 1), and <see cref="AnnealStrategy"/> interpolating from a to b.</para>
/// <para>The constructor overrides the optimizer's learning rate (and, with <c>cycleMomentum</c>, its momentum: SGD's and
/// RMSprop's <see cref="ParamGroup.Momentum"/>, Adam's and AdamW's <see cref="ParamGroup.Beta1"/>). Steps 0 to
/// <c>totalSteps</c> may be reached: call <see cref="LrScheduler.Step"/> once after each of <c>totalSteps</c> optimizer steps; one more
/// call is an error, as in PyTorch. The learning rate is absolute, not chainable.</para>
/// </remarks>
public sealed class OneCycleLR : LrScheduler
{
    private enum Level { Initial, Max, Min }

    private readonly record struct Phase(double EndStep, Level StartLr, Level EndLr, bool StartAtMaxMomentum, bool EndAtMaxMomentum);

    private readonly Phase[] _phases;
    private readonly int _totalSteps;
    private readonly AnnealStrategy _anneal;
    private readonly string? _momentumKey;
    private readonly double _maxLr, _initialLr, _minLr, _baseMomentum, _maxMomentum;

    /// <summary>Creates the schedule, overriding the optimizer's learning rate (and momentum) with the values of step 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates (and momentum) are scheduled.</param>
    /// <param name="maxLr">The peak learning rate, for every param group (finite, >= 0).</param>
    /// <param name="totalSteps">The number of optimizer steps in the cycle (>= 1).</param>
    /// <param name="pctStart">The fraction of the cycle spent increasing the learning rate, in [0, 1].</param>
    /// <param name="anneal">Cosine or linear interpolation within a phase.</param>
    /// <param name="cycleMomentum">Also cycle the momentum (SGD, RMSprop) or beta1 (Adam, AdamW) inversely to the learning rate.</param>
    /// <param name="baseMomentum">The lowest momentum, reached at the peak learning rate.</param>
    /// <param name="maxMomentum">The highest momentum, at the start and the end.</param>
    /// <param name="divFactor">The initial learning rate is <c>maxLr / divFactor</c> (> 0).</param>
    /// <param name="finalDivFactor">The final learning rate is <c>maxLr / divFactor / finalDivFactor</c> (> 0).</param>
    /// <param name="threePhase">Use the three-phase variant (back to the initial rate before annihilating it).</param>
    /// <exception cref="ArgumentException">An argument is out of range, or <paramref name="cycleMomentum"/> is set for an
    /// optimizer without momentum.</exception>
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, AnnealStrategy anneal = AnnealStrategy.Cos,
        bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95, double divFactor = 25, double finalDivFactor = 1e4,
        bool threePhase = false)
        : base(optimizer)
    {
        if (totalSteps < 1)
            throw new ArgumentException($"OneCycleLR: invalid totalSteps = {totalSteps} (expected a positive integer)", nameof(totalSteps));
        Check(double.IsFinite(maxLr) && maxLr >= 0, maxLr, "a finite maxLr >= 0", nameof(maxLr));
        Check(pctStart >= 0 && pctStart <= 1, pctStart, "0 <= pctStart <= 1", nameof(pctStart));
        Check(double.IsFinite(divFactor) && divFactor > 0, divFactor, "a finite divFactor > 0", nameof(divFactor));
        Check(double.IsFinite(finalDivFactor) && finalDivFactor > 0, finalDivFactor, "a finite finalDivFactor > 0", nameof(finalDivFactor));
        if (!Enum.IsDefined(anneal))
            throw new ArgumentException($"OneCycleLR: invalid anneal strategy {anneal} (expected Cos or Linear)", nameof(anneal));

        if (cycleMomentum)
        {
            _momentumKey = optimizer.Defaults.ContainsKey(ParamGroup.Beta1Key) ? ParamGroup.Beta1Key
                : optimizer.Defaults.ContainsKey(ParamGroup.MomentumKey) ? ParamGroup.MomentumKey
                : throw new ArgumentException($"OneCycleLR: cycleMomentum needs an optimizer with momentum or beta1, and {optimizer.Name} has neither; pass cycleMomentum: false", nameof(cycleMomentum));
            bool beta = _momentumKey == ParamGroup.Beta1Key;
            string range = beta ? "0 <= {0} < 1 (it is Adam's beta1)" : "a finite {0} >= 0";
            Check(baseMomentum >= 0 && (beta ? baseMomentum < 1 : double.IsFinite(baseMomentum)), baseMomentum, string.Format(CultureInfo.InvariantCulture, range, "baseMomentum"), nameof(baseMomentum));
            Check(maxMomentum >= 0 && (beta ? maxMomentum < 1 : double.IsFinite(maxMomentum)), maxMomentum, string.Format(CultureInfo.InvariantCulture, range, "maxMomentum"), nameof(maxMomentum));
        }

        _totalSteps = totalSteps;
        _anneal = anneal;
        _maxLr = maxLr;
        _initialLr = maxLr / divFactor;
        _minLr = _initialLr / finalDivFactor;
        _baseMomentum = baseMomentum;
        _maxMomentum = maxMomentum;
        _phases = threePhase
            ?
            [
                new(pctStart * totalSteps - 1, Level.Initial, Level.Max, true, false),
                new(2 * pctStart * totalSteps - 2, Level.Max, Level.Initial, false, true),
                new(totalSteps - 1, Level.Initial, Level.Min, true, true),
            ]
            :
            [
                new(pctStart * totalSteps - 1, Level.Initial, Level.Max, true, false),
                new(totalSteps - 1, Level.Max, Level.Min, false, true),
            ];

        foreach (ParamGroup group in optimizer.ParamGroups)
        {
            group.InitialLr = _initialLr;
            if (_momentumKey is not null) group[_momentumKey] = maxMomentum;
        }
        ApplyInitialLr();
    }

    /// <summary>Advances the cycle by one step.</summary>
    /// <exception cref="InvalidOperationException">The cycle is over: <see cref="LrScheduler.Step"/> was already called <c>totalSteps</c> times.</exception>
    protected override void StepCore()
    {
        if (StepCount >= _totalSteps)
            throw new InvalidOperationException(
                $"OneCycleLR: tried to step past the end of the cycle: Step() was already called {StepCount} times and totalSteps = {_totalSteps}; " +
                "create the scheduler with totalSteps equal to the number of optimizer steps");
        base.StepCore();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        double step = StepCount;
        double start = 0;
        for (int i = 0; i < _phases.Length; i++)
        {
            Phase phase = _phases[i];
            if (step <= phase.EndStep || i == _phases.Length - 1)
            {
                double span = phase.EndStep - start;
                double pct = span == 0 ? 1 : (step - start) / span;
                if (_momentumKey is not null)
                    group[_momentumKey] = Anneal(Momentum(phase.StartAtMaxMomentum), Momentum(phase.EndAtMaxMomentum), pct);
                return Anneal(Lr(phase.StartLr), Lr(phase.EndLr), pct);
            }
            start = phase.EndStep;
        }
        throw new InvalidOperationException("internal: OneCycleLR has no phase");
    }

    private double Anneal(double start, double end, double pct)
    {
        if (_anneal == AnnealStrategy.Linear) return (end - start) * pct + start;
        double cosOut = Math.Cos(Math.PI * pct) + 1;
        return end + (start - end) / 2.0 * cosOut;
    }

    private double Lr(Level level) => level switch { Level.Initial => _initialLr, Level.Max => _maxLr, _ => _minLr };

    private double Momentum(bool atMax) => atMax ? _maxMomentum : _baseMomentum;

    private static void Check(bool ok, double value, string expected, string name)
    {
        if (!ok)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"OneCycleLR: invalid {name} = {value} (expected {expected})"), name);
    }
}
