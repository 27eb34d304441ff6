using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// Cycles the learning rate between <c>baseLr</c> and <c>maxLr</c> along a triangle, and optionally the momentum the
/// opposite way (PyTorch's <c>CyclicLR</c>, Smith 2017). Step it after every batch.
/// </summary>
/// <remarks>
/// <para>With <c>total = stepSizeUp + stepSizeDown</c> and <c>ratio = stepSizeUp / total</c>, at step t:</para>
/// <code>
/// cycle = floor(1 + t / total);   x = 1 + t / total - cycle
/// s = x / ratio              if x &lt;= ratio     (rises 0 -> 1 in stepSizeUp steps)
///     (x - 1) / (ratio - 1)  otherwise          (falls back in stepSizeDown steps)
/// scale = 1 (Triangular), 1 / 2^(cycle - 1) (Triangular2), gamma^t (ExpRange), or scaleFn(cycle or t)
/// lr       = baseLr + (maxLr - baseLr) * s * scale
/// momentum = maxMomentum - (maxMomentum - baseMomentum) * s * scale           (with cycleMomentum)
/// </code>
/// <para>The constructor overwrites the optimizer's learning rate with <c>baseLr</c> (the optimizer's own lr plays no
/// role), and with <c>cycleMomentum</c> its momentum, which needs an optimizer with a <c>momentum</c> option (SGD,
/// RMSprop; PyTorch 1.13 refuses Adam). Not chainable (computed from <c>baseLr</c>).</para>
/// </remarks>
public sealed class CyclicLR : LrScheduler
{
    private readonly double _baseLr, _maxLr, _total, _ratio, _gamma, _baseMomentum, _maxMomentum;
    private readonly CyclicMode _mode;
    private readonly Func<double, double>? _scaleFn;
    private readonly CyclicScaleMode _scaleMode;
    private readonly bool _cycleMomentum;

    /// <summary>Creates the schedule, overwriting the optimizer's learning rate (and momentum) with the values of step 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates (and momentum) are scheduled.</param>
    /// <param name="baseLr">The lower end of the cycle, for every param group (finite, >= 0).</param>
    /// <param name="maxLr">The upper end of the cycle (finite, >= 0); reached only where the scale is 1.</param>
    /// <param name="stepSizeUp">The steps of the rising half of a cycle (>= 1).</param>
    /// <param name="stepSizeDown">The steps of the falling half (>= 0); null means <paramref name="stepSizeUp"/>.</param>
    /// <param name="mode">The amplitude policy (ignored when <paramref name="scaleFn"/> is given).</param>
    /// <param name="gamma">The per-step factor of <see cref="CyclicMode.ExpRange"/> (finite, >= 0).</param>
    /// <param name="scaleFn">A custom amplitude scale in [0, 1], evaluated on the cycle or the step (<paramref name="scaleMode"/>).</param>
    /// <param name="scaleMode">What <paramref name="scaleFn"/> is evaluated on.</param>
    /// <param name="cycleMomentum">Also cycle the optimizer's momentum inversely to the learning rate.</param>
    /// <param name="baseMomentum">The momentum at the peak learning rate (finite, >= 0).</param>
    /// <param name="maxMomentum">The momentum at the start of a cycle (finite, >= 0).</param>
    /// <exception cref="ArgumentException">An argument is out of range, or <paramref name="cycleMomentum"/> is set for an optimizer without momentum.</exception>
    public CyclicLR(Optimizer optimizer, double baseLr, double maxLr, int stepSizeUp = 2000, int? stepSizeDown = null,
        CyclicMode mode = CyclicMode.Triangular, double gamma = 1.0, Func<double, double>? scaleFn = null,
        CyclicScaleMode scaleMode = CyclicScaleMode.Cycle, bool cycleMomentum = true, double baseMomentum = 0.8, double maxMomentum = 0.9)
        : base(optimizer)
    {
        Check(double.IsFinite(baseLr) && baseLr >= 0, baseLr, "a finite baseLr >= 0", nameof(baseLr));
        Check(double.IsFinite(maxLr) && maxLr >= 0, maxLr, "a finite maxLr >= 0", nameof(maxLr));
        if (stepSizeUp < 1)
            throw new ArgumentException($"CyclicLR: invalid stepSizeUp = {stepSizeUp} (expected stepSizeUp >= 1)", nameof(stepSizeUp));
        if (stepSizeDown < 0)
            throw new ArgumentException($"CyclicLR: invalid stepSizeDown = {stepSizeDown} (expected stepSizeDown >= 0, or null for stepSizeUp)", nameof(stepSizeDown));
        if (!Enum.IsDefined(mode))
            throw new ArgumentException($"CyclicLR: invalid mode {mode} (expected Triangular, Triangular2 or ExpRange)", nameof(mode));
        if (!Enum.IsDefined(scaleMode))
            throw new ArgumentException($"CyclicLR: invalid scaleMode {scaleMode} (expected Cycle or Iterations)", nameof(scaleMode));
        Check(double.IsFinite(gamma) && gamma >= 0, gamma, "a finite gamma >= 0", nameof(gamma));
        if (cycleMomentum)
        {
            if (!optimizer.Defaults.ContainsKey(ParamGroup.MomentumKey))
                throw new ArgumentException($"CyclicLR: cycleMomentum needs an optimizer with a momentum option (Sgd, RmsProp), and {optimizer.Name} has none; pass cycleMomentum: false", nameof(cycleMomentum));
            Check(double.IsFinite(baseMomentum) && baseMomentum >= 0, baseMomentum, "a finite baseMomentum >= 0", nameof(baseMomentum));
            Check(double.IsFinite(maxMomentum) && maxMomentum >= 0, maxMomentum, "a finite maxMomentum >= 0", nameof(maxMomentum));
        }

        _baseLr = baseLr;
        _maxLr = maxLr;
        double up = stepSizeUp, down = stepSizeDown ?? stepSizeUp;
        _total = up + down;
        _ratio = up / _total;
        _mode = mode;
        _gamma = gamma;
        _scaleFn = scaleFn;
        _scaleMode = scaleFn is null ? (mode == CyclicMode.ExpRange ? CyclicScaleMode.Iterations : CyclicScaleMode.Cycle) : scaleMode;
        _cycleMomentum = cycleMomentum;
        _baseMomentum = baseMomentum;
        _maxMomentum = maxMomentum;
        foreach (ParamGroup group in optimizer.ParamGroups)
        {
            group.Lr = baseLr;
            if (cycleMomentum) group.Momentum = baseMomentum;
        }
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        double t = StepCount;
        double cycle = Math.Floor(1 + t / _total);
        double x = 1.0 + t / _total - cycle;
        double s = x <= _ratio ? x / _ratio : (x - 1) / (_ratio - 1);
        double scale = Scale(_scaleMode == CyclicScaleMode.Cycle ? cycle : t);
        if (_cycleMomentum) group.Momentum = _maxMomentum - (_maxMomentum - _baseMomentum) * s * scale;
        return _baseLr + (_maxLr - _baseLr) * s * scale;
    }

    private double Scale(double x)
    {
        if (_scaleFn is not null) return _scaleFn(x);
        return _mode switch
        {
            CyclicMode.Triangular => 1.0,
            CyclicMode.Triangular2 => 1 / Math.Pow(2.0, x - 1),
            _ => Math.Pow(_gamma, x),
        };
    }

    private static void Check(bool ok, double value, string expected, string name)
    {
        if (!ok)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"CyclicLR: invalid {name} = {value} (expected {expected})"), name);
    }
}
