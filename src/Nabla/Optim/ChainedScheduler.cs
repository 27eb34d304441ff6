namespace Nabla.Optim;

/// <summary>
/// Steps several chainable schedulers of one optimizer together, so their effects compose (PyTorch's
/// <c>ChainedScheduler</c>), e.g. a linear warm-up multiplied into an exponential decay.
/// </summary>
/// <remarks>
/// <para>Each <see cref="LrScheduler.Step"/> of the chain calls <see cref="LrScheduler.Step"/> on every scheduler in order; since chainable
/// schedulers compute the new rate from the current one, the factors multiply. The schedulers were already applied
/// at their own construction; the chain adds no step of its own.</para>
/// <code>
/// var warmup = new LinearWarmup(optimizer, startFactor: 0.1, totalIters: 5);
/// var decay = new ExponentialLR(optimizer, gamma: 0.95);
/// var scheduler = new ChainedScheduler([warmup, decay]);
/// </code>
/// </remarks>
public sealed class ChainedScheduler : LrScheduler
{
    private readonly LrScheduler[] _schedulers;

    /// <summary>Chains <paramref name="schedulers"/>, which must all schedule the same optimizer.</summary>
    /// <exception cref="ArgumentException">The list is empty or the schedulers belong to different optimizers.</exception>
    public ChainedScheduler(IEnumerable<LrScheduler> schedulers) : this(SchedulerMembers.ToArray(schedulers)) { }

    private ChainedScheduler(LrScheduler[] schedulers) : base(OptimizerOf(schedulers)) => _schedulers = schedulers;

    /// <summary>The chained schedulers, in the order they are stepped.</summary>
    public IReadOnlyList<LrScheduler> Schedulers => _schedulers;

    /// <summary>Steps every chained scheduler once, in order.</summary>
    protected override void StepCore()
    {
        foreach (LrScheduler scheduler in _schedulers) scheduler.Step();
        StepCount++;
        SetLastLrFromOptimizer();
    }

    // The chain never computes a rate itself: StepCore is overridden to delegate to its members.
    /// <inheritdoc/>
    protected override double ComputeLr(int groupIndex, ParamGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return group.Lr;
    }

    /// <summary>Writes each member's state under <c>schedulers.{index}.</c>.</summary>
    protected override void SaveState(IDictionary<string, double> state) => SchedulerMembers.Save(_schedulers, state);

    /// <summary>Restores each member's state from under <c>schedulers.{index}.</c>.</summary>
    protected override void LoadState(IReadOnlyDictionary<string, double> state) => SchedulerMembers.Load(_schedulers, state);

    private static Optimizer OptimizerOf(LrScheduler[] schedulers)
    {
        if (schedulers.Length == 0)
            throw new ArgumentException("ChainedScheduler: got no schedulers", nameof(schedulers));
        for (int i = 1; i < schedulers.Length; i++)
            if (!ReferenceEquals(schedulers[i].Optimizer, schedulers[0].Optimizer))
                throw new ArgumentException(
                    $"ChainedScheduler: expected all schedulers to belong to the same optimizer, but scheduler {i} ({schedulers[i].Name}) has another one than scheduler 0 ({schedulers[0].Name})",
                    nameof(schedulers));
        return schedulers[0].Optimizer;
    }
}
