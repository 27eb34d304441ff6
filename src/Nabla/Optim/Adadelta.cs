using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>Adadelta (PyTorch's <c>optim.Adadelta</c>, Zeiler 2012): steps scaled by the ratio of running RMS of updates and gradients.</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c>, as PyTorch 1.13's single-tensor implementation:</para>
/// <code>
/// g = -g                                         (only when maximize)
/// g = g + weightDecay * p                        (only when weightDecay != 0: L2)
/// v = rho * v + (1 - rho) * g * g
/// delta = sqrt(u + eps) / sqrt(v + eps) * g      (u before its update)
/// u = rho * u + (1 - rho) * delta * delta
/// p = p - lr * delta
/// </code>
/// <para><c>eps</c> is inside both square roots; since <c>u</c> starts at 0, the first updates are of order
/// <c>lr * sqrt(eps / (1 - rho))</c> per element (hence PyTorch's default <c>lr = 1</c>).</para>
/// <para>State: <c>squareAvg</c> (v), <c>accDelta</c> (u).</para>
/// </remarks>
public sealed class Adadelta : Optimizer
{
    private const string SquareAvg = "squareAvg";
    private const string AccDelta = "accDelta";
    private static readonly string[] Buffers = [SquareAvg, AccDelta];

    /// <summary>Creates Adadelta over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The factor the update is scaled by before it is applied (>= 0).</param>
    /// <param name="rho">The decay of the running averages, in [0, 1].</param>
    /// <param name="eps">The term added inside both square roots (>= 0).</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient (>= 0).</param>
    /// <param name="maximize">Maximise the objective instead of minimising it.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Adadelta(IEnumerable<Tensor> parameters, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0, bool maximize = false)
        : this([new ParamGroup(parameters)], lr, rho, eps, weightDecay, maximize) { }

    /// <summary>Creates Adadelta over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default scale of the update (>= 0).</param>
    /// <param name="rho">The default decay of the running averages, in [0, 1].</param>
    /// <param name="eps">The default term added inside the square roots (>= 0).</param>
    /// <param name="weightDecay">The default L2 penalty (>= 0).</param>
    /// <param name="maximize">Maximise the objective by default.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Adadelta(IEnumerable<ParamGroup> paramGroups, double lr = 1.0, double rho = 0.9, double eps = 1e-6, double weightDecay = 0, bool maximize = false)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.RhoKey] = rho,
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
        Tensor v = state.GetOrCreateBuffer(SquareAvg, parameter);
        Tensor u = state.GetOrCreateBuffer(AccDelta, parameter);
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, v, u, UpdateThreads);
        else Run<double>(group, parameter, gradient, v, u, UpdateThreads);
        parameter.Storage.Version++;
        v.Storage.Version++;
        u.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor v, Tensor u, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, v, u, null, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _rho, _oneMinusRho, _eps, _weightDecay, _negLr;
        private readonly bool _hasWeightDecay, _maximize;

        public Rule(ParamGroup group)
        {
            _rho = UpdateLoop.Scalar<T>(group.Rho);
            _oneMinusRho = UpdateLoop.Scalar<T>(1 - group.Rho);
            _eps = UpdateLoop.Scalar<T>(group.Eps);
            _weightDecay = UpdateLoop.Scalar<T>(group.WeightDecay);
            _negLr = UpdateLoop.Scalar<T>(-group.Lr);
            _hasWeightDecay = group.WeightDecay != 0;
            _maximize = group.Maximize;
        }

        /// <summary>squareAvg and accDelta.</summary>
        public int Buffers => 0b011;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TL>(ref T pRef, ref T gRef, ref T vRef, ref T uRef, ref T s2, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i), g = TL.Load(ref gRef, i);
            if (_maximize) g = TL.Splat(T.Zero) - g;                                             // -grad
            if (_hasWeightDecay) g += TL.Splat(_weightDecay) * p;                                // grad.add(p, alpha=wd)
            TL v = TL.Load(ref vRef, i) * TL.Splat(_rho) + TL.Splat(_oneMinusRho) * g * g;       // square_avg.mul_(rho).addcmul_(g, g, value=1-rho)
            TL u = TL.Load(ref uRef, i);
            TL delta = TL.Sqrt(u + TL.Splat(_eps)) / TL.Sqrt(v + TL.Splat(_eps)) * g;            // acc_delta.add(eps).sqrt_().div_(std).mul_(g)
            u = u * TL.Splat(_rho) + TL.Splat(_oneMinusRho) * delta * delta;                     // acc_delta.mul_(rho).addcmul_(delta, delta, value=1-rho)
            p += TL.Splat(_negLr) * delta;                                                       // p.add_(delta, alpha=-lr)
            TL.Store(v, ref vRef, i);
            TL.Store(u, ref uRef, i);
            TL.Store(p, ref pRef, i);
        }
    }
}
