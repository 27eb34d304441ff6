namespace Nabla.Optim;

/// <summary>Sets the learning rate to the base rate times a function of the step (PyTorch's <c>LambdaLR</c>).</summary>
/// <remarks>
/// <para><c>lr_t = baseLr * lrLambda(t)</c> for each param group, t = 0 at construction. Not chainable (computed from the
/// base rate). A linear warm-up: <c>new LambdaLR(optimizer, e => Math.Min(1.0, (e + 1) / 5.0))</c>.</para>
/// <para>The functions are code, not state: <see cref="LrScheduler.StateDict"/> saves the step count, and the scheduler
/// that loads it must be given the same functions.</para>
/// </remarks>
public sealed class LambdaLR : LrScheduler
{
    private readonly Func<int, double>[] _lambdas;

    /// <summary>Creates the schedule with one function for every param group and applies the learning rate of step 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="lrLambda">The factor of the base rate at each step (its result times the base rate must be finite and >= 0).</param>
    public LambdaLR(Optimizer optimizer, Func<int, double> lrLambda) : this(optimizer, LrLambdas.Shared(optimizer, lrLambda)) { }

    /// <summary>Creates the schedule with one function per param group and applies the learning rate of step 0.</summary>
    /// <param name="optimizer">The optimizer whose learning rates are scheduled.</param>
    /// <param name="lrLambdas">The factor function of each param group, in order.</param>
    /// <exception cref="ArgumentException">There is not one function per param group.</exception>
    public LambdaLR(Optimizer optimizer, IEnumerable<Func<int, double>> lrLambdas) : this(optimizer, LrLambdas.PerGroup("LambdaLR", optimizer, lrLambdas)) { }

    private LambdaLR(Optimizer optimizer, Func<int, double>[] lambdas) : base(optimizer)
    {
        _lambdas = lambdas;
        ApplyInitialLr();
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The function gives a learning rate that is not finite and &gt;= 0.</exception>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        double factor = _lambdas[groupIndex](StepCount);
        return LrLambdas.Checked(Name, BaseLrs[groupIndex] * factor, factor, groupIndex, StepCount);
    }
}
