using System.Globalization;
using System.Numerics.Tensors;

namespace Nabla.Optim;

/// <summary>
/// Limited-memory BFGS (PyTorch's <c>optim.LBFGS</c>, after minFunc): a quasi-Newton method that re-evaluates the loss
/// through a closure, several times per <see cref="Optimizer.Step(Func{Tensor})"/>.
/// </summary>
/// <remarks>
/// <para>All parameters form one vector x (flattened row-major and concatenated in order); there is one param group.
/// Each step follows PyTorch 1.13's <c>LBFGS.step</c>:</para>
/// <code>
/// f, g = closure();  if max|g| &lt;= toleranceGrad: return f        (converged: no iteration)
/// repeat up to maxIter times:
///     first iteration of the run: d = -g, empty memory, H = 1
///     later: y = g - gPrev, s = d t; if y.s > 1e-10 remember (y, s, 1/y.s), dropping the oldest beyond historySize,
///            and H = y.s / y.y; d = the two-loop recursion's -H g
///     t = min(1, 1 / sum|g|) lr on the run's first iteration, else lr
///     if g.d > -toleranceChange: stop (not a descent direction; x unchanged)
///     strong Wolfe: f, g, t = line search from t; x = x + t d
///     none:         x = x + t d; f, g = closure() unless this is the last iteration
///     stop after maxIter iterations, when evaluations reach maxEval (tested after an iteration), when max|g| &lt;=
///     toleranceGrad, when max|d t| &lt;= toleranceChange, or when |f - fPrev| &lt; toleranceChange
/// return the loss of the step's first evaluation
/// </code>
/// <para>The direction, the memory and the iteration count persist across steps. Unlike PyTorch, the direction and
/// memory are kept in float64 whatever the parameters' dtype. Parameters without a gradient count as zero gradient.
/// <see cref="Optimizer.Step()"/> without a closure is an error.</para>
/// <code>
/// var lbfgs = new Lbfgs(model.Parameters(), lr: 1, lineSearchFn: LineSearch.StrongWolfe);
/// Tensor loss = lbfgs.Step(() => { lbfgs.ZeroGrad(); Tensor l = lossOf(model); l.Backward(); return l; });
/// </code>
/// </remarks>
public sealed class Lbfgs : Optimizer
{
    private readonly LbfgsHistory _history = new();

    /// <summary>Creates L-BFGS over <paramref name="parameters"/> (one param group).</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate: the step along the direction, or the line search's first trial (>= 0).</param>
    /// <param name="maxIter">The most iterations per step (>= 1).</param>
    /// <param name="maxEval">The most closure evaluations per step, tested after each iteration (>= 1); null means
    /// <c>maxIter * 5 / 4</c> in integer arithmetic, PyTorch's default.</param>
    /// <param name="toleranceGrad">Stop when the largest absolute gradient element is at most this (>= 0).</param>
    /// <param name="toleranceChange">Stop when the step, the loss change or the directional derivative is below this (>= 0).</param>
    /// <param name="historySize">The number of curvature pairs remembered (>= 1).</param>
    /// <param name="lineSearchFn">The line search: none (a fixed step) or strong Wolfe.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Lbfgs(IEnumerable<Tensor> parameters, double lr = 1, int maxIter = 20, int? maxEval = null, double toleranceGrad = 1e-7,
        double toleranceChange = 1e-9, int historySize = 100, LineSearch lineSearchFn = LineSearch.None)
        : base([new ParamGroup(parameters)], new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.MaxIterKey] = maxIter,
            [ParamGroup.MaxEvalKey] = maxEval ?? Math.Min((long)maxIter * 5 / 4, int.MaxValue),
            [ParamGroup.ToleranceGradKey] = toleranceGrad,
            [ParamGroup.ToleranceChangeKey] = toleranceChange,
            [ParamGroup.HistorySizeKey] = historySize,
            [ParamGroup.LineSearchFnKey] = (int)lineSearchFn,
        })
    { }

    /// <summary>The number of closure evaluations since construction (PyTorch's <c>state["func_evals"]</c>).</summary>
    public long FuncEvals => _history.FuncEvals;

    /// <summary>The number of iterations since construction (PyTorch's <c>state["n_iter"]</c>).</summary>
    public long NIter => _history.NIter;

    /// <summary>The number of closure evaluations of the last <see cref="Optimizer.Step(Func{Tensor})"/>.</summary>
    public int LastStepEvals { get; private set; }

    /// <summary>The number of iterations of the last <see cref="Optimizer.Step(Func{Tensor})"/> (0 when it returned at once).</summary>
    public int LastStepIters { get; private set; }

    /// <inheritdoc/>
    protected override int? MaxParamGroups => 1;

    /// <summary>L-BFGS re-evaluates the loss: <see cref="Optimizer.Step()"/> without a closure is refused.</summary>
    /// <exception cref="InvalidOperationException">Always.</exception>
    protected override void StepCore()
        => throw new InvalidOperationException($"{Name}: Step() needs a closure that zeroes the gradients, computes the loss, calls Backward and returns the loss; call Step(closure), as PyTorch's LBFGS.step(closure)");

    /// <summary>One L-BFGS step (see the remarks of <see cref="Lbfgs"/>).</summary>
    /// <returns>The loss of the step's first closure evaluation (at the parameters before the step).</returns>
    /// <exception cref="InvalidOperationException">The closure returns no one-element loss, a parameter is not contiguous, or a gradient does not match its parameter.</exception>
    protected override Tensor StepCore(Func<Tensor> closure)
    {
        ArgumentNullException.ThrowIfNull(closure);
        ParamGroup group = ParamGroups[0];
        double lr = group.Lr, tolGrad = group.ToleranceGrad, tolChange = group.ToleranceChange;
        int maxIter = group.MaxIter, maxEval = group.MaxEval, historySize = group.HistorySize;
        bool strongWolfe = group.LineSearchFn == LineSearch.StrongWolfe;
        var flat = new FlatParameters(this, group);
        LbfgsHistory h = _history;
        LastStepEvals = 0;
        LastStepIters = 0;

        Tensor origLoss = Evaluate(closure);
        double loss = origLoss.Item();
        int currentEvals = 1;
        h.FuncEvals++;
        double[] g = flat.Gradient();
        if (StrongWolfe.MaxAbs(g) <= tolGrad) return Done(origLoss, currentEvals, 0);

        int n = 0;
        while (n < maxIter)
        {
            n++;
            h.NIter++;
            if (h.NIter == 1) h.Start(g);
            else h.UpdateDirection(g, historySize);
            h.PrevGrad = (double[])g.Clone();
            h.PrevLoss = loss;
            h.T = h.NIter == 1 ? Math.Min(1.0, 1.0 / TensorPrimitives.SumOfMagnitudes<double>(g)) * lr : lr;
            double[] d = h.D!;
            double gtd = TensorPrimitives.Dot<double>(g, d);
            if (gtd > -tolChange) break;

            int lsEvals = 0;
            bool opt = false;
            if (strongWolfe)
            {
                Tensor[] x = flat.Clone();
                (loss, g, h.T, lsEvals) = StrongWolfe.Search(step =>
                {
                    flat.Add(step, d);
                    double f = Evaluate(closure).Item();
                    double[] grad = flat.Gradient();
                    flat.Restore(x);
                    return (f, grad);
                }, h.T, d, loss, g, gtd);
                flat.Add(h.T, d);
                opt = StrongWolfe.MaxAbs(g) <= tolGrad;
            }
            else
            {
                flat.Add(h.T, d);
                if (n != maxIter)
                {
                    loss = Evaluate(closure).Item();
                    g = flat.Gradient();
                    opt = StrongWolfe.MaxAbs(g) <= tolGrad;
                    lsEvals = 1;
                }
            }
            currentEvals += lsEvals;
            h.FuncEvals += lsEvals;

            if (n == maxIter || currentEvals >= maxEval || opt) break;
            if (MaxAbsScaled(d, h.T) <= tolChange) break;
            if (Math.Abs(loss - h.PrevLoss) < tolChange) break;
        }
        return Done(origLoss, currentEvals, n);
    }

    private Tensor Done(Tensor loss, int evals, int iters)
    {
        LastStepEvals = evals;
        LastStepIters = iters;
        return loss;
    }

    /// <summary>Calls the closure with gradients enabled and checks that it returned a loss.</summary>
    private Tensor Evaluate(Func<Tensor> closure)
    {
        Tensor loss;
        using (Autograd.EnableGrad()) loss = closure();
        if (loss is null || loss.Numel != 1)
            throw new InvalidOperationException($"{Name}: the closure returned {(loss is null ? "null" : $"a tensor of shape {loss.Shape}")}; expected the loss, a tensor with one element");
        return loss;
    }

    /// <summary>max |d_i * t|: PyTorch's <c>d.mul(t).abs().max()</c>.</summary>
    private static double MaxAbsScaled(double[] d, double t)
    {
        double max = 0;
        foreach (double v in d)
        {
            double a = Math.Abs(v * t);
            if (a > max || double.IsNaN(a)) max = a;
        }
        return max;
    }

    /// <inheritdoc/>
    /// <remarks>Besides the group options, the state holds L-BFGS's run state of parameter 0, as PyTorch does (vectors as
    /// float64 tensors of the total parameter count): numbers <c>state.0.funcEvals</c>, <c>state.0.nIter</c>, and after the
    /// first iteration <c>state.0.t</c>, <c>state.0.hDiag</c>, <c>state.0.prevLoss</c>, <c>state.0.ro.{k}</c>; tensors
    /// <c>state.0.d</c>, <c>state.0.prevFlatGrad</c>, <c>state.0.oldDirs.{k}</c>, <c>state.0.oldStps.{k}</c>.</remarks>
    public override OptimizerState StateDict()
    {
        OptimizerState state = base.StateDict();
        _history.Save(state);
        return state;
    }

    /// <inheritdoc/>
    public override void LoadStateDict(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var rest = new OptimizerState();
        var own = new OptimizerState();
        foreach (var (key, value) in state.Scalars) (key.StartsWith(LbfgsHistory.Prefix, StringComparison.Ordinal) ? own : rest).Scalars[key] = value;
        foreach (var (key, value) in state.Tensors) (key.StartsWith(LbfgsHistory.Prefix, StringComparison.Ordinal) ? own : rest).Tensors[key] = value;
        int historySize = state.Scalars.TryGetValue("paramGroups.0." + ParamGroup.HistorySizeKey, out double hs) && hs >= 1 && hs <= int.MaxValue
            ? (int)hs : ParamGroups[0].HistorySize;
        LbfgsHistory loaded = LbfgsHistory.Load(own, FlatParameters.Count(ParamGroups[0]), historySize, $"{Name}.LoadStateDict");
        base.LoadStateDict(rest);
        _history.CopyFrom(loaded);
    }

    /// <summary>The parameters of the group seen as one flat vector.</summary>
    private sealed class FlatParameters
    {
        private readonly Lbfgs _owner;
        private readonly IReadOnlyList<Tensor> _params;
        private readonly int _count;

        public FlatParameters(Lbfgs owner, ParamGroup group)
        {
            _owner = owner;
            _params = group.Params;
            for (int i = 0; i < _params.Count; i++)
                if (!_params[i].IsContiguous)
                    throw new InvalidOperationException($"{owner.Name}: parameter {i} (shape {_params[i].Shape}) is not contiguous; L-BFGS updates parameters in place through their storage, so pass contiguous leaves (e.g. t.Contiguous().Detach())");
            _count = Count(group);
        }

        /// <summary>The total number of elements of the group's parameters.</summary>
        public static int Count(ParamGroup group)
        {
            long count = 0;
            foreach (Tensor p in group.Params) count += p.Numel;
            return count <= Array.MaxLength ? (int)count
                : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Lbfgs: the parameters have {count} elements in all; L-BFGS holds them in one vector of at most {Array.MaxLength}"));
        }

        /// <summary>The flat gradient in float64 (zeros for a parameter without a gradient).</summary>
        public double[] Gradient()
        {
            var flat = new double[_count];
            int offset = 0;
            for (int i = 0; i < _params.Count; i++)
            {
                Tensor p = _params[i];
                int n = (int)p.Numel;
                if (p.Grad is { } grad)
                {
                    Tensor g = _owner.CheckedGradient(p, grad, 0, i);
                    Span<double> into = flat.AsSpan(offset, n);
                    if (g.DType == DType.Float32) TensorPrimitives.ConvertChecked<float, double>(g.Span<float>(), into);
                    else g.Span<double>().CopyTo(into);
                }
                offset += n;
            }
            return flat;
        }

        /// <summary>x = x + step * d, in each parameter's dtype.</summary>
        public void Add(double step, double[] d)
        {
            using var _ = Autograd.NoGrad();
            int offset = 0;
            foreach (Tensor p in _params)
            {
                int n = (int)p.Numel;
                if (p.DType == DType.Float32)
                {
                    Span<float> s = p.Span<float>();
                    for (int i = 0; i < n; i++) s[i] = (float)(s[i] + step * d[offset + i]);
                }
                else
                {
                    Span<double> s = p.Span<double>();
                    for (int i = 0; i < n; i++) s[i] += step * d[offset + i];
                }
                p.Storage.Version++;
                offset += n;
            }
        }

        public Tensor[] Clone()
        {
            using var _ = Autograd.NoGrad();
            return [.. _params.Select(p => p.Detach().Clone())];
        }

        public void Restore(Tensor[] x)
        {
            using var _ = Autograd.NoGrad();
            for (int i = 0; i < _params.Count; i++) _params[i].CopyFrom(x[i]);
        }
    }
}
