namespace Nabla.Optim;

/// <summary>
/// Runs schedulers one after another, switching at milestone steps (PyTorch's <c>SequentialLR</c>), e.g. a linear
/// warm-up then a cosine decay, the usual transformer schedule.
/// </summary>
/// <remarks>
/// <para>With milestones <c>m_1 &lt; m_2 &lt; ...</c> (and <c>m_0 = 0</c>), scheduler k is active for
/// <c>m_k &lt;= t &lt; m_(k+1)</c> at its own step <c>t - m_k</c>. At a milestone the next scheduler restarts at its step 0
/// from its closed form (PyTorch's <c>step(0)</c>), whatever the previous one had reached: after a warm-up cut short by
/// an early milestone the rate jumps to the cosine's base rate, and after a late one it holds the warm-up's end until the
/// milestone. (PyTorch's docstring example, <c>ConstantLR(factor: 0.1, totalIters: 2)</c> then
/// <c>ExponentialLR(gamma: 0.9)</c> with milestone 2 and lr 1, claims 0.1, 0.1, 0.9, 0.81; PyTorch 1.13, and this class,
/// give 0.1, 0.1, 1.0, 0.9, 0.81.)</para>
/// <para>Construct the members on the optimizer first (each applies its own step 0), then this scheduler: it resets each
/// group's learning rate to its <see cref="ParamGroup.InitialLr"/> and takes the first member's step 0 again.</para>
/// <code>
/// var warmup = new LinearLR(optimizer, startFactor: 0.1, totalIters: 5);
/// var cosine = new CosineAnnealingLR(optimizer, tMax: 95);
/// var scheduler = new SequentialLR(optimizer, [warmup, cosine], milestones: [5]);
/// </code>
/// </remarks>
public sealed class SequentialLR : LrScheduler
{
    private readonly LrScheduler[] _schedulers;
    private readonly int[] _milestones;

    /// <summary>Runs <paramref name="schedulers"/> in turn, switching at <paramref name="milestones"/>.</summary>
    /// <param name="optimizer">The optimizer all the schedulers belong to.</param>
    /// <param name="schedulers">The schedulers, in order (none of them a <see cref="SequentialLR"/> or <see cref="ChainedScheduler"/>).</param>
    /// <param name="milestones">The steps at which the next scheduler takes over: one fewer than the schedulers, strictly increasing, >= 1.</param>
    /// <exception cref="ArgumentException">The lists do not fit each other, a scheduler belongs to another optimizer or is
    /// itself composite, or the milestones are not strictly increasing positive steps.</exception>
    public SequentialLR(Optimizer optimizer, IEnumerable<LrScheduler> schedulers, IEnumerable<int> milestones) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _schedulers = SchedulerMembers.ToArray(schedulers);
        _milestones = [.. milestones];
        if (_schedulers.Length == 0)
            throw new ArgumentException("SequentialLR: got no schedulers", nameof(schedulers));
        for (int i = 0; i < _schedulers.Length; i++)
        {
            if (!ReferenceEquals(_schedulers[i].Optimizer, optimizer))
                throw new ArgumentException($"SequentialLR: expected all schedulers to belong to the optimizer passed in, but scheduler {i} ({_schedulers[i].Name}) has another one", nameof(schedulers));
            if (_schedulers[i] is SequentialLR or ChainedScheduler)
                throw new ArgumentException($"SequentialLR: scheduler {i} is a {_schedulers[i].Name}, which cannot restart at a milestone; pass plain schedulers", nameof(schedulers));
        }
        if (_milestones.Length != _schedulers.Length - 1)
            throw new ArgumentException($"SequentialLR: expected one milestone fewer than schedulers, but got {_schedulers.Length} schedulers and {_milestones.Length} milestones", nameof(milestones));
        for (int i = 0; i < _milestones.Length; i++)
            if (_milestones[i] < 1 || (i > 0 && _milestones[i] <= _milestones[i - 1]))
                throw new ArgumentException($"SequentialLR: invalid milestones [{string.Join(", ", _milestones)}] (expected strictly increasing steps >= 1)", nameof(milestones));

        foreach (ParamGroup group in optimizer.ParamGroups)
            group.Lr = group.InitialLr ?? group.Lr;
        _schedulers[0].InitialStep();
        SetLastLrFromOptimizer();
    }

    /// <summary>The schedulers, in the order they take over.</summary>
    public IReadOnlyList<LrScheduler> Schedulers => _schedulers;

    /// <summary>The steps at which the next scheduler takes over.</summary>
    public IReadOnlyList<int> Milestones => _milestones;

    /// <summary>Steps the active scheduler, or restarts the next one at its step 0 at a milestone.</summary>
    protected override void StepCore()
    {
        StepCount++;
        int active = 0;
        while (active < _milestones.Length && _milestones[active] <= StepCount) active++;
        LrScheduler scheduler = _schedulers[active];
        if (active > 0 && _milestones[active - 1] == StepCount) scheduler.Restart();
        else scheduler.Step();
        SetLastLrFromOptimizer();
    }

    // The sequence never computes a rate itself: StepCore is overridden to delegate to its members.
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
}
