using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>Adam with Nesterov momentum and a momentum schedule (PyTorch's <c>optim.NAdam</c>, Dozat 2016).</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c> and step <c>t</c> (1 on the first update), with
/// <c>psi = momentumDecay</c> and the running product <c>P</c> starting at 1:</para>
/// <code>
/// g = g + weightDecay * p                        (only when weightDecay != 0: L2, as in PyTorch 1.13)
/// mu     = beta1 * (1 - 0.5 * 0.96^(t * psi))
/// muNext = beta1 * (1 - 0.5 * 0.96^((t + 1) * psi))
/// P = P * mu                                     (= mu_1 * ... * mu_t)
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// denom = sqrt(v) / sqrt(1 - beta2^t) + eps
/// p = p - lr * (1 - mu) / (1 - P) * g / denom
/// p = p - lr * muNext / (1 - P * muNext) * m / denom
/// </code>
/// <para>This is the paper's rule, PyTorch's documented one and what PyTorch 1.13's <c>foreach</c> path and PyTorch 2
/// compute; 1.13's single-tensor path multiplies <c>mu</c> into the second product twice, a bug fixed in 2.0.
/// PyTorch 1.13 has no decoupled weight decay for NAdam. With <c>momentumDecay = 0</c>, <c>mu = muNext = beta1 / 2</c>.</para>
/// <para>State: <c>expAvg</c> (m), <c>expAvgSq</c> (v) and the number <c>muProduct</c> (P).</para>
/// </remarks>
public sealed class NAdam : Optimizer
{
    private const string ExpAvg = "expAvg";
    private const string ExpAvgSq = "expAvgSq";
    private const string MuProduct = "muProduct";
    private static readonly string[] Buffers = [ExpAvg, ExpAvgSq];
    private static readonly string[] Scalars = [MuProduct];

    /// <summary>Creates NAdam over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate (>= 0).</param>
    /// <param name="beta1">The decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient (>= 0).</param>
    /// <param name="momentumDecay">The momentum decay psi (>= 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public NAdam(IEnumerable<Tensor> parameters, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, double momentumDecay = 4e-3)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, momentumDecay) { }

    /// <summary>Creates NAdam over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default learning rate (>= 0).</param>
    /// <param name="beta1">The default decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The default decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The default term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The default L2 penalty (>= 0).</param>
    /// <param name="momentumDecay">The default momentum decay (>= 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public NAdam(IEnumerable<ParamGroup> paramGroups, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, double momentumDecay = 4e-3)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.Beta1Key] = beta1,
            [ParamGroup.Beta2Key] = beta2,
            [ParamGroup.EpsKey] = eps,
            [ParamGroup.WeightDecayKey] = weightDecay,
            [ParamGroup.MomentumDecayKey] = momentumDecay,
        })
    { }

    /// <inheritdoc/>
    protected override IReadOnlyCollection<string> BufferNames => Buffers;

    /// <inheritdoc/>
    protected override IReadOnlyCollection<string> ScalarNames => Scalars;

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(state);
        Tensor m = state.GetOrCreateBuffer(ExpAvg, parameter);
        Tensor v = state.GetOrCreateBuffer(ExpAvgSq, parameter);
        double t = state.Step, beta1 = group.Beta1, psi = group.MomentumDecay;
        double mu = beta1 * (1.0 - 0.5 * Math.Pow(0.96, t * psi));
        double muNext = beta1 * (1.0 - 0.5 * Math.Pow(0.96, (t + 1) * psi));
        double muProduct = state.GetScalar(MuProduct, 1.0) * mu;
        state.SetScalar(MuProduct, muProduct);
        var steps = new Steps(
            Grad: -(group.Lr * (1.0 - mu) / (1.0 - muProduct)),
            Avg: -(group.Lr * muNext / (1.0 - muProduct * muNext)),
            Bc2Sqrt: Math.Sqrt(1 - Math.Pow(group.Beta2, t)));
        if (parameter.DType == DType.Float32) Run<float>(group, steps, parameter, gradient, m, v, UpdateThreads);
        else Run<double>(group, steps, parameter, gradient, m, v, UpdateThreads);
        parameter.Storage.Version++;
        m.Storage.Version++;
        v.Storage.Version++;
    }

    /// <summary>The step's scalars: the (negative) step sizes of the gradient and the average, and sqrt(1 - beta2^t).</summary>
    private readonly record struct Steps(double Grad, double Avg, double Bc2Sqrt);

    private static void Run<T>(ParamGroup group, Steps steps, Tensor parameter, Tensor gradient, Tensor m, Tensor v, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group, steps);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, m, v, null, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2, _weightDecay, _gradStep, _avgStep, _bc2Sqrt, _eps;
        private readonly bool _hasWeightDecay;

        public Rule(ParamGroup group, Steps steps)
        {
            _beta1 = UpdateLoop.Scalar<T>(group.Beta1);
            _oneMinusBeta1 = UpdateLoop.Scalar<T>(1 - group.Beta1);
            _beta2 = UpdateLoop.Scalar<T>(group.Beta2);
            _oneMinusBeta2 = UpdateLoop.Scalar<T>(1 - group.Beta2);
            _weightDecay = UpdateLoop.Scalar<T>(group.WeightDecay);
            _gradStep = UpdateLoop.Scalar<T>(steps.Grad);
            _avgStep = UpdateLoop.Scalar<T>(steps.Avg);
            _bc2Sqrt = UpdateLoop.Scalar<T>(steps.Bc2Sqrt);
            _eps = UpdateLoop.Scalar<T>(group.Eps);
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
            TL denom = TL.Sqrt(v) / TL.Splat(_bc2Sqrt) + TL.Splat(_eps);                          // sqrt(v) / sqrt(bc2) + eps
            p += TL.Splat(_gradStep) * g / denom;                                                 // p.addcdiv_(g, denom, step_size_grads)
            p += TL.Splat(_avgStep) * m / denom;                                                  // p.addcdiv_(m, denom, step_size_expavg)
            TL.Store(m, ref mRef, i);
            TL.Store(v, ref vRef, i);
            TL.Store(p, ref pRef, i);
        }
    }
}
