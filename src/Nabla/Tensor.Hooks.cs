namespace Nabla;

// Note [Post-accumulate hooks]
// A leaf used n times in a graph receives n gradients, delivered one by one (Note [Engine]); PyTorch sums them in the
// leaf's AccumulateGrad node and then runs its post-accumulate-grad hooks once, with Grad final for this pass. Here a
// leaf that has such hooks takes part in the dependency count: while counting, the engine stamps it with the run's id
// and counts the edges that point at it; each delivery (or an edge that brought no gradient) counts one down, and at
// zero the hooks run once, if any gradient arrived. A leaf outside the count (a root) runs them at its delivery.
// Leaves without these hooks pay one field read while counting. Autograd.Grad accumulates nothing, so it runs none.

public sealed partial class Tensor
{
    /// <summary>
    /// Registers a hook called with this leaf once its <see cref="Grad"/> holds every gradient a backward pass brings it
    /// (PyTorch's <c>register_post_accumulate_grad_hook</c>): once per pass, however many times the leaf was used. The hook
    /// may read and modify <see cref="Grad"/> in place. Dispose the result to remove the hook.
    /// </summary>
    /// <remarks>
    /// Not called by <see cref="Autograd.Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool, bool?, bool)"/>,
    /// which accumulates nothing, nor in a pass that brings the leaf no gradient. This is how
    /// <see cref="Distributed.DistributedDataParallel"/> learns that a parameter's gradient is ready. See Note [Post-accumulate hooks].
    /// </remarks>
    /// <exception cref="InvalidOperationException">The tensor is not a leaf that requires a gradient.</exception>
    public IDisposable RegisterPostAccumulateGradHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!IsLeaf || !RequiresGrad)
            throw new InvalidOperationException(
                $"register_post_accumulate_grad_hook: only a leaf that requires a gradient accumulates one; this tensor of shape {Shape} " +
                (IsLeaf ? "does not require a gradient" : $"was produced by {GradFn!.Name}; use RegisterHook on it instead"));
        PostAccumulateHooks state = GetExtras().PostAccumulate ??= new PostAccumulateHooks();
        state.List.Add(hook);
        return new Scope(() =>
        {
            state.List.Remove(hook);
            if (state.List.Count == 0 && ReferenceEquals(_extras?.PostAccumulate, state)) _extras!.PostAccumulate = null;
        });
    }

    /// <summary>True when post-accumulate hooks are registered (the engine counts this leaf's deliveries).</summary>
    internal bool HasPostAccumulateHooks => _extras?.PostAccumulate is not null;

    /// <summary>Counts one edge of run <paramref name="run"/> that points at this leaf. See Note [Post-accumulate hooks].</summary>
    internal void CountPostAccumulateEdge(long run)
    {
        PostAccumulateHooks state = _extras!.PostAccumulate!;
        if (state.RunId != run)
        {
            state.RunId = run;
            state.Pending = 0;
            state.Delivered = false;
        }
        state.Pending++;
    }

    /// <summary>
    /// One edge of run <paramref name="run"/> has delivered (or, with <paramref name="delivered"/> false, brought nothing);
    /// runs the hooks when it was the last. A delivery outside the count (<paramref name="counted"/> false: a root) runs them now.
    /// </summary>
    internal void PostAccumulateEdgeDone(long run, bool delivered, bool counted)
    {
        if (_extras?.PostAccumulate is not { } state) return;
        if (!counted || state.RunId != run)
        {
            if (delivered) state.Run(this);
            return;
        }
        state.Delivered |= delivered;
        if (--state.Pending == 0 && state.Delivered) state.Run(this);
    }

    /// <summary>A leaf's post-accumulate hooks and its count in the current run.</summary>
    internal sealed class PostAccumulateHooks
    {
        public readonly List<Action<Tensor>> List = [];
        public long RunId;
        public int Pending;
        public bool Delivered;

        public void Run(Tensor leaf)
        {
            foreach (Action<Tensor> hook in List.ToArray()) hook(leaf);
        }
    }
}
