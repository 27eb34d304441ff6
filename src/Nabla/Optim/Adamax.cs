using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>Adam with the infinity norm in place of the second moment (PyTorch's <c>optim.Adamax</c>, Kingma and Ba).</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c> and step <c>t</c> (1 on the first update), as PyTorch 1.13's
/// single-tensor implementation:</para>
/// <code>
/// g = -g                                         (only when maximize)
/// g = g + weightDecay * p                        (only when weightDecay != 0: L2)
/// m = beta1 * m + (1 - beta1) * g
/// u = max(beta2 * u, |g| + eps)                  (elementwise; eps inside the max, not in a denominator)
/// p = p - (lr / (1 - beta1^t)) * m / u
/// </code>
/// <para>State: <c>expAvg</c> (m), <c>expInf</c> (u).</para>
/// </remarks>
public sealed class Adamax : Optimizer
{
    private const string ExpAvg = "expAvg";
    private const string ExpInf = "expInf";
    private static readonly string[] Buffers = [ExpAvg, ExpInf];

    /// <summary>Creates Adamax over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate (>= 0).</param>
    /// <param name="beta1">The decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay of the infinity norm, in [0, 1).</param>
    /// <param name="eps">The term added to |g| inside the maximum (>= 0).</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient (>= 0).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Adamax(IEnumerable<Tensor> parameters, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, maximize) { }

    /// <summary>Creates Adamax over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default learning rate (>= 0).</param>
    /// <param name="beta1">The default decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The default decay of the infinity norm, in [0, 1).</param>
    /// <param name="eps">The default term added to |g| (>= 0).</param>
    /// <param name="weightDecay">The default L2 penalty (>= 0).</param>
    /// <param name="maximize">Maximise the objective by default.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Adamax(IEnumerable<ParamGroup> paramGroups, double lr = 2e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0, bool maximize = false)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.Beta1Key] = beta1,
            [ParamGroup.Beta2Key] = beta2,
            [ParamGroup.EpsKey] = eps,
            [ParamGroup.WeightDecayKey] = weightDecay,
            [ParamGroup.MaximizeKey] = maximize ? 1 : 0,
        })
    { }

    /// <inheritdoc/>
    protected override IReadOnlyCollection<string> BufferNames => Buffers;

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(state);
        Tensor m = state.GetOrCreateBuffer(ExpAvg, parameter);
        Tensor u = state.GetOrCreateBuffer(ExpInf, parameter);
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, m, u, state.Step, UpdateThreads);
        else Run<double>(group, parameter, gradient, m, u, state.Step, UpdateThreads);
        parameter.Storage.Version++;
        m.Storage.Version++;
        u.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor m, Tensor u, long step, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group, step);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, m, u, null, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _beta1, _oneMinusBeta1, _beta2, _weightDecay, _eps, _negClr;
        private readonly bool _hasWeightDecay, _maximize;

        public Rule(ParamGroup group, long step)
        {
            _beta1 = UpdateLoop.Scalar<T>(group.Beta1);
            _oneMinusBeta1 = UpdateLoop.Scalar<T>(1 - group.Beta1);
            _beta2 = UpdateLoop.Scalar<T>(group.Beta2);
            _weightDecay = UpdateLoop.Scalar<T>(group.WeightDecay);
            _eps = UpdateLoop.Scalar<T>(group.Eps);
            _negClr = UpdateLoop.Scalar<T>(-(group.Lr / (1 - Math.Pow(group.Beta1, step))));
            _hasWeightDecay = group.WeightDecay != 0;
            _maximize = group.Maximize;
        }

        /// <summary>expAvg and expInf.</summary>
        public int Buffers => 0b011;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TL>(ref T pRef, ref T gRef, ref T mRef, ref T uRef, ref T s2, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i), g = TL.Load(ref gRef, i);
            if (_maximize) g = TL.Splat(T.Zero) - g;                                              // -grad
            if (_hasWeightDecay) g += TL.Splat(_weightDecay) * p;                                 // grad.add(p, alpha=wd)
            TL m = TL.Load(ref mRef, i) * TL.Splat(_beta1) + TL.Splat(_oneMinusBeta1) * g;        // exp_avg.mul_(b1).add_(g, alpha=1-b1)
            TL u = TL.Max(TL.Load(ref uRef, i) * TL.Splat(_beta2), TL.Abs(g) + TL.Splat(_eps));  // amax(exp_inf*b2, |g|+eps)
            p += TL.Splat(_negClr) * m / u;                                                       // p.addcdiv_(m, u, value=-clr)
            TL.Store(m, ref mRef, i);
            TL.Store(u, ref uRef, i);
            TL.Store(p, ref pRef, i);
        }
    }
}
