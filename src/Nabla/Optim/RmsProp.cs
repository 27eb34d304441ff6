using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>RMSprop with optional momentum, centring and L2 weight decay (PyTorch's <c>optim.RMSprop</c>).</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c>, as PyTorch 1.13's single-tensor implementation:</para>
/// <code>
/// g = g + weightDecay * p                        (only when weightDecay != 0)
/// sq = alpha * sq + (1 - alpha) * g * g
/// if centered: ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga * ga) + eps
/// else:        avg = sqrt(sq) + eps              (eps outside the square root)
/// if momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf
/// else:            p = p - lr * g / avg
/// </code>
/// <para>State: <c>squareAvg</c> (sq), <c>gradAvg</c> (ga, when centred), <c>momentumBuffer</c> (when momentum > 0).</para>
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private const string SquareAvg = "squareAvg";
    private const string GradAvg = "gradAvg";
    private const string MomentumBuffer = "momentumBuffer";
    private static readonly string[] Buffers = [SquareAvg, GradAvg, MomentumBuffer];

    /// <summary>Creates RMSprop over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate (>= 0).</param>
    /// <param name="alpha">The smoothing constant of the squared-gradient average (>= 0).</param>
    /// <param name="eps">The term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient (>= 0).</param>
    /// <param name="momentum">The momentum factor (>= 0; 0 disables momentum).</param>
    /// <param name="centered">Normalise by the estimated variance of the gradient instead of its raw second moment.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public RmsProp(IEnumerable<Tensor> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : this([new ParamGroup(parameters)], lr, alpha, eps, weightDecay, momentum, centered) { }

    /// <summary>Creates RMSprop over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default learning rate (>= 0).</param>
    /// <param name="alpha">The default smoothing constant (>= 0).</param>
    /// <param name="eps">The default term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The default L2 penalty (>= 0).</param>
    /// <param name="momentum">The default momentum factor (>= 0).</param>
    /// <param name="centered">Use the centred variant by default.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public RmsProp(IEnumerable<ParamGroup> paramGroups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.AlphaKey] = alpha,
            [ParamGroup.EpsKey] = eps,
            [ParamGroup.WeightDecayKey] = weightDecay,
            [ParamGroup.MomentumKey] = momentum,
            [ParamGroup.CenteredKey] = centered ? 1 : 0,
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
        Tensor squareAvg = state.GetOrCreateBuffer(SquareAvg, parameter);
        Tensor? gradAvg = group.Centered ? state.GetOrCreateBuffer(GradAvg, parameter) : null;
        Tensor? buffer = group.Momentum > 0 ? state.GetOrCreateBuffer(MomentumBuffer, parameter) : null;
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, squareAvg, gradAvg, buffer, UpdateThreads);
        else Run<double>(group, parameter, gradient, squareAvg, gradAvg, buffer, UpdateThreads);
        parameter.Storage.Version++;
        squareAvg.Storage.Version++;
        if (gradAvg is not null) gradAvg.Storage.Version++;
        if (buffer is not null) buffer.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor squareAvg, Tensor? gradAvg, Tensor? buffer, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, squareAvg, gradAvg, buffer, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _negLr, _alpha, _oneMinusAlpha, _eps, _weightDecay, _momentum;
        private readonly bool _hasWeightDecay, _centered, _hasMomentum;

        public Rule(ParamGroup group)
        {
            _negLr = UpdateLoop.Scalar<T>(-group.Lr);
            _alpha = UpdateLoop.Scalar<T>(group.Alpha);
            _oneMinusAlpha = UpdateLoop.Scalar<T>(1 - group.Alpha);
            _eps = UpdateLoop.Scalar<T>(group.Eps);
            _weightDecay = UpdateLoop.Scalar<T>(group.WeightDecay);
            _momentum = UpdateLoop.Scalar<T>(group.Momentum);
            _hasWeightDecay = group.WeightDecay != 0;
            _centered = group.Centered;
            _hasMomentum = group.Momentum > 0;
        }

        /// <summary>squareAvg, gradAvg (when centred) and momentumBuffer (when there is momentum).</summary>
        public int Buffers => 0b001 | (_centered ? 0b010 : 0) | (_hasMomentum ? 0b100 : 0);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TL>(ref T pRef, ref T gRef, ref T sqRef, ref T gaRef, ref T bufRef, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i), g = TL.Load(ref gRef, i);
            if (_hasWeightDecay) g += TL.Splat(_weightDecay) * p;                                    // grad.add(p, alpha=wd)
            TL sq = TL.Load(ref sqRef, i) * TL.Splat(_alpha) + TL.Splat(_oneMinusAlpha) * g * g;      // square_avg.mul_(a).addcmul_(g, g, value=1-a)
            TL.Store(sq, ref sqRef, i);
            TL avg;
            if (_centered)
            {
                TL ga = TL.Load(ref gaRef, i) * TL.Splat(_alpha) + TL.Splat(_oneMinusAlpha) * g;      // grad_avg.mul_(a).add_(g, alpha=1-a)
                TL.Store(ga, ref gaRef, i);
                avg = TL.Sqrt(sq - ga * ga);                                                          // square_avg.addcmul(ga, ga, value=-1).sqrt_()
            }
            else
            {
                avg = TL.Sqrt(sq);
            }
            avg += TL.Splat(_eps);                                                                    // avg.add_(eps)
            if (_hasMomentum)
            {
                TL buf = TL.Load(ref bufRef, i) * TL.Splat(_momentum) + g / avg;                      // buf.mul_(m).addcdiv_(g, avg)
                TL.Store(buf, ref bufRef, i);
                p += TL.Splat(_negLr) * buf;                                                          // p.add_(buf, alpha=-lr)
            }
            else
            {
                p += TL.Splat(_negLr) * g / avg;                                                      // p.addcdiv_(g, avg, value=-lr)
            }
            TL.Store(p, ref pRef, i);
        }
    }
}
