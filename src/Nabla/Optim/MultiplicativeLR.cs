namespace Nabla.Optim;

/// <summary>Multiplies the learning rate by a function of the step at every step (PyTorch's <c>MultiplicativeLR</c>).</summary>
/// <remarks>
/// <para><c>lr_0 = baseLr</c>, <c>lr_t = lr_(t-1) * lrLambda(t)</c> for <c>t &gt;= 1</c> (<c>lrLambda(0)</c> is never
/// called). Chainable. The functions are code, not state (see <see cref="LambdaLR"/>).</para>
/// </remarks>
public sealed class MultiplicativeLR : LrScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the schedule with one function for every param group and applies the learning rate of step 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="lrLambda">The factor applied at each step t >= 1 (the resulting rate must be finite and >= 0).</param>
    public MultiplicativeLR(Optimizer optimizer, Func<int, double> lrLambda) : this(optimizer, LrLambdas.Shared(optimizer, lrLambda)) { }

    /// <summary>Creates the schedule with one function per param group and applies the learning rate of step 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="lrLambdas">The factor function of each param group, in order.</param>
    /// <exception cref="ArgumentException">There is not one function per param group.</exception>
    public MultiplicativeLR(Optimizer optimizer, IEnumerable<Func<int, double>> lrLambdas) : this(optimizer, LrLambdas.PerGroup("MultiplicativeLR", optimizer, lrLambdas)) { }

    private MultiplicativeLR(Optimizer optimizer, Func<int, double>[] lambdas) : base(optimizer)
    {
        _lambdas = lambdas;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The function gives a learning rate that is not finite and &gt;= 0.</exception>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (StepCount == 0) return group.Lr;
        double factor = _lambdas[groupIndex](StepCount);
        return LrLambdas.Checked(Name, group.Lr * factor, factor, groupIndex, StepCount);
    }
}
