using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay (PyTorch's <c>optim.SGD</c>).</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c>, as PyTorch 1.13's single-tensor implementation:</para>
/// <code>
/// d = g + weightDecay * p                      (only when weightDecay != 0)
/// if momentum != 0:
///     buf = d                                  (first step: no dampening)
///     buf = momentum * buf + (1 - dampening) * d   (later steps)
///     d = nesterov ? d + momentum * buf : buf
/// p = p - lr * d
/// </code>
/// <para>State: <c>momentumBuffer</c> (only when momentum != 0).</para>
/// </remarks>
public sealed class Sgd : Optimizer
{
    private const string MomentumBuffer = "momentumBuffer";
    private static readonly string[] Buffers = [MomentumBuffer];

    /// <summary>Creates SGD over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate (>= 0).</param>
    /// <param name="momentum">The momentum factor (>= 0; 0 disables momentum).</param>
    /// <param name="dampening">The dampening of the momentum update.</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient (>= 0).</param>
    /// <param name="nesterov">Use Nesterov momentum (needs momentum > 0 and dampening = 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Sgd(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : this([new ParamGroup(parameters)], lr, momentum, dampening, weightDecay, nesterov) { }

    /// <summary>Creates SGD over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default learning rate (>= 0).</param>
    /// <param name="momentum">The default momentum factor (>= 0; 0 disables momentum).</param>
    /// <param name="dampening">The default dampening of the momentum update.</param>
    /// <param name="weightDecay">The default L2 penalty (>= 0).</param>
    /// <param name="nesterov">Use Nesterov momentum by default (needs momentum > 0 and dampening = 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Sgd(IEnumerable<ParamGroup> paramGroups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.MomentumKey] = momentum,
            [ParamGroup.DampeningKey] = dampening,
            [ParamGroup.WeightDecayKey] = weightDecay,
            [ParamGroup.NesterovKey] = nesterov ? 1 : 0,
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
        double momentum = group.Momentum;
        Tensor? buffer = null;
        bool first = false;
        if (momentum != 0)
        {
            buffer = state.FindBuffer(MomentumBuffer);
            first = buffer is null;
            buffer ??= state.GetOrCreateBuffer(MomentumBuffer, parameter);
        }
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, buffer, first, UpdateThreads);
        else Run<double>(group, parameter, gradient, buffer, first, UpdateThreads);
        parameter.Storage.Version++;
        if (buffer is not null) buffer.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor? buffer, bool first, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group, first);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, buffer, null, null, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _negLr, _momentum, _oneMinusDampening, _weightDecay;
        private readonly bool _hasWeightDecay, _hasMomentum, _nesterov, _first;

        public Rule(ParamGroup group, bool first)
        {
            _negLr = UpdateLoop.Scalar<T>(-group.Lr);
            _momentum = UpdateLoop.Scalar<T>(group.Momentum);
            _oneMinusDampening = UpdateLoop.Scalar<T>(1 - group.Dampening);
            _weightDecay = UpdateLoop.Scalar<T>(group.WeightDecay);
            _hasWeightDecay = group.WeightDecay != 0;
            _hasMomentum = group.Momentum != 0;
            _nesterov = group.Nesterov;
            _first = first;
        }

        /// <summary>momentumBuffer, when there is momentum.</summary>
        public int Buffers => _hasMomentum ? 0b001 : 0;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TL>(ref T pRef, ref T gRef, ref T bufRef, ref T s1, ref T s2, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i);
            TL d = TL.Load(ref gRef, i);
            if (_hasWeightDecay) d += TL.Splat(_weightDecay) * p;                                   // d_p.add(p, alpha=wd)
            if (_hasMomentum)
            {
                TL buf = _first ? d : TL.Load(ref bufRef, i) * TL.Splat(_momentum) + TL.Splat(_oneMinusDampening) * d; // buf.mul_(m).add_(d_p, alpha=1-dampening)
                TL.Store(buf, ref bufRef, i);
                d = _nesterov ? d + TL.Splat(_momentum) * buf : buf;                                 // d_p.add(buf, alpha=m)
            }
            p += TL.Splat(_negLr) * d;                                                               // p.add_(d_p, alpha=-lr)
            TL.Store(p, ref pRef, i);
        }
    }
}
