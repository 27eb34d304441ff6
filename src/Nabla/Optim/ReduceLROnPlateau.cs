using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// Reduces the learning rate when a metric has stopped improving (PyTorch's <c>ReduceLROnPlateau</c>): call
/// <see cref="Step(double)"/> with the metric, typically once per epoch after validation.
/// </summary>
/// <remarks>
/// <para>State: <c>best</c> (+inf for <see cref="PlateauMode.Min"/>, -inf for <see cref="PlateauMode.Max"/>), the count of
/// bad epochs and the cooldown counter. <c>Step(a)</c>:</para>
/// <code>
/// better = a &lt; best * (1 - threshold)   (Min, Rel)      a &lt; best - threshold   (Min, Abs)
///          a &gt; best * (1 + threshold)   (Max, Rel)      a &gt; best + threshold   (Max, Abs)
/// if better: best = a; bad = 0   else: bad += 1
/// if cooldown counter &gt; 0: counter -= 1; bad = 0          (bad epochs in cooldown are ignored)
/// if bad &gt; patience:
///     for each group: new = max(lr * factor, minLr); if lr - new &gt; eps: lr = new
///     counter = cooldown; bad = 0                          (also when every reduction was skipped)
/// </code>
/// <para>Comparisons are strict, so with <c>threshold = 0</c> an equal metric is no improvement. In <c>Rel</c> mode the
/// margin has the sign of <c>best</c>: for a negative best a slightly worse value still counts as better. A NaN metric is
/// never better. The rate drops at the earliest after <c>patience + 1</c> non-improving metrics and never below
/// <c>minLr</c>. Unlike the other schedulers, this one is not an <see cref="LrScheduler"/>: its step needs the metric.</para>
/// </remarks>
public sealed class ReduceLROnPlateau
{
    private readonly PlateauMode _mode;
    private readonly double _factor, _threshold, _minLr, _eps;
    private readonly ThresholdMode _thresholdMode;
    private readonly int _patience, _cooldown;
    private double[] _lastLr;

    /// <summary>Watches a metric for <paramref name="optimizer"/>; changes no learning rate until a plateau.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are reduced.</param>
    /// <param name="mode">Whether the metric should fall (<see cref="PlateauMode.Min"/>) or rise.</param>
    /// <param name="factor">The factor a reduction multiplies the learning rate by, in [0, 1).</param>
    /// <param name="patience">The number of non-improving metrics tolerated before a reduction (>= 0).</param>
    /// <param name="threshold">The margin a metric must beat the best by (finite, >= 0).</param>
    /// <param name="thresholdMode">Whether the margin is relative to the best value or absolute.</param>
    /// <param name="cooldown">The number of metrics ignored after a reduction (>= 0).</param>
    /// <param name="minLr">The lowest learning rate of every group (finite, >= 0).</param>
    /// <param name="eps">A reduction smaller than or equal to this is skipped (finite, >= 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10, double threshold = 1e-4,
        ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLr = 0, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!Enum.IsDefined(mode))
            throw new ArgumentException($"ReduceLROnPlateau: invalid mode {mode} (expected Min or Max)", nameof(mode));
        if (!Enum.IsDefined(thresholdMode))
            throw new ArgumentException($"ReduceLROnPlateau: invalid thresholdMode {thresholdMode} (expected Rel or Abs)", nameof(thresholdMode));
        Check(factor >= 0 && factor < 1, factor, "0 <= factor < 1", nameof(factor));
        Check(patience >= 0, patience, "patience >= 0", nameof(patience));
        Check(double.IsFinite(threshold) && threshold >= 0, threshold, "a finite threshold >= 0", nameof(threshold));
        Check(cooldown >= 0, cooldown, "cooldown >= 0", nameof(cooldown));
        Check(double.IsFinite(minLr) && minLr >= 0, minLr, "a finite minLr >= 0", nameof(minLr));
        Check(double.IsFinite(eps) && eps >= 0, eps, "a finite eps >= 0", nameof(eps));
        Optimizer = optimizer;
        _mode = mode;
        _factor = factor;
        _patience = patience;
        _threshold = threshold;
        _thresholdMode = thresholdMode;
        _cooldown = cooldown;
        _minLr = minLr;
        _eps = eps;
        Best = WorstValue;
        _lastLr = CurrentLrs();
    }

    /// <summary>The optimizer whose learning rates this scheduler reduces.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The best metric so far (+inf or -inf before the first).</summary>
    public double Best { get; private set; }

    /// <summary>The number of consecutive non-improving metrics counted so far (PyTorch's <c>num_bad_epochs</c>).</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>The number of metrics still to ignore after the last reduction (PyTorch's <c>cooldown_counter</c>).</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The number of <see cref="Step(double)"/> calls (PyTorch's <c>last_epoch</c>).</summary>
    public int StepCount { get; private set; }

    private double WorstValue => _mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;

    /// <summary>The learning rate of each param group after the last step (PyTorch's <c>get_last_lr()</c>).</summary>
    public double[] LastLr() => (double[])_lastLr.Clone();

    /// <summary>Records <paramref name="metric"/> and reduces the learning rates after a plateau (see the remarks).</summary>
    public void Step(double metric)
    {
        StepCount++;
        if (IsBetter(metric))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0;
        }
        if (NumBadEpochs > _patience)
        {
            foreach (ParamGroup group in Optimizer.ParamGroups)
            {
                double old = group.Lr;
                double reduced = Math.Max(old * _factor, _minLr);
                if (old - reduced > _eps) group.Lr = reduced;
            }
            CooldownCounter = _cooldown;
            NumBadEpochs = 0;
        }
        _lastLr = CurrentLrs();
    }

    /// <summary>Records the value of the one-element tensor <paramref name="metric"/> (a loss, an accuracy).</summary>
    /// <exception cref="ArgumentException"><paramref name="metric"/> does not have exactly one element.</exception>
    public void Step(Tensor metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        if (metric.Numel != 1)
            throw new ArgumentException($"ReduceLROnPlateau.Step: the metric has shape {metric.Shape}; expected one value (a tensor with one element)", nameof(metric));
        Step(metric.Item());
    }

    private bool IsBetter(double a) => (_mode, _thresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => a < Best * (1.0 - _threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => a < Best - _threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => a > Best * (_threshold + 1.0),
        _ => a > Best + _threshold,
    };

    /// <summary>
    /// The scheduler's state as named numbers: <c>best</c>, <c>numBadEpochs</c>, <c>cooldownCounter</c>, <c>stepCount</c>
    /// and <c>lastLr.{group}</c>. Hyper-parameters are constructor arguments, not state.
    /// </summary>
    public IDictionary<string, double> StateDict()
    {
        var state = new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["best"] = Best,
            ["numBadEpochs"] = NumBadEpochs,
            ["cooldownCounter"] = CooldownCounter,
            ["stepCount"] = StepCount,
        };
        for (int i = 0; i < _lastLr.Length; i++) state[LastLrKey(i)] = _lastLr[i];
        return state;
    }

    /// <summary>Restores the state from <see cref="StateDict"/> of a scheduler over an optimizer with as many param groups.
    /// Does not touch the optimizer: load its state too.</summary>
    /// <exception cref="ArgumentException">A key is missing or a value is out of range; nothing changes then.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        double best = Required(state, "best");
        if (double.IsNaN(best)) throw Bad("best is NaN; expected a number or an infinity");
        int bad = Count(state, "numBadEpochs"), cool = Count(state, "cooldownCounter"), steps = Count(state, "stepCount");
        var lastLr = new double[Optimizer.ParamGroups.Count];
        for (int i = 0; i < lastLr.Length; i++)
        {
            lastLr[i] = Required(state, LastLrKey(i));
            if (!(double.IsFinite(lastLr[i]) && lastLr[i] >= 0))
                throw Bad(string.Create(CultureInfo.InvariantCulture, $"{LastLrKey(i)} is {lastLr[i]}; expected a finite learning rate >= 0"));
        }
        Best = best;
        NumBadEpochs = bad;
        CooldownCounter = cool;
        StepCount = steps;
        _lastLr = lastLr;
    }

    private static int Count(IReadOnlyDictionary<string, double> state, string key)
    {
        double v = Required(state, key);
        return v >= 0 && v <= int.MaxValue && v == Math.Floor(v) ? (int)v
            : throw Bad(string.Create(CultureInfo.InvariantCulture, $"{key} is {v}; expected a whole number from 0 to {int.MaxValue}"));
    }

    private static double Required(IReadOnlyDictionary<string, double> state, string key)
        => state.TryGetValue(key, out double v) ? v : throw Bad($"the state has no '{key}'");

    private static ArgumentException Bad(string message, string paramName = "state") => new($"ReduceLROnPlateau.LoadStateDict: {message}", paramName);

    private static string LastLrKey(int i) => string.Create(CultureInfo.InvariantCulture, $"lastLr.{i}");

    private double[] CurrentLrs() => [.. Optimizer.ParamGroups.Select(g => g.Lr)];

    private static void Check(bool ok, double value, string expected, string name)
    {
        if (!ok)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"ReduceLROnPlateau: invalid {name} = {value} (expected {expected})"), name);
    }
}
