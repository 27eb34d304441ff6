using System.Numerics;
using System.Runtime.CompilerServices;

namespace Nabla.Optim;

/// <summary>Adagrad with optional learning-rate decay and L2 weight decay (PyTorch's <c>optim.Adagrad</c>).</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c> and step <c>t</c> (1 on the first update), as PyTorch 1.13's
/// single-tensor implementation:</para>
/// <code>
/// g = g + weightDecay * p                        (only when weightDecay != 0)
/// clr = lr / (1 + (t - 1) * lrDecay)
/// sum = sum + g * g                              (sum starts at initialAccumulatorValue)
/// p = p - clr * g / (sqrt(sum) + eps)
/// </code>
/// <para>State: <c>sum</c>.</para>
/// </remarks>
public sealed class Adagrad : Optimizer
{
    private const string Sum = "sum";
    private static readonly string[] Buffers = [Sum];

    /// <summary>Creates Adagrad over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate (>= 0).</param>
    /// <param name="lrDecay">The learning-rate decay per step (>= 0).</param>
    /// <param name="weightDecay">The L2 penalty added to the gradient (>= 0).</param>
    /// <param name="initialAccumulatorValue">The starting value of the sum of squared gradients (>= 0).</param>
    /// <param name="eps">The term added to the denominator (>= 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Adagrad(IEnumerable<Tensor> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : this([new ParamGroup(parameters)], lr, lrDecay, weightDecay, initialAccumulatorValue, eps) { }

    /// <summary>Creates Adagrad over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default learning rate (>= 0).</param>
    /// <param name="lrDecay">The default learning-rate decay (>= 0).</param>
    /// <param name="weightDecay">The default L2 penalty (>= 0).</param>
    /// <param name="initialAccumulatorValue">The default starting value of the sum of squared gradients (>= 0).</param>
    /// <param name="eps">The default term added to the denominator (>= 0).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public Adagrad(IEnumerable<ParamGroup> paramGroups, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.LrDecayKey] = lrDecay,
            [ParamGroup.WeightDecayKey] = weightDecay,
            [ParamGroup.InitialAccumulatorValueKey] = initialAccumulatorValue,
            [ParamGroup.EpsKey] = eps,
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
        Tensor sum = state.GetOrCreateBuffer(Sum, parameter, group.InitialAccumulatorValue);
        if (parameter.DType == DType.Float32) Run<float>(group, parameter, gradient, sum, state.Step, UpdateThreads);
        else Run<double>(group, parameter, gradient, sum, state.Step, UpdateThreads);
        parameter.Storage.Version++;
        sum.Storage.Version++;
    }

    private static void Run<T>(ParamGroup group, Tensor parameter, Tensor gradient, Tensor sum, long step, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rule = new Rule<T>(group, step);
        UpdateLoop.Run<T, Rule<T>>(rule, parameter, gradient, sum, null, null, threads);
    }

    private readonly struct Rule<T> : IUpdateRule<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _negClr, _eps, _weightDecay;
        private readonly bool _hasWeightDecay;

        public Rule(ParamGroup group, long step)
        {
            double clr = group.Lr / (1 + (step - 1) * group.LrDecay);
            _negClr = UpdateLoop.Scalar<T>(-clr);
            _eps = UpdateLoop.Scalar<T>(group.Eps);
            _weightDecay = UpdateLoop.Scalar<T>(group.WeightDecay);
            _hasWeightDecay = group.WeightDecay != 0;
        }

        /// <summary>sum.</summary>
        public int Buffers => 0b001;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply<TL>(ref T pRef, ref T gRef, ref T sumRef, ref T s1, ref T s2, nuint i) where TL : struct, ILanes<TL, T>
        {
            TL p = TL.Load(ref pRef, i), g = TL.Load(ref gRef, i);
            if (_hasWeightDecay) g += TL.Splat(_weightDecay) * p;     // grad.add(p, alpha=wd)
            TL sum = TL.Load(ref sumRef, i) + g * g;                   // state_sum.addcmul_(g, g, value=1)
            TL.Store(sum, ref sumRef, i);
            TL std = TL.Sqrt(sum) + TL.Splat(_eps);                    // state_sum.sqrt().add_(eps)
            p += TL.Splat(_negClr) * g / std;                          // p.addcdiv_(g, std, value=-clr)
            TL.Store(p, ref pRef, i);
        }
    }
}
