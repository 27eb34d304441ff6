using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// The base of learning-rate schedulers: each <see cref="Step"/> (called after <c>optimizer.Step()</c>) writes
/// a new <see cref="ParamGroup.Lr"/> into every param group of the optimizer.
/// </summary>
/// <remarks>
/// <para>As in PyTorch, constructing a scheduler already applies the learning rate of step 0, and the first
/// scheduler attached to an optimizer records each group's <see cref="ParamGroup.InitialLr"/>, which later
/// schedulers share as their base learning rate. Most schedulers are chainable: they compute the new rate from the
/// group's current one (PyTorch's recursive form), so several of them can act on one optimizer
/// (see <see cref="ChainedScheduler"/>).</para>
/// <code>
/// var optimizer = new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9);
/// var scheduler = new StepLR(optimizer, stepSize: 30, gamma: 0.1);
/// for (int epoch = 0; epoch &lt; 90; epoch++) { Train(optimizer); scheduler.Step(); }
/// </code>
/// <para>A derived scheduler implements <see cref="ComputeLr"/> and calls <see cref="ApplyInitialLr"/> at the end of
/// its constructor.</para>
/// </remarks>
public abstract class LrScheduler
{
    private double[] _baseLrs = [];
    private double[] _lastLr;

    /// <summary>Attaches the scheduler to <paramref name="optimizer"/>; no learning rate changes until <see cref="ApplyInitialLr"/>.</summary>
    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        Name = GetType().Name;
        _lastLr = CurrentLrs();
    }

    internal string Name { get; }

    /// <summary>The optimizer whose learning rates this scheduler writes.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>
    /// The number of <see cref="Step"/> calls since construction (PyTorch's <c>last_epoch</c>): the learning rate in
    /// effect is the one for step <see cref="StepCount"/>.
    /// </summary>
    public int StepCount { get; private protected set; }

    /// <summary>The base learning rate of each group (its <see cref="ParamGroup.InitialLr"/> when the scheduler started).</summary>
    protected IReadOnlyList<double> BaseLrs => _baseLrs;

    /// <summary>The learning rate this scheduler last set in each param group (PyTorch's <c>get_last_lr()</c>).</summary>
    public double[] LastLr() => (double[])_lastLr.Clone();

    /// <summary>Advances the schedule by one step and writes the new learning rate into every param group.</summary>
    public void Step() => StepCore();

    /// <summary>What <see cref="Step"/> does: by default increments <see cref="StepCount"/> and writes <see cref="ComputeLr"/> into every group.</summary>
    protected virtual void StepCore()
    {
        StepCount++;
        Apply(ComputeLr);
    }

    /// <summary>
    /// Records the base learning rates and applies the learning rate of step 0. Call it once, at the end of the derived
    /// constructor (PyTorch does this in the base constructor, which C# cannot do before derived fields are set).
    /// </summary>
    protected void ApplyInitialLr()
    {
        IReadOnlyList<ParamGroup> groups = Optimizer.ParamGroups;
        _baseLrs = new double[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            groups[i].InitialLr ??= groups[i].Lr;
            _baseLrs[i] = groups[i].InitialLr!.Value;
        }
        StepCount = 0;
        Apply(ComputeLr);
    }

    /// <summary>
    /// The learning rate of <paramref name="group"/> (index <paramref name="groupIndex"/>) for step <see cref="StepCount"/>,
    /// usually computed from its current <see cref="ParamGroup.Lr"/> (the rate of the previous step).
    /// </summary>
    protected abstract double ComputeLr(int groupIndex, ParamGroup group);

    /// <summary>
    /// The learning rate of <paramref name="group"/> when the scheduler restarts at step 0 (PyTorch's <c>step(0)</c>, which
    /// <see cref="SequentialLR"/> takes at a milestone): the closed form at step 0 for a scheduler that has one (PyTorch's
    /// <c>_get_closed_form_lr</c>), else <see cref="ComputeLr"/> at step 0 (the default).
    /// </summary>
    protected virtual double RestartLr(int groupIndex, ParamGroup group) => ComputeLr(groupIndex, group);

    /// <summary>Restarts the schedule at step 0 from its closed form (see <see cref="RestartLr"/>).</summary>
    internal void Restart()
    {
        StepCount = 0;
        Apply(RestartLr);
    }

    /// <summary>Takes the initial step again (PyTorch's <c>_initial_step</c>): step 0 computed from the current learning rates.</summary>
    internal void InitialStep()
    {
        StepCount = 0;
        Apply(ComputeLr);
    }

    /// <summary>Writes extra state of a derived scheduler into <paramref name="state"/> (the base writes step count and rates).</summary>
    protected virtual void SaveState(IDictionary<string, double> state) { }

    /// <summary>Restores what <see cref="SaveState"/> wrote.</summary>
    protected virtual void LoadState(IReadOnlyDictionary<string, double> state) { }

    /// <summary>
    /// The scheduler's state as named numbers: <c>stepCount</c>, <c>baseLrs.{group}</c>, <c>lastLr.{group}</c>, and any
    /// state of the derived scheduler. Hyper-parameters (gamma, step size...) are constructor arguments, not state.
    /// </summary>
    public IDictionary<string, double> StateDict()
    {
        var state = new SortedDictionary<string, double>(StringComparer.Ordinal) { ["stepCount"] = StepCount };
        for (int i = 0; i < _baseLrs.Length; i++) state[Key("baseLrs", i)] = _baseLrs[i];
        for (int i = 0; i < _lastLr.Length; i++) state[Key("lastLr", i)] = _lastLr[i];
        SaveState(state);
        return state;
    }

    /// <summary>
    /// Restores the state from <see cref="StateDict"/> of a scheduler of the same type over an optimizer with as many
    /// param groups. Does not touch the optimizer: load the optimizer's own state too (see <see cref="Optim.Optimizer.LoadStateDict"/>).
    /// </summary>
    /// <remarks>The state is checked before anything changes: the step count must be a whole number from 0 to
    /// <see cref="int.MaxValue"/> and every learning rate finite and &gt;= 0, as an optimizer's constructor requires.</remarks>
    /// <exception cref="ArgumentException">The state is missing a key, has another number of groups, or holds a value out of range.</exception>
    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int groups = Optimizer.ParamGroups.Count;
        double stepCount = Required(state, "stepCount");
        if (!(stepCount >= 0 && stepCount <= int.MaxValue && stepCount == Math.Floor(stepCount)))
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name}.LoadStateDict: stepCount is {stepCount}; expected a whole number from 0 to {int.MaxValue}"), nameof(state));
        double[]? baseLrs = null;
        if (state.ContainsKey(Key("baseLrs", 0)) || _baseLrs.Length > 0)
        {
            baseLrs = new double[groups];
            for (int i = 0; i < groups; i++) baseLrs[i] = Lr(state, Key("baseLrs", i));
        }
        var lastLr = new double[groups];
        for (int i = 0; i < groups; i++) lastLr[i] = Lr(state, Key("lastLr", i));
        StepCount = (int)stepCount;
        if (baseLrs is not null) _baseLrs = baseLrs;
        _lastLr = lastLr;
        LoadState(state);
    }

    private double Lr(IReadOnlyDictionary<string, double> state, string key)
    {
        double lr = Required(state, key);
        return double.IsFinite(lr) && lr >= 0 ? lr
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name}.LoadStateDict: {key} is {lr}; expected a finite learning rate >= 0"), nameof(state));
    }

    /// <summary>The value of <paramref name="key"/> in <paramref name="state"/>, or a clear error naming the scheduler.</summary>
    protected double Required(IReadOnlyDictionary<string, double> state, string key)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.TryGetValue(key, out double v) ? v
            : throw new ArgumentException($"{Name}.LoadStateDict: the state has no '{key}'", nameof(state));
    }

    private static string Key(string name, int index) => string.Create(CultureInfo.InvariantCulture, $"{name}.{index}");

    private void Apply(Func<int, ParamGroup, double> lrOf)
    {
        IReadOnlyList<ParamGroup> groups = Optimizer.ParamGroups;
        if (groups.Count != _baseLrs.Length)
            throw new InvalidOperationException(
                $"{Name}: the optimizer has {groups.Count} param groups but the scheduler was started with {_baseLrs.Length}; create the scheduler after adding param groups");
        var lrs = new double[groups.Count];
        for (int i = 0; i < groups.Count; i++) lrs[i] = lrOf(i, groups[i]);
        for (int i = 0; i < groups.Count; i++) groups[i].Lr = lrs[i];
        _lastLr = lrs;
    }

    internal void SetLastLrFromOptimizer() => _lastLr = CurrentLrs();

    private double[] CurrentLrs()
    {
        IReadOnlyList<ParamGroup> groups = Optimizer.ParamGroups;
        var lrs = new double[groups.Count];
        for (int i = 0; i < groups.Count; i++) lrs[i] = groups[i].Lr;
        return lrs;
    }
}
