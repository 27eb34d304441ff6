using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>Rectified Adam (PyTorch's <c>optim.RAdam</c>, Liu et al. 2019): plain momentum steps until the variance of the adaptive rate is tractable.</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c> and step <c>t</c> (1 on the first update), as PyTorch 1.13's
/// single-tensor implementation:</para>
/// <code>
/// g = g + weightDecay * p                        (only when weightDecay != 0: L2, as in PyTorch 1.13)
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// mHat = m / (1 - beta1^t)
/// rhoInf = 2 / (1 - beta2) - 1
/// rhoT   = rhoInf - 2 t beta2^t / (1 - beta2^t)
/// if rhoT > 5:  r = sqrt((rhoT - 4)(rhoT - 2) rhoInf / ((rhoInf - 4)(rhoInf - 2) rhoT))
///               p = p - mHat * lr * (sqrt(1 - beta2^t) / (sqrt(v) + eps)) * r      (eps outside the square root)
/// else:         p = p - mHat * lr                                                   (v is still updated)
/// </code>
/// <para>The branch depends only on <c>beta2</c> and <c>t</c>: no step before t = 6 is rectified, and with
/// <c>beta2 &lt;= 2/3</c> none is. PyTorch's documentation writes <c>sqrt((1 - beta2^t) / (v + eps))</c>; 1.13 computes
/// the form above.</para>
/// <para>State: <c>expAvg</c> (m), <c>expAvgSq</c> (v).</para>
/// </remarks>
public sealed class RAdam : Optimizer
{
    private const string ExpAvg = "expAvg";
    private const string ExpAvgSq = "expAvgSq";
    private static readonly string[] Buffers = [ExpAvg, ExpAvgSq];

    /// <summary>Creates RAdam over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate (>= 0).</param>
    /// <param name="beta1">The decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient (>= 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public RAdam(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay) { }

    /// <summary>Creates RAdam over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default learning rate (>= 0).</param>
    /// <param name="beta1">The default decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The default decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The default term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The default L2 penalty (>= 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public RAdam(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.Beta1Key] = beta1,
            [ParamGroup.Beta2Key] = beta2,
            [ParamGroup.EpsKey] = eps,
            [ParamGroup.WeightDecayKey] = weightDecay,
        })
    { }

    /// <inheritdoc/>
    protected override IReadOnlyCollection<string> BufferNames => Buffers;

    /// <summary>The rectification term r of step <paramref name="step"/>, or null when the step is a plain momentum step (rhoT &lt;= 5).</summary>
    internal static double? Rectification(double beta2, long step)
    {
        double t = step;
        double bc2 = 1 - Math.Pow(beta2, t);
        double rhoInf = 2 / (1 - beta2) - 1;
        double rhoT = rhoInf - 2 * t * Math.Pow(beta2, t) / bc2;
        if (!(rhoT > 5)) return null;
        return Math.Sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
    }

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(state);
        Tensor m = state.GetOrCreateBuffer(ExpAvg, parameter);
        Tensor v = state.GetOrCreateBuffer(ExpAvgSq, parameter);
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, m, v, state.Step, UpdateThreads);
        else Run<double>(group, parameter, gradient, m, v, state.Step, UpdateThreads);
        parameter.Storage.Version++;
        m.Storage.Version++;
        v.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor m, Tensor v, long step, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group, step);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, m, v, null, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _weightDecay, _bc1, _lr, _bc2Sqrt, _eps, _rect;
        private readonly bool _hasWeightDecay, _rectified;

        public Rule(ParamGroup group, long step)
        {
            double t = step;
            _beta1 = UpdateLoop.Scalar<T>(group.Beta1);
            _oneMinusBeta1 = UpdateLoop.Scalar<T>(1 - group.Beta1);
            _beta2 = UpdateLoop.Scalar<T>(group.Beta2);
            _oneMinusBeta2 = UpdateLoop.Scalar<T>(1 - group.Beta2);
            _weightDecay = UpdateLoop.Scalar<T>(group.WeightDecay);
            _bc1 = UpdateLoop.Scalar<T>(1 - Math.Pow(group.Beta1, t));
            _lr = UpdateLoop.Scalar<T>(group.Lr);
            _bc2Sqrt = UpdateLoop.Scalar<T>(Math.Sqrt(1 - Math.Pow(group.Beta2, t)));
            _eps = UpdateLoop.Scalar<T>(group.Eps);
            double? rect = Rectification(group.Beta2, step);
            _rect = UpdateLoop.Scalar<T>(rect ?? 0);
            _rectified = rect is not null;
            _hasWeightDecay = group.WeightDecay != 0;
        }

        /// <summary>expAvg and expAvgSq.</summary>
        public int Buffers => 0b011;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TL>(ref T pRef, ref T gRef, ref T mRef, ref T vRef, ref T s2, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i), g = TL.Load(ref gRef, i);
            if (_hasWeightDecay) g += TL.Splat(_weightDecay) * p;                                 // grad.add(p, alpha=wd)
            TL m = TL.Load(ref mRef, i) * TL.Splat(_beta1) + TL.Splat(_oneMinusBeta1) * g;        // exp_avg.mul_(b1).add_(g, alpha=1-b1)
            TL v = TL.Load(ref vRef, i) * TL.Splat(_beta2) + TL.Splat(_oneMinusBeta2) * g * g;    // exp_avg_sq.mul_(b2).addcmul_(g, g, value=1-b2)
            TL step = m / TL.Splat(_bc1) * TL.Splat(_lr);                                         // exp_avg / bc1 * lr
            if (_rectified)
                step = step * (TL.Splat(_bc2Sqrt) / (TL.Sqrt(v) + TL.Splat(_eps))) * TL.Splat(_rect); // * adaptive_lr * rect
            p -= step;                                                                            // p.add_(step, alpha=-1)
            TL.Store(m, ref mRef, i);
            TL.Store(v, ref vRef, i);
            TL.Store(p, ref pRef, i);
        }
    }
}
