using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// A list of parameters optimised with the same hyper-parameters (PyTorch's param group dictionary).
/// </summary>
/// <remarks>
/// <para>Options left unset when the group is given to an optimizer take the optimizer's constructor values
/// (its <see cref="Optimizer.Defaults"/>); options set here override them for this group only:</para>
/// <code>
/// var optimizer = new Sgd([
///     new ParamGroup(backbone.Parameters()),
///     new ParamGroup(head.Parameters()) { Lr = 1e-2 },
/// ], lr: 1e-3, momentum: 0.9);
/// </code>
/// <para>Every option is a number (flags are 0 or 1) stored under a camelCase name equal to the optimizer's
/// constructor parameter: <c>lr</c>, <c>momentum</c>, <c>dampening</c>, <c>weightDecay</c>, <c>nesterov</c>,
/// <c>beta1</c>, <c>beta2</c>, <c>eps</c>, <c>amsGrad</c>, <c>alpha</c>, <c>centered</c>, <c>lrDecay</c>,
/// <c>initialAccumulatorValue</c>, <c>rho</c>, <c>momentumDecay</c>, <c>maximize</c>, L-BFGS's <c>maxIter</c>,
/// <c>maxEval</c>, <c>toleranceGrad</c>, <c>toleranceChange</c>, <c>historySize</c> and <c>lineSearchFn</c>
/// (a <see cref="LineSearch"/> value), and <c>initialLr</c> (set by the first learning-rate scheduler).
/// Learning-rate schedulers write <see cref="Lr"/> (and <see cref="Momentum"/> or <see cref="Beta1"/>)
/// between steps. Reading an option the group does not hold throws <see cref="InvalidOperationException"/>.</para>
/// </remarks>
public sealed class ParamGroup
{
    internal const string LrKey = "lr";
    internal const string MomentumKey = "momentum";
    internal const string DampeningKey = "dampening";
    internal const string WeightDecayKey = "weightDecay";
    internal const string NesterovKey = "nesterov";
    internal const string Beta1Key = "beta1";
    internal const string Beta2Key = "beta2";
    internal const string EpsKey = "eps";
    internal const string AmsGradKey = "amsGrad";
    internal const string AlphaKey = "alpha";
    internal const string CenteredKey = "centered";
    internal const string LrDecayKey = "lrDecay";
    internal const string InitialAccumulatorValueKey = "initialAccumulatorValue";
    internal const string InitialLrKey = "initialLr";
    internal const string RhoKey = "rho";
    internal const string MomentumDecayKey = "momentumDecay";
    internal const string MaximizeKey = "maximize";
    internal const string MaxIterKey = "maxIter";
    internal const string MaxEvalKey = "maxEval";
    internal const string ToleranceGradKey = "toleranceGrad";
    internal const string ToleranceChangeKey = "toleranceChange";
    internal const string HistorySizeKey = "historySize";
    internal const string LineSearchFnKey = "lineSearchFn";

    private readonly List<Tensor> _params;
    private readonly Dictionary<string, double> _options = new(StringComparer.Ordinal);

    /// <summary>Creates a group of <paramref name="parameters"/> with no options set yet.</summary>
    /// <param name="parameters">The tensors to optimise, in order.</param>
    public ParamGroup(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _params = [.. parameters];
        for (int i = 0; i < _params.Count; i++)
            if (_params[i] is null)
                throw new ArgumentException($"ParamGroup: parameter {i} is null", nameof(parameters));
    }

    /// <summary>The parameters of this group, in order.</summary>
    public IReadOnlyList<Tensor> Params => _params;

    /// <summary>Every option held by this group, by name (flags as 0 or 1).</summary>
    public IReadOnlyDictionary<string, double> Options => _options;

    /// <summary>Gets or sets an option by name (see the remarks of <see cref="ParamGroup"/> for the names).</summary>
    /// <param name="option">The camelCase option name, e.g. <c>"lr"</c> or <c>"weightDecay"</c>.</param>
    public double this[string option]
    {
        get => Get(option);
        set
        {
            ArgumentNullException.ThrowIfNull(option);
            _options[option] = value;
        }
    }

    /// <summary>True when this group holds the option named <paramref name="option"/>.</summary>
    public bool HasOption(string option) => _options.ContainsKey(option);

    /// <summary>The learning rate.</summary>
    public double Lr { get => Get(LrKey); set => _options[LrKey] = value; }

    /// <summary>The momentum factor (SGD, RMSprop).</summary>
    public double Momentum { get => Get(MomentumKey); set => _options[MomentumKey] = value; }

    /// <summary>The dampening of momentum (SGD).</summary>
    public double Dampening { get => Get(DampeningKey); set => _options[DampeningKey] = value; }

    /// <summary>The weight-decay factor (L2 penalty, or decoupled decay for AdamW).</summary>
    public double WeightDecay { get => Get(WeightDecayKey); set => _options[WeightDecayKey] = value; }

    /// <summary>Whether SGD uses Nesterov momentum.</summary>
    public bool Nesterov { get => Get(NesterovKey) != 0; set => _options[NesterovKey] = value ? 1 : 0; }

    /// <summary>The decay rate of the first-moment average (Adam, AdamW, NAdam, RAdam, Adamax; PyTorch's <c>betas[0]</c>).</summary>
    public double Beta1 { get => Get(Beta1Key); set => _options[Beta1Key] = value; }

    /// <summary>The decay rate of the second-moment average (Adam, AdamW, NAdam, RAdam; Adamax's infinity norm; PyTorch's <c>betas[1]</c>).</summary>
    public double Beta2 { get => Get(Beta2Key); set => _options[Beta2Key] = value; }

    /// <summary>The term added to the denominator for numerical stability.</summary>
    public double Eps { get => Get(EpsKey); set => _options[EpsKey] = value; }

    /// <summary>Whether Adam and AdamW use the AMSGrad variant.</summary>
    public bool AmsGrad { get => Get(AmsGradKey) != 0; set => _options[AmsGradKey] = value ? 1 : 0; }

    /// <summary>The smoothing constant of RMSprop's squared-gradient average.</summary>
    public double Alpha { get => Get(AlphaKey); set => _options[AlphaKey] = value; }

    /// <summary>Whether RMSprop normalises by the centred (variance) estimate.</summary>
    public bool Centered { get => Get(CenteredKey) != 0; set => _options[CenteredKey] = value ? 1 : 0; }

    /// <summary>The learning-rate decay of Adagrad.</summary>
    public double LrDecay { get => Get(LrDecayKey); set => _options[LrDecayKey] = value; }

    /// <summary>The starting value of Adagrad's sum of squared gradients.</summary>
    public double InitialAccumulatorValue
    {
        get => Get(InitialAccumulatorValueKey);
        set => _options[InitialAccumulatorValueKey] = value;
    }

    /// <summary>The decay of Adadelta's running averages.</summary>
    public double Rho { get => Get(RhoKey); set => _options[RhoKey] = value; }

    /// <summary>NAdam's momentum decay (PyTorch's <c>momentum_decay</c>, psi).</summary>
    public double MomentumDecay { get => Get(MomentumDecayKey); set => _options[MomentumDecayKey] = value; }

    /// <summary>Whether Adamax and Adadelta maximise the objective (step along the gradient).</summary>
    public bool Maximize { get => Get(MaximizeKey) != 0; set => _options[MaximizeKey] = value ? 1 : 0; }

    /// <summary>The most L-BFGS iterations per <see cref="Optimizer.Step(Func{Tensor})"/>.</summary>
    public int MaxIter { get => (int)Get(MaxIterKey); set => _options[MaxIterKey] = value; }

    /// <summary>The most closure evaluations per L-BFGS step (tested after each whole iteration).</summary>
    public int MaxEval { get => (int)Get(MaxEvalKey); set => _options[MaxEvalKey] = value; }

    /// <summary>L-BFGS stops when the largest absolute gradient element is at most this.</summary>
    public double ToleranceGrad { get => Get(ToleranceGradKey); set => _options[ToleranceGradKey] = value; }

    /// <summary>L-BFGS stops when the step, the loss change or the directional derivative is below this.</summary>
    public double ToleranceChange { get => Get(ToleranceChangeKey); set => _options[ToleranceChangeKey] = value; }

    /// <summary>The number of curvature pairs L-BFGS remembers.</summary>
    public int HistorySize { get => (int)Get(HistorySizeKey); set => _options[HistorySizeKey] = value; }

    /// <summary>L-BFGS's line search.</summary>
    public LineSearch LineSearchFn { get => (LineSearch)(int)Get(LineSearchFnKey); set => _options[LineSearchFnKey] = (int)value; }

    /// <summary>
    /// The learning rate schedulers start from (PyTorch's <c>initial_lr</c>): set by the first scheduler
    /// attached to the optimizer, null before that.
    /// </summary>
    public double? InitialLr
    {
        get => _options.TryGetValue(InitialLrKey, out double v) ? v : null;
        set
        {
            if (value is { } v) _options[InitialLrKey] = v;
            else _options.Remove(InitialLrKey);
        }
    }

    internal void SetDefault(string option, double value) => _options.TryAdd(option, value);

    private double Get(string option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (_options.TryGetValue(option, out double v)) return v;
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"ParamGroup: option '{option}' is not set in this group; it holds {(_options.Count == 0 ? "no options (give the group to an optimizer first)" : string.Join(", ", _options.Keys))}"));
    }
}
