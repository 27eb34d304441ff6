using System.Globalization;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>
/// Loss scaling for float16 training, as PyTorch's <c>torch.cuda.amp.GradScaler</c>: the loss is multiplied by a large
/// scale before backward so that small float16 gradients do not flush to zero, gradients are divided by it before the
/// step, a step whose gradients hold an infinity or NaN is skipped, and the scale adapts: halved after an overflow,
/// doubled after <see cref="GrowthInterval"/> steps without one.
/// </summary>
/// <remarks>
/// A training step reads: <c>scaler.Scale(loss).Backward(); scaler.Unscale(optimizer); GradClip.ClipGradNorm(...);
/// scaler.Step(optimizer); scaler.Update();</c> (<see cref="Unscale"/> is needed only before clipping or inspecting
/// gradients; <see cref="Step"/> unscales otherwise). bfloat16 has float32's range and needs no scaler.
/// </remarks>
public sealed class GradScaler
{
    private readonly ConditionalWeakTable<Optimizer, StepState> _steps = [];
    private bool _foundInfSinceUpdate;
    private int _growthTracker;
    private double _scale;

    /// <summary>Creates a scaler with PyTorch's defaults.</summary>
    /// <param name="initScale">The first scale (65536).</param>
    /// <param name="growthFactor">The factor applied after <paramref name="growthInterval"/> clean steps (2), above 1.</param>
    /// <param name="backoffFactor">The factor applied after an overflow (0.5), in (0, 1).</param>
    /// <param name="growthInterval">Consecutive steps without an infinity or NaN before the scale grows (2000), positive.</param>
    /// <param name="enabled">False makes every call a pass-through (the scale is 1 and steps always run).</param>
    public GradScaler(double initScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000, bool enabled = true)
    {
        if (!(initScale > 0 && double.IsFinite(initScale))) throw new ArgumentOutOfRangeException(nameof(initScale), $"GradScaler: init_scale must be positive and finite, got {initScale}");
        if (!(growthFactor > 1 && double.IsFinite(growthFactor))) throw new ArgumentOutOfRangeException(nameof(growthFactor), $"GradScaler: growth_factor must be above 1, got {growthFactor}");
        if (!(backoffFactor > 0 && backoffFactor < 1)) throw new ArgumentOutOfRangeException(nameof(backoffFactor), $"GradScaler: backoff_factor must be in (0, 1), got {backoffFactor}");
        if (growthInterval < 1) throw new ArgumentOutOfRangeException(nameof(growthInterval), $"GradScaler: growth_interval must be positive, got {growthInterval}");
        (_scale, GrowthFactor, BackoffFactor, GrowthInterval, IsEnabled) = (initScale, growthFactor, backoffFactor, growthInterval, enabled);
    }

    /// <summary>The factor applied after <see cref="GrowthInterval"/> clean steps.</summary>
    public double GrowthFactor { get; private set; }

    /// <summary>The factor applied after a step with an infinity or NaN.</summary>
    public double BackoffFactor { get; private set; }

    /// <summary>Consecutive clean steps before the scale grows.</summary>
    public int GrowthInterval { get; private set; }

    /// <summary>False when the scaler passes everything through.</summary>
    public bool IsEnabled { get; }

    /// <summary>The current scale (1 when disabled).</summary>
    public double GetScale() => IsEnabled ? _scale : 1;

    /// <summary><paramref name="loss"/> multiplied by the scale (recorded, so backward produces scaled gradients).</summary>
    public Tensor Scale(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return IsEnabled ? loss * _scale : loss;
    }

    /// <summary>
    /// Divides the gradients of <paramref name="optimizer"/>'s parameters by the scale, in place, and records whether any
    /// holds an infinity or NaN. At most once per optimizer between two <see cref="Update"/> calls.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called twice for one optimizer before <see cref="Update"/>.</exception>
    public void Unscale(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!IsEnabled) return;
        StepState state = _steps.GetOrCreateValue(optimizer);
        if (state.Unscaled)
            throw new InvalidOperationException("GradScaler.Unscale: already called for this optimizer since the last Update(); call it once per step, before clipping");
        state.Unscaled = true;
        double inverse = 1.0 / _scale;
        using (Autograd.NoGrad())
        {
            foreach (ParamGroup group in optimizer.ParamGroups)
                foreach (Tensor p in group.Params)
                {
                    if (p.Grad is not { } g) continue;
                    g.MulInPlace(inverse);
                    state.FoundInf |= g.IsNan().Any().Item() != 0 || g.IsInf().Any().Item() != 0;
                }
        }
        _foundInfSinceUpdate |= state.FoundInf;
    }

    /// <summary>
    /// Unscales the gradients if <see cref="Unscale"/> has not, then runs <paramref name="optimizer"/>'s step unless a
    /// gradient held an infinity or NaN. Returns whether the step ran.
    /// </summary>
    public bool Step(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!IsEnabled)
        {
            optimizer.Step();
            return true;
        }
        StepState state = _steps.GetOrCreateValue(optimizer);
        if (state.Stepped)
            throw new InvalidOperationException("GradScaler.Step: already called for this optimizer since the last Update()");
        if (!state.Unscaled) Unscale(optimizer);
        state.Stepped = true;
        if (state.FoundInf) return false;
        optimizer.Step();
        return true;
    }

    /// <summary>
    /// Ends the iteration: halves (by <see cref="BackoffFactor"/>) the scale if any unscaled gradient held an infinity or
    /// NaN, and resets the count of clean steps; otherwise counts a clean step and multiplies the scale by
    /// <see cref="GrowthFactor"/> at every <see cref="GrowthInterval"/>-th. <paramref name="newScale"/> sets the scale instead.
    /// </summary>
    public void Update(double? newScale = null)
    {
        if (!IsEnabled) return;
        if (newScale is { } s)
        {
            if (!(s > 0 && double.IsFinite(s))) throw new ArgumentOutOfRangeException(nameof(newScale), $"GradScaler.Update: new scale must be positive and finite, got {s}");
            _scale = s;
        }
        else if (_foundInfSinceUpdate)
        {
            _scale *= BackoffFactor;
            _growthTracker = 0;
        }
        else if (++_growthTracker == GrowthInterval)
        {
            _scale *= GrowthFactor;
            _growthTracker = 0;
        }
        _foundInfSinceUpdate = false;
        _steps.Clear();
    }

    /// <summary>The state PyTorch's <c>state_dict()</c> holds: scale, growth and backoff factors, growth interval and the count of clean steps.</summary>
    public IReadOnlyDictionary<string, double> StateDict() => IsEnabled
        ? new SortedDictionary<string, double>(StringComparer.Ordinal)
        {
            ["scale"] = _scale,
            ["growth_factor"] = GrowthFactor,
            ["backoff_factor"] = BackoffFactor,
            ["growth_interval"] = GrowthInterval,
            ["_growth_tracker"] = _growthTracker,
        }
        : new SortedDictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Restores a state from <see cref="StateDict"/>.</summary>
    /// <exception cref="ArgumentException">A key is missing or a value is out of range; nothing changes then.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!IsEnabled) return;
        double Get(string key) => state.TryGetValue(key, out double v) ? v
            : throw new ArgumentException($"GradScaler.LoadStateDict: the state has no '{key}' (keys: {string.Join(", ", state.Keys)})", nameof(state));
        double scale = Get("scale"), growth = Get("growth_factor"), backoff = Get("backoff_factor"), interval = Get("growth_interval"), tracker = Get("_growth_tracker");
        var check = new GradScaler(scale, growth, backoff, checked((int)interval));
        if (tracker < 0 || tracker >= interval || tracker != Math.Floor(tracker))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"GradScaler.LoadStateDict: _growth_tracker {tracker} is not a count below growth_interval {interval}"), nameof(state));
        (_scale, GrowthFactor, BackoffFactor, GrowthInterval, _growthTracker) = (check._scale, check.GrowthFactor, check.BackoffFactor, check.GrowthInterval, (int)tracker);
    }

    private sealed class StepState
    {
        public bool Unscaled, Stepped, FoundInf;
    }
}
