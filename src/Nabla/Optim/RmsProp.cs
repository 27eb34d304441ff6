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
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(state);
        Tensor squareAvg = state.GetOrCreateBuffer(SquareAvg, parameter);
        Tensor? gradAvg = group.Centered ? state.GetOrCreateBuffer(GradAvg, parameter) : null;
        Tensor? buffer = group.Momentum > 0 ? state.GetOrCreateBuffer(MomentumBuffer, parameter) : null;
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, squareAvg, gradAvg, buffer);
        else Run<double>(group, parameter, gradient, squareAvg, gradAvg, buffer);
        parameter.Storage.Version++;
        squareAvg.Storage.Version++;
        if (gradAvg is not null) gradAvg.Storage.Version++;
        if (buffer is not null) buffer.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor squareAvg, Tensor? gradAvg, Tensor? buffer)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, squareAvg, gradAvg, buffer, Parallelism.MaxThreads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector<T> _negLr, _alpha, _oneMinusAlpha, _eps, _weightDecay, _momentum;
        private readonly bool _hasWeightDecay, _centered, _hasMomentum;

        public Rule(ParamGroup group)
        {
            _negLr = UpdateLoop.Splat<T>(-group.Lr);
            _alpha = UpdateLoop.Splat<T>(group.Alpha);
            _oneMinusAlpha = UpdateLoop.Splat<T>(1 - group.Alpha);
            _eps = UpdateLoop.Splat<T>(group.Eps);
            _weightDecay = UpdateLoop.Splat<T>(group.WeightDecay);
            _momentum = UpdateLoop.Splat<T>(group.Momentum);
            _hasWeightDecay = group.WeightDecay != 0;
            _centered = group.Centered;
            _hasMomentum = group.Momentum > 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector<T> p, Vector<T> g, ref Vector<T> sq, ref Vector<T> ga, ref Vector<T> buf)
        {
            if (_hasWeightDecay) g += _weightDecay * p;                       // grad.add(p, alpha=wd)
            sq = sq * _alpha + _oneMinusAlpha * g * g;                         // square_avg.mul_(a).addcmul_(g, g, value=1-a)
            Vector<T> avg;
            if (_centered)
            {
                ga = ga * _alpha + _oneMinusAlpha * g;                         // grad_avg.mul_(a).add_(g, alpha=1-a)
                avg = Vector.SquareRoot(sq - ga * ga);                         // square_avg.addcmul(ga, ga, value=-1).sqrt_()
            }
            else
            {
                avg = Vector.SquareRoot(sq);
            }
            avg += _eps;                                                       // avg.add_(eps)
            if (_hasMomentum)
            {
                buf = buf * _momentum + g / avg;                               // buf.mul_(m).addcdiv_(g, avg)
                p += _negLr * buf;                                             // p.add_(buf, alpha=-lr)
            }
            else
            {
                p += _negLr * g / avg;                                         // p.addcdiv_(g, avg, value=-lr)
            }
        }
    }
}
