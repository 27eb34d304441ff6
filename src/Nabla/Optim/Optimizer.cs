using System.Globalization;
using Nabla.Runtime;

namespace Nabla.Optim;

/// <summary>
/// The base of every optimizer: param groups with their hyper-parameters, per-parameter state, the update
/// loop and state save/restore.
/// </summary>
/// <remarks>
/// <para>A training step reads like PyTorch:</para>
/// <code>
/// optimizer.ZeroGrad();
/// Tensor loss = lossFunction(model.Forward(x), y);
/// loss.Backward();
/// optimizer.Step();
/// </code>
/// <para>A derived optimizer passes its default hyper-parameters to the constructor and implements
/// <see cref="Update"/>, which <see cref="Step()"/> calls for every parameter that has a gradient. An optimizer that
/// treats all parameters as one vector and re-evaluates the loss (<see cref="Lbfgs"/>) overrides
/// <see cref="StepCore()"/> and <see cref="StepCore(Func{Tensor})"/> instead.</para>
/// </remarks>
public abstract class Optimizer
{
    private static readonly (string Key, Func<double, bool> IsValid, string Expected)[] Rules =
    [
        (ParamGroup.LrKey, v => double.IsFinite(v) && v >= 0, "a finite lr >= 0"),
        (ParamGroup.MomentumKey, v => double.IsFinite(v) && v >= 0, "a finite momentum >= 0"),
        (ParamGroup.DampeningKey, double.IsFinite, "a finite dampening"),
        (ParamGroup.WeightDecayKey, v => double.IsFinite(v) && v >= 0, "a finite weightDecay >= 0"),
        (ParamGroup.EpsKey, v => double.IsFinite(v) && v >= 0, "a finite eps >= 0"),
        (ParamGroup.Beta1Key, v => v >= 0 && v < 1, "0 <= beta1 < 1"),
        (ParamGroup.Beta2Key, v => v >= 0 && v < 1, "0 <= beta2 < 1"),
        (ParamGroup.AlphaKey, v => double.IsFinite(v) && v >= 0, "a finite alpha >= 0"),
        (ParamGroup.LrDecayKey, v => double.IsFinite(v) && v >= 0, "a finite lrDecay >= 0"),
        (ParamGroup.InitialAccumulatorValueKey, v => double.IsFinite(v) && v >= 0, "a finite initialAccumulatorValue >= 0"),
        (ParamGroup.InitialLrKey, v => double.IsFinite(v) && v >= 0, "a finite initialLr >= 0"),
        (ParamGroup.RhoKey, v => v >= 0 && v <= 1, "0 <= rho <= 1"),
        (ParamGroup.MomentumDecayKey, v => double.IsFinite(v) && v >= 0, "a finite momentumDecay >= 0"),
        (ParamGroup.MaxIterKey, IsCount, "a whole number maxIter >= 1"),
        (ParamGroup.MaxEvalKey, IsCount, "a whole number maxEval >= 1"),
        (ParamGroup.HistorySizeKey, IsCount, "a whole number historySize >= 1"),
        (ParamGroup.ToleranceGradKey, v => double.IsFinite(v) && v >= 0, "a finite toleranceGrad >= 0"),
        (ParamGroup.ToleranceChangeKey, v => double.IsFinite(v) && v >= 0, "a finite toleranceChange >= 0"),
        (ParamGroup.LineSearchFnKey, v => v == (int)LineSearch.None || v == (int)LineSearch.StrongWolfe, "0 (LineSearch.None) or 1 (LineSearch.StrongWolfe)"),
    ];

    private const double MaxStep = 9007199254740992; // 2^53: every whole number up to it is a double

    private static bool IsCount(double v) => v >= 1 && v <= int.MaxValue && v == Math.Floor(v);
    private readonly List<ParamGroup> _groups = [];
    private readonly Dictionary<Tensor, ParameterState> _state = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Tensor> _allParams = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, double> _defaults;

    /// <summary>Creates the optimizer over <paramref name="paramGroups"/>, filling their unset options from <paramref name="defaults"/>.</summary>
    /// <param name="paramGroups">The groups of parameters to optimise (at least one parameter in all).</param>
    /// <param name="defaults">The constructor's hyper-parameters, by option name (see <see cref="ParamGroup"/>).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range, a parameter is not a floating-point leaf,
    /// a parameter appears twice, or there is no parameter at all.</exception>
    protected Optimizer(IEnumerable<ParamGroup> paramGroups, IReadOnlyDictionary<string, double> defaults)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        ArgumentNullException.ThrowIfNull(defaults);
        Name = GetType().Name;
        _defaults = new Dictionary<string, double>(defaults, StringComparer.Ordinal);
        Validate(_defaults, groupIndex: null);
        List<ParamGroup> groups = [.. paramGroups];
        int count = 0;
        foreach (ParamGroup g in groups) count += g is null ? 0 : g.Params.Count;
        if (count == 0)
            throw new ArgumentException($"{Name}: optimizer got an empty parameter list", nameof(paramGroups));
        foreach (ParamGroup g in groups) AddParamGroup(g);
    }

    internal string Name { get; }

    /// <summary>Threads a large parameter's update is split over instead of <see cref="ThreadBudget.Max"/> (tests set it).</summary>
    internal int? ThreadsOverride { get; set; }

    /// <summary>The threads a large parameter's update is split over (see Note [Elementwise threads]).</summary>
    internal int UpdateThreads => ThreadsOverride ?? ThreadBudget.KernelThreads;

    /// <summary>The hyper-parameters given to the constructor, by option name: the values unset group options take.</summary>
    public IReadOnlyDictionary<string, double> Defaults => _defaults;

    /// <summary>The param groups, in order.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>
    /// Adds a group of parameters (for example layers unfrozen during fine-tuning). Options the group does not
    /// set take the <see cref="Defaults"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is not a floating-point leaf or is already optimised, or an option is out of range.</exception>
    public void AddParamGroup(ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        int gi = _groups.Count;
        if (MaxParamGroups is { } max && gi >= max)
            throw new ArgumentException($"{Name}: supports {max} param group{(max == 1 ? "" : "s")} (PyTorch's rule), and got a param group {gi}; put all parameters in one group", nameof(group));
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < group.Params.Count; i++)
        {
            Tensor p = group.Params[i];
            if (!p.IsLeaf)
                throw new ArgumentException($"{Name}: can't optimize a non-leaf tensor (parameter {i} of param group {gi}, produced by {p.GradFn!.Name}); pass leaves, e.g. t.Detach()", nameof(group));
            if (!p.DType.ComputesNatively())
                throw new ArgumentException($"{Name}: parameter {i} of param group {gi} has dtype {p.DType.Name()}; only float32 and float64 tensors can be optimised" +
                    (p.DType.IsHalf() ? " (keep the parameters in float32 and compute in 16 bits with Autocast, PyTorch's master weights)" : ""), nameof(group));
            if (!seen.Add(p) || _allParams.Contains(p))
                throw new ArgumentException($"{Name}: some parameters appear in more than one parameter group (parameter {i} of param group {gi}, shape {p.Shape})", nameof(group));
        }
        foreach (var (key, value) in _defaults) group.SetDefault(key, value);
        Validate(group.Options, gi);
        foreach (Tensor p in group.Params) _allParams.Add(p);
        _groups.Add(group);
    }

    /// <summary>Resets the gradients of all parameters before the next backward pass.</summary>
    /// <param name="setToNone">
    /// True (the default, as in PyTorch 2.x) sets every <see cref="Tensor.Grad"/> to null, which frees the memory and lets
    /// <see cref="Step()"/> skip parameters that get no gradient; false fills existing gradients with zeros instead
    /// (PyTorch 1.x's default), so a parameter unused by the next loss still takes a step with a zero gradient.
    /// </param>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (ParamGroup group in _groups)
            foreach (Tensor p in group.Params)
            {
                if (p.Grad is not { } grad) continue;
                if (setToNone) { p.Grad = null; continue; }
                if (!grad.IsLeaf) grad = p.Grad = grad.Detach();
                else if (grad.RequiresGrad) grad.RequiresGrad = false;
                using (Autograd.NoGrad()) grad.Zero();
            }
    }

    /// <summary>
    /// Performs one optimisation step: updates, in place, every parameter whose <see cref="Tensor.Grad"/> is not null.
    /// </summary>
    /// <remarks>
    /// Runs under <see cref="Autograd.NoGrad"/>. Parameters must be contiguous (parameters are freshly created leaves);
    /// gradients must have the parameter's shape and dtype. Each parameter's <see cref="ParameterState.Step"/> is
    /// incremented before its update.
    /// </remarks>
    /// <exception cref="InvalidOperationException">A parameter is not contiguous, or its gradient does not match it.</exception>
    public void Step() => StepCore();

    /// <summary>
    /// What <see cref="Step()"/> does: by default calls <see cref="Update"/> for every parameter with a gradient, under
    /// <see cref="Autograd.NoGrad"/>, after incrementing its step count. (A virtual named <c>Step</c> would trip CA1716.)
    /// </summary>
    protected virtual void StepCore()
    {
        using (Autograd.NoGrad())
        {
            for (int gi = 0; gi < _groups.Count; gi++)
            {
                ParamGroup group = _groups[gi];
                for (int pi = 0; pi < group.Params.Count; pi++)
                {
                    Tensor p = group.Params[pi];
                    if (p.Grad is not { } grad) continue;
                    grad = CheckedGradient(p, grad, gi, pi);
                    if (!_state.TryGetValue(p, out ParameterState? state))
                    {
                        state = new ParameterState();
                        _state[p] = state;
                    }
                    state.Step++;
                    Update(group, p, grad, state);
                }
            }
        }
    }

    /// <summary>
    /// Re-evaluates the loss with <paramref name="closure"/> (which should zero the gradients, compute the loss and
    /// call backward), then performs <see cref="Step()"/>.
    /// </summary>
    /// <returns>The loss the closure returned.</returns>
    public Tensor Step(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        return StepCore(closure);
    }

    /// <summary>
    /// What <see cref="Step(Func{Tensor})"/> does: by default evaluates <paramref name="closure"/> once with gradients
    /// enabled, then performs <see cref="Step()"/>, and returns the closure's loss.
    /// </summary>
    protected virtual Tensor StepCore(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        Tensor loss;
        using (Autograd.EnableGrad()) loss = closure();
        Step();
        return loss;
    }

    /// <summary>
    /// Applies this optimizer's update to one parameter, in place. Called by <see cref="Step()"/> under
    /// <see cref="Autograd.NoGrad"/> for every parameter with a gradient.
    /// </summary>
    /// <param name="group">The parameter's group, holding the hyper-parameters to use.</param>
    /// <param name="parameter">The contiguous parameter to update.</param>
    /// <param name="gradient">The contiguous gradient, of the parameter's shape and dtype.</param>
    /// <param name="state">The parameter's state; <see cref="ParameterState.Step"/> already counts this update (1 on the first).</param>
    /// <exception cref="InvalidOperationException">The optimizer overrides neither this method nor <see cref="StepCore()"/>.</exception>
    protected virtual void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
        => throw new InvalidOperationException($"{Name}: an optimizer must override Update (one parameter at a time) or StepCore (all parameters at once)");

    /// <summary>
    /// The names of the numbers this optimizer keeps per parameter besides its step count (NAdam's <c>muProduct</c>);
    /// <see cref="StateDict"/> saves them as <c>state.{paramIndex}.{name}</c> and <see cref="LoadStateDict"/> accepts
    /// only these names. None by default.
    /// </summary>
    protected virtual IReadOnlyCollection<string> ScalarNames => [];

    /// <summary>The most param groups this optimizer supports (L-BFGS: 1), or null for any number.</summary>
    protected virtual int? MaxParamGroups => null;

    /// <summary>
    /// The names of the buffers this optimizer keeps per parameter (such as <c>expAvg</c>); <see cref="LoadStateDict"/>
    /// refuses a state with others, which another optimizer saved. Null (the default) accepts any name.
    /// </summary>
    protected virtual IReadOnlyCollection<string>? BufferNames => null;

    /// <summary>The state of <paramref name="parameter"/>, or null before its first update.</summary>
    public ParameterState? StateOf(Tensor parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return _state.GetValueOrDefault(parameter);
    }

    /// <summary>
    /// Returns a copy of the optimizer's state (step counts, buffers and group hyper-parameters) in the plain form
    /// described by <see cref="OptimizerState"/>.
    /// </summary>
    public virtual OptimizerState StateDict()
    {
        var result = new OptimizerState();
        result.Scalars["paramGroups.count"] = _groups.Count;
        int index = 0;
        using (Autograd.NoGrad())
            for (int gi = 0; gi < _groups.Count; gi++)
            {
                ParamGroup group = _groups[gi];
                result.Scalars[Key($"paramGroups.{gi}.params")] = group.Params.Count;
                foreach (var (option, value) in group.Options)
                    result.Scalars[Key($"paramGroups.{gi}.{option}")] = value;
                foreach (Tensor p in group.Params)
                {
                    if (_state.TryGetValue(p, out ParameterState? state))
                    {
                        result.Scalars[Key($"state.{index}.step")] = state.Step;
                        foreach (var (name, value) in state.Scalars)
                            result.Scalars[Key($"state.{index}.{name}")] = value;
                        foreach (var (name, buffer) in state.Buffers)
                            result.Tensors[Key($"state.{index}.{name}")] = buffer.Detach().Clone();
                    }
                    index++;
                }
            }
        return result;
    }

    /// <summary>
    /// Replaces this optimizer's state with <paramref name="state"/> (from <see cref="StateDict"/> of an optimizer of the
    /// same type over parameters of the same shapes, in the same groups). Buffers are copied and converted to each
    /// parameter's dtype; group hyper-parameters in the state overwrite the current ones.
    /// </summary>
    /// <remarks>
    /// <para>When resuming with a learning-rate scheduler, construct the optimizer and the scheduler first, then load both
    /// states: a scheduler's constructor writes the learning rate, and loading restores it.</para>
    /// <para>The state is checked as the constructor checks its arguments, before anything changes: every group option
    /// must be in range (a state with <c>lr = -1</c> is refused), must be an option of this optimizer (or one the
    /// group already holds, or <c>initialLr</c>), buffers must have names this optimizer uses, and step counts must be
    /// whole numbers &gt;= 0. So the state of another optimizer (Adam's into <see cref="Sgd"/>) is refused by name.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">The state does not fit this optimizer's groups or parameters, holds an option
    /// out of range, or was saved by another kind of optimizer.</exception>
    public virtual void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        const string op = "LoadStateDict";
        if (!state.Scalars.TryGetValue("paramGroups.count", out double groupCount) || groupCount != _groups.Count)
            throw new ArgumentException($"{Name}.{op}: the state has {(state.Scalars.ContainsKey("paramGroups.count") ? groupCount.ToString(CultureInfo.InvariantCulture) : "no")} param groups, this optimizer has {_groups.Count}", nameof(state));
        var parameters = new List<Tensor>();
        var options = new List<(ParamGroup Group, string Option, double Value)>();
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            string prefix = Key($"paramGroups.{gi}.");
            if (!state.Scalars.TryGetValue(prefix + "params", out double n) || n != _groups[gi].Params.Count)
                throw new ArgumentException($"{Name}.{op}: param group {gi} of the state has {(state.Scalars.ContainsKey(prefix + "params") ? n.ToString(CultureInfo.InvariantCulture) : "no")} parameters, this optimizer's has {_groups[gi].Params.Count}", nameof(state));
            parameters.AddRange(_groups[gi].Params);
        }

        var loaded = new Dictionary<int, ParameterState>();
        ParameterState StateAt(string key, int index)
        {
            if (index < 0 || index >= parameters.Count)
                throw new ArgumentException($"{Name}.{op}: '{key}' names parameter {index}, but this optimizer has {parameters.Count} parameters", nameof(state));
            if (!loaded.TryGetValue(index, out ParameterState? s)) loaded[index] = s = new ParameterState();
            return s;
        }

        foreach (var (key, value) in state.Scalars)
        {
            string[] parts = key.Split('.', 3);
            if (parts is ["paramGroups", "count"]) continue;
            if (parts is ["paramGroups", var g, var option] && int.TryParse(g, NumberStyles.None, CultureInfo.InvariantCulture, out int gi) && gi < _groups.Count)
            {
                if (option == "params") continue;
                if (!_defaults.ContainsKey(option) && option != ParamGroup.InitialLrKey && !_groups[gi].HasOption(option))
                    throw new ArgumentException($"{Name}.{op}: param group {gi} of the state has the option '{option}', which {Name} does not have " +
                        $"(its options: {string.Join(", ", _defaults.Keys)}); the state was saved by another optimizer", nameof(state));
                options.Add((_groups[gi], option, value));
                continue;
            }
            if (parts is ["state", var i, "step"] && int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out int pi))
            {
                if (!(value >= 0 && value <= MaxStep && value == Math.Floor(value)))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name}.{op}: '{key}' is {value}; a step count is a whole number from 0 to 2^53"), nameof(state));
                StateAt(key, pi).Step = (long)value;
                continue;
            }
            if (parts is ["state", var j, var scalar] && int.TryParse(j, NumberStyles.None, CultureInfo.InvariantCulture, out int pj) && ScalarNames.Contains(scalar))
            {
                if (!double.IsFinite(value))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Name}.{op}: '{key}' is {value}; expected a finite number"), nameof(state));
                StateAt(key, pj).SetScalar(scalar, value);
                continue;
            }
            throw new ArgumentException($"{Name}.{op}: unexpected scalar '{key}'", nameof(state));
        }
        using (Autograd.NoGrad())
            foreach (var (key, tensor) in state.Tensors)
            {
                string[] parts = key.Split('.', 3);
                if (parts is not ["state", var i, var name] || !int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out int pi))
                    throw new ArgumentException($"{Name}.{op}: unexpected tensor '{key}'; expected state.{{paramIndex}}.{{buffer}}", nameof(state));
                if (BufferNames is { } names && !names.Contains(name))
                    throw new ArgumentException($"{Name}.{op}: the state has the buffer '{key}', but {Name} keeps only {string.Join(", ", names)}; the state was saved by another optimizer", nameof(state));
                ParameterState s = StateAt(key, pi);
                Tensor p = parameters[pi];
                if (tensor is null || !tensor.Shape.Equals(p.Shape) || !tensor.DType.IsFloatingPoint())
                    throw new ArgumentException($"{Name}.{op}: '{key}' has shape {tensor?.Shape.ToString() ?? "null"} and dtype {tensor?.DType.Name() ?? "null"}, but parameter {pi} is a {p.DType.Name()} tensor of shape {p.Shape}", nameof(state));
                s.SetBuffer(name, tensor.Detach().Clone().To(p.DType));
            }

        // Validate each group's options as they will be, as the constructor validates its arguments, before changing anything.
        for (int gi = 0; gi < _groups.Count; gi++)
        {
            var merged = new Dictionary<string, double>(_groups[gi].Options, StringComparer.Ordinal);
            foreach (var (group, option, value) in options)
                if (ReferenceEquals(group, _groups[gi])) merged[option] = value;
            Validate(merged, gi, op);
        }

        _state.Clear();
        foreach (var (index, s) in loaded) _state[parameters[index]] = s;
        foreach (var (group, option, value) in options) group[option] = value;
    }

    private static string Key(FormattableString key) => key.ToString(CultureInfo.InvariantCulture);

    private void Validate(IReadOnlyDictionary<string, double> options, int? groupIndex, string? operation = null)
    {
        string where = groupIndex is { } gi ? $" in param group {gi}" : "";
        string name = operation is null ? Name : $"{Name}.{operation}";
        foreach (var (key, isValid, expected) in Rules)
            if (options.TryGetValue(key, out double v) && !isValid(v))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: invalid {key} = {v}{where} (expected {expected})"), key);
        string nesterovKey = ParamGroup.NesterovKey;
        if (options.TryGetValue(nesterovKey, out double nesterov) && nesterov != 0)
        {
            double momentum = options.GetValueOrDefault(ParamGroup.MomentumKey);
            double dampening = options.GetValueOrDefault(ParamGroup.DampeningKey);
            if (momentum <= 0 || dampening != 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: nesterov momentum requires momentum > 0 and dampening = 0, got momentum = {momentum} and dampening = {dampening}{where}"), nesterovKey);
        }
    }

    private InvalidOperationException Mismatch(string what, int gi, int pi, Tensor p)
        => new($"{Name}: parameter {pi} of param group {gi} (shape {p.Shape}, dtype {p.DType.Name()}) {what}");

    private protected Tensor CheckedGradient(Tensor p, Tensor grad, int gi, int pi)
    {
        if (!p.IsContiguous)
            throw Mismatch("is not contiguous; optimizers update parameters in place through their storage, so pass contiguous leaves (e.g. t.Contiguous().Detach())", gi, pi, p);
        if (!grad.Shape.Equals(p.Shape))
            throw Mismatch($"has a gradient of shape {grad.Shape}", gi, pi, p);
        if (grad.DType != p.DType)
            throw Mismatch($"has a gradient of dtype {grad.DType.Name()}", gi, pi, p);
        return grad.ContiguousData();
    }
}
