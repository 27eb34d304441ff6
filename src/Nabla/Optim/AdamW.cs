namespace Nabla.Optim;

/// <summary>Adam with decoupled weight decay (PyTorch's <c>optim.AdamW</c>, Loshchilov and Hutter).</summary>
/// <remarks>
/// <para>Per parameter <c>p</c> with gradient <c>g</c> and step <c>t</c> (1 on the first update), as PyTorch 1.13's
/// single-tensor implementation:</para>
/// <code>
/// p = p * (1 - lr * weightDecay)                 (decoupled: the decay never enters m or v)
/// m = beta1 * m + (1 - beta1) * g
/// v = beta2 * v + (1 - beta2) * g * g
/// if amsGrad: vMax = max(vMax, v); use vMax for v below
/// denom = sqrt(v) / sqrt(1 - beta2^t) + eps
/// p = p - (lr / (1 - beta1^t)) * m / denom
/// </code>
/// <para>State: <c>expAvg</c> (m), <c>expAvgSq</c> (v), <c>maxExpAvgSq</c> (with AMSGrad).</para>
/// </remarks>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates AdamW over one group of <paramref name="parameters"/>.</summary>
    /// <param name="parameters">The tensors to optimise.</param>
    /// <param name="lr">The learning rate (>= 0).</param>
    /// <param name="beta1">The decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The decoupled weight-decay factor (>= 0); each step multiplies p by 1 - lr * weightDecay.</param>
    /// <param name="amsGrad">Use the AMSGrad variant (the running maximum of the second moment).</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsGrad = false)
        : this([new ParamGroup(parameters)], lr, beta1, beta2, eps, weightDecay, amsGrad) { }

    /// <summary>Creates AdamW over <paramref name="paramGroups"/>; options the groups do not set take these values.</summary>
    /// <param name="paramGroups">The groups of tensors to optimise.</param>
    /// <param name="lr">The default learning rate (>= 0).</param>
    /// <param name="beta1">The default decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">The default decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">The default term added to the denominator (>= 0).</param>
    /// <param name="weightDecay">The default decoupled weight-decay factor (>= 0).</param>
    /// <param name="amsGrad">Use the AMSGrad variant by default.</param>
    /// <exception cref="ArgumentException">A hyper-parameter is out of range.</exception>
    public AdamW(IEnumerable<ParamGroup> paramGroups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 1e-2, bool amsGrad = false)
        : base(paramGroups, new Dictionary<string, double>
        {
            [ParamGroup.LrKey] = lr,
            [ParamGroup.Beta1Key] = beta1,
            [ParamGroup.Beta2Key] = beta2,
            [ParamGroup.EpsKey] = eps,
            [ParamGroup.WeightDecayKey] = weightDecay,
            [ParamGroup.AmsGradKey] = amsGrad ? 1 : 0,
        })
    { }

    /// <inheritdoc/>
    protected override IReadOnlyCollection<string> BufferNames => AdamUpdate.BufferNames;

    /// <inheritdoc/>
    protected override void Update(ParamGroup group, Tensor parameter, Tensor gradient, ParameterState state)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(gradient);
        ArgumentNullException.ThrowIfNull(state);
        AdamUpdate.Apply(group, parameter, gradient, state, decoupled: true, UpdateThreads);
    }
}
