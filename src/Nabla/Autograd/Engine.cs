using System.Runtime.CompilerServices;
using Nabla.Runtime;
namespace Nabla.Graph;

// Note [Engine]
// Backward is the textbook algorithm, iterative so that graph depth never touches the call stack (a chain of
// 100,000 ops is fine):
//  1. Count dependencies: walk every node reachable from the roots with an explicit stack, counting for each node
//     how many edges from reachable nodes point at it (its pending consumers).
//  2. Process ready nodes (Kahn's order): a node runs once all its consumers have delivered their gradient. Its
//     gradient is the sum of what they delivered (fan-in is summed here), its pre-hooks run, its rule maps the
//     gradient to one gradient per input, and each of those is reduced to its input's shape (summing over broadcast
//     dims) and passed on: accumulated into the producing node, or into a leaf's Grad. Rules do neither sum nor reduce.
// Without createGraph the pass runs under NoGrad; with it, rules record like any forward op, which is what makes
// grad-of-grad work. Unless the graph is retained, each node is released after it runs (its saved tensors dropped,
// so activations can be collected) and running it again is a clear error.
//
// In a graph of 0-d tensors (one node per scalar op) the per-node bookkeeping is the whole cost, so it allocates
// nothing per node: a node's pending count and gradient buffer are fields stamped with the run's id (RunId), not
// dictionary entries, so one graph is backpropagated by one thread at a time; the work lists are reused per thread, in
// struct slots; a sum the engine allocated itself, or a rule's result the rule declares fresh (BufferOwned: never seen
// by another rule, a hook or the user) takes further gradients in place (never with createGraph, whose sums are
// recorded ops); and rules may opt into Note [Fast paths].

/// <summary>The reverse-mode engine. See Note [Engine].</summary>
internal static class Engine
{
    public static void Backward(IReadOnlyList<Tensor> roots, IReadOnlyList<Tensor>? grads, bool retainGraph, bool createGraph)
        => Run(roots, grads, retainGraph, createGraph, inputs: null);

    /// <summary>
    /// Runs backward from <paramref name="roots"/>. With <paramref name="inputs"/> null, gradients accumulate into
    /// leaves' <c>Grad</c>; otherwise the gradients with respect to <paramref name="inputs"/> are returned and no
    /// <c>Grad</c> is touched.
    /// </summary>
    [MethodImpl(CodeGen.Hot)]
    public static Tensor?[] Run(IReadOnlyList<Tensor> roots, IReadOnlyList<Tensor>? grads, bool retainGraph, bool createGraph,
        IReadOnlyList<Tensor>? inputs)
    {
        Tensor[] rootGrads = RootGradients(roots, grads);
        var targets = inputs is null ? null : new Targets(inputs);
        bool fastPaths = !createGraph && !Autograd.IsAnomalyEnabled;
        using IDisposable mode = createGraph ? Autograd.EnableGrad() : Autograd.NoGrad();
        using IDisposable noAutocast = Autocast.Disable(); // Note [Autocast policy]: rules run in their forward's dtypes

        long run = Interlocked.Increment(ref s_runCounter);
        Walk walk = t_walk ?? new Walk();
        int released = 0;
        t_walk = null; // a rule that runs backward itself (re-entrancy) gets its own lists
        t_depth++;
        bool completed = false;
        try
        {
            CountDependencies(roots, run, walk);
            for (int i = 0; i < roots.Count; i++)
            {
                if (roots[i].GradFn is { } fn) Accumulate(fn, rootGrads[i], createGraph);
                else
                {
                    Deliver(roots[i], rootGrads[i], createGraph, targets);
                    if (targets is null) roots[i].PostAccumulateEdgeDone(run, delivered: true, counted: false);
                }
            }

            NodeStack ready = walk.Ready;
            for (int i = 0; i < walk.Nodes.Count; i++)
                if (walk.Nodes[i].Pending == 0) ready.Push(walk.Nodes[i]);
            var scratch = new Tensor?[4][];
            while (ready.Count > 0)
            {
                Node node = ready.Pop();
                Tensor? grad = node.Buffer;
                node.Buffer = null;
                // A node that was reached but received no gradient still releases its consumers' counts.
                int accumulated = 0;
                Tensor?[]? inputGrads = null;
                if (grad is not null) inputGrads = RunRule(node, grad, run, createGraph, fastPaths, targets, scratch, out accumulated);
                Propagate(node, inputGrads, accumulated, ready, run, createGraph, targets);
                if (inputGrads is { Length: > 0 and <= 4 } && ReferenceEquals(inputGrads, scratch[inputGrads.Length - 1])) Array.Clear(inputGrads);
                if (!retainGraph) node.Release();
            }
            released = retainGraph || createGraph ? 0 : walk.Nodes.Count;
            completed = true;
        }
        finally
        {
            if (--t_depth == 0 && !completed) t_callbacks = null;
            // Drop buffered gradients of nodes an exception left unvisited, so that they pin no memory.
            for (int i = 0; i < walk.Nodes.Count; i++) walk.Nodes[i].Buffer = null;
            walk.Clear();
            t_walk = walk;
        }
        // NOTE: after the work lists are cleared: while they hold the nodes, the collection would promote the whole graph.
        if (t_depth == 0 && t_callbacks is not null) RunCallbacks();
        CollectAfterBackward.AfterRelease(released);
        return targets?.Captured ?? [];
    }

    // Note [Engine callbacks]
    // Code that runs inside a backward pass (a hook) may need to act once the whole pass is done: DistributedDataParallel
    // waits there for the gradient all-reduces its hooks started. QueueCallback (PyTorch's engine queue_callback) keeps
    // such an action until the outermost backward pass on the thread has finished its walk; a backward run by a rule
    // inside it (re-entrancy) does not end the outer pass. Callbacks run in the order queued, after the walk (outside the pass). A pass
    // that fails drops them: the work they would finish is abandoned with it.

    /// <summary>Queues <paramref name="callback"/> to run when the current backward pass ends. See Note [Engine callbacks].</summary>
    /// <exception cref="InvalidOperationException">Called outside a backward pass.</exception>
    public static void QueueCallback(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (t_depth == 0)
            throw new InvalidOperationException("queue_callback: a callback can only be queued from inside a backward pass (from a hook)");
        (t_callbacks ??= []).Add(callback);
    }

    /// <summary>True while a backward pass runs on the calling thread.</summary>
    public static bool IsInBackward => t_depth > 0;

    private static void RunCallbacks()
    {
        List<Action> callbacks = t_callbacks!;
        t_callbacks = null;
        foreach (Action callback in callbacks) callback();
    }

    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static List<Action>? t_callbacks;

    /// <summary>The gradient each root starts from: the one given, or 1 for a one-element root.</summary>
    private static Tensor[] RootGradients(IReadOnlyList<Tensor> roots, IReadOnlyList<Tensor>? grads)
    {
        if (grads is not null && grads.Count != roots.Count)
            throw new ArgumentException($"backward: got {grads.Count} gradients for {roots.Count} outputs");
        var result = new Tensor[roots.Count];
        for (int i = 0; i < roots.Count; i++)
        {
            Tensor root = roots[i];
            if (!root.RequiresGrad)
                throw new InvalidOperationException(
                    $"backward: the tensor of shape {root.Shape} does not require a gradient and has no GradFn; " +
                    "set RequiresGrad = true on the leaves you want gradients for before computing it");
            Tensor? g = grads?[i];
            if (g is null)
            {
                if (root.Numel != 1)
                    throw new InvalidOperationException(
                        $"backward: a gradient can be implied only for a tensor with one element; this one has shape {root.Shape}. " +
                        "Pass a gradient of the same shape, e.g. Backward(Tensor.OnesLike(t)), or reduce it first with Sum() or Mean()");
                g = Tensor.OnesLike(root);
            }
            else if (!g.Shape.Equals(root.Shape))
                throw new ArgumentException($"backward: gradient has shape {g.Shape} but the tensor has shape {root.Shape}");
            else if (g.DType != root.DType)
                throw new ArgumentException($"backward: gradient has dtype {g.DType.Name()} but the tensor has dtype {root.DType.Name()}");
            result[i] = g;
        }
        return result;
    }

    /// <summary>Step 1: finds every node reachable from the roots and counts its pending consumers.</summary>
    [MethodImpl(CodeGen.Hot)]
    private static void CountDependencies(IReadOnlyList<Tensor> roots, long run, Walk walk)
    {
        NodeStack stack = walk.Stack;
        foreach (Tensor r in roots)
            if (r.GradFn is { } fn && fn.RunId != run)
            {
                Enter(fn, run, 0, walk.Nodes);
                stack.Push(fn);
            }
        while (stack.Count > 0)
        {
            foreach (Edge e in stack.Pop().Edges)
            {
                if (e.Fn is not { } next)
                {
                    if (e.Leaf is { HasPostAccumulateHooks: true } leaf) leaf.CountPostAccumulateEdge(run);
                    continue;
                }
                if (next.RunId == run) next.Pending++;
                else
                {
                    Enter(next, run, 1, walk.Nodes);
                    stack.Push(next);
                }
            }
        }
    }

    private static void Enter(Node node, long run, int pending, NodeStack nodes)
    {
        node.RunId = run;
        node.Pending = pending;
        node.Buffer = null;
        node.BufferOwned = false;
        nodes.Push(node);
    }

    /// <summary>Step 2 for one node: hooks, then its rule. Returns one gradient per input.</summary>
    [MethodImpl(CodeGen.Hot)]
    private static Tensor?[] RunRule(Node node, Tensor grad, long run, bool createGraph, bool fastPaths, Targets? targets,
        Tensor?[][] scratch, out int accumulated)
    {
        if (node.Released)
            throw new InvalidOperationException(
                $"backward: trying to run {node.Name} a second time, but its saved tensors were freed after the first backward. " +
                "Pass retainGraph: true to the first Backward() call if you need to backward through the graph again");
        if (node.PreHooks is { } hooks)
            foreach (var hook in hooks.ToArray())
                grad = CheckedHookResult(hook(grad), grad, node.Name);
        if (node.RetainTarget is { } retained)
            retained.Grad = AccumulateInto(retained.Grad, grad, createGraph);
        targets?.CaptureAt(node, grad);
        node.CheckSavedVersions();

        accumulated = 0;
        Tensor?[] inputGrads;
        int arity = node.Edges.Length;
        if (fastPaths && node is IFastBackward fast && arity is > 0 and <= 4)
        {
            accumulated = AccumulateDirect(node, fast, grad, run, targets);
            inputGrads = fast.BackwardInto(grad, scratch[arity - 1] ??= new Tensor?[arity], accumulated) ?? node.Backward(grad);
        }
        else
        {
            inputGrads = node.Backward(grad);
        }
        if (inputGrads.Length != arity)
            throw new InvalidOperationException($"internal: {node.Name} returned {inputGrads.Length} gradients for {arity} inputs");
        if (Autograd.IsAnomalyEnabled) AnomalyRecord.CheckBackward(node, inputGrads);
        return inputGrads;
    }

    /// <summary>Offers each input's gradient sum to the rule (Note [Fast paths]); returns the inputs it took as bits.</summary>
    [MethodImpl(CodeGen.Hot)]
    private static int AccumulateDirect(Node node, IFastBackward fast, Tensor grad, long run, Targets? targets)
    {
        ReadOnlySpan<Edge> edges = node.Edges;
        int taken = 0;
        for (int i = 0; i < edges.Length; i++)
        {
            Edge e = edges[i];
            if (!e.IsSet) continue;
            Tensor? into = null;
            if (e.Fn is { } next)
            {
                if (next.RunId == run && next.BufferOwned) into = next.Buffer;
            }
            else if (e.Leaf is { } leaf && targets is null && leaf.Hooks is null && leaf.Grad is { RequiresGrad: false } g)
            {
                into = g;
            }
            if (into is not null && Nabla.Kernels.Strided.SameDims(into.Dims, e.Dims!) && fast.TryAccumulateGrad(i, grad, into))
                taken |= 1 << i;
        }
        return taken;
    }

    /// <summary>Passes each input's gradient, reduced to the input's shape, to the node or leaf it belongs to.</summary>
    [MethodImpl(CodeGen.Hot)]
    private static void Propagate(Node node, Tensor?[]? inputGrads, int accumulated, NodeStack ready, long run, bool createGraph,
        Targets? targets)
    {
        ReadOnlySpan<Edge> edges = node.Edges;
        for (int i = 0; i < edges.Length; i++)
        {
            Edge e = edges[i];
            if (!e.IsSet) continue;
            Tensor? g = (accumulated & (1 << i)) != 0 ? null : inputGrads?[i];
            if (g is not null) g = ReduceToShape(g, e, node.Name, i);
            if (e.Fn is { } next)
            {
                if (next.RunId != run) continue;
                if (g is not null) Accumulate(next, g, createGraph, fresh: node.ReturnsFreshGradients && ReferenceEquals(g, inputGrads?[i]));
                if (--next.Pending == 0) ready.Push(next);
            }
            else if (e.Leaf is { } leaf)
            {
                if (g is not null) Deliver(leaf, g, createGraph, targets);
                if (targets is null && leaf.HasPostAccumulateHooks)
                    leaf.PostAccumulateEdgeDone(run, g is not null || (accumulated & (1 << i)) != 0, counted: true);
            }
        }
    }

    /// <summary>Sums a gradient over the dims along which the input was broadcast. The one place this happens.</summary>
    [MethodImpl(CodeGen.Hot)]
    private static Tensor ReduceToShape(Tensor g, Edge input, string nodeName, int index)
    {
        int[] dims = input.Dims!;
        if (!Nabla.Kernels.Strided.SameDims(g.Dims, dims))
        {
            try
            {
                g = g.SumToShape(dims);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException(
                    $"internal: {nodeName} returned a gradient of shape {g.Shape} for input {index} of shape {Shape.Format(dims)}", ex);
            }
        }
        if (g.DType != input.DType)
            throw new InvalidOperationException(
                $"internal: {nodeName} returned a {g.DType.Name()} gradient for a {input.DType.Name()} input");
        return g;
    }

    /// <summary>Adds a gradient into a node's buffer (fan-in).</summary>
    [MethodImpl(CodeGen.Hot)]
    private static void Accumulate(Node node, Tensor g, bool createGraph, bool fresh = false)
    {
        Tensor? buffer = node.Buffer;
        if (buffer is null)
        {
            // A rule's fresh result (ReturnsFreshGradients) is the engine's own, as a sum it made would be.
            node.Buffer = g;
            node.BufferOwned = fresh && !createGraph && g.IsContiguous;
        }
        else if (node.BufferOwned && buffer.TryAddIntoRaw(g)) { }
        else
        {
            node.Buffer = buffer + g;
            node.BufferOwned = !createGraph;
        }
    }

    /// <summary>Delivers a gradient to a leaf: its hooks, then its Grad (or the Autograd.Grad result).</summary>
    [MethodImpl(CodeGen.Hot)]
    private static void Deliver(Tensor leaf, Tensor g, bool createGraph, Targets? targets)
    {
        if (leaf.Hooks is { } hooks)
            foreach (var hook in hooks.ToArray())
                g = CheckedHookResult(hook(g), g, "leaf hook");
        if (targets is not null) targets.CaptureLeaf(leaf, g);
        else leaf.Grad = AccumulateInto(leaf.Grad, g, createGraph);
    }

    [MethodImpl(CodeGen.Hot)]
    private static Tensor AccumulateInto(Tensor? existing, Tensor g, bool createGraph)
    {
        if (createGraph) return existing is null ? g : existing + g;
        // NOTE: the first gradient is copied, because a rule may hand the same tensor to several inputs
        // (AddBackward does) and later accumulation happens in place.
        if (existing is null) return g.CloneRaw();
        if (existing.RequiresGrad) return existing.Detach() + g;
        existing.AddInPlace(g);
        return existing;
    }

    private static Tensor CheckedHookResult(Tensor? replacement, Tensor grad, string where)
    {
        if (replacement is null) return grad;
        if (!replacement.Shape.Equals(grad.Shape) || replacement.DType != grad.DType)
            throw new InvalidOperationException(
                $"hook on {where}: returned a gradient of shape {replacement.Shape} and dtype {replacement.DType.Name()}, " +
                $"expected shape {grad.Shape} and dtype {grad.DType.Name()}");
        return replacement;
    }

    /// <summary>The tensors <see cref="Autograd.Grad(IReadOnlyList{Tensor}, IReadOnlyList{Tensor}, IReadOnlyList{Tensor}?, bool, bool?, bool)"/> asks for: leaves are captured instead of accumulated, others at their node.</summary>
    private sealed class Targets
    {
        private readonly Dictionary<Tensor, int> _leaves = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Node, int> _nodes = [];

        public Targets(IReadOnlyList<Tensor> inputs)
        {
            Captured = new Tensor?[inputs.Count];
            for (int i = 0; i < inputs.Count; i++)
            {
                if (inputs[i].IsLeaf) _leaves[inputs[i]] = i;
                else _nodes[inputs[i].GradFn!] = i;
            }
        }

        public Tensor?[] Captured { get; }

        public void CaptureAt(Node node, Tensor grad)
        {
            if (_nodes.TryGetValue(node, out int slot)) Add(slot, grad);
        }

        public void CaptureLeaf(Tensor leaf, Tensor grad)
        {
            if (_leaves.TryGetValue(leaf, out int slot)) Add(slot, grad);
        }

        private void Add(int slot, Tensor grad) => Captured[slot] = Captured[slot] is { } sum ? sum + grad : grad;
    }

    private static long s_runCounter;

    [ThreadStatic] private static Walk? t_walk;

    /// <summary>The walk's work lists, kept per thread between runs (cleared, so they pin no graph).</summary>
    private sealed class Walk
    {
        public readonly NodeStack Nodes = new(), Stack = new(), Ready = new();

        public void Clear()
        {
            Nodes.Clear();
            Stack.Clear();
            Ready.Clear();
        }
    }

    /// <summary>A list of nodes used as a stack, in struct slots: storing into a <c>Node[]</c> would check the type.</summary>
    private sealed class NodeStack
    {
        private struct Slot { public Node Node; }
        private Slot[] _slots = new Slot[64];
        private int _count;

        public int Count => _count;

        public Node this[int index] => _slots[index].Node;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Push(Node node)
        {
            if (_count == _slots.Length) Array.Resize(ref _slots, _count * 2);
            _slots[_count++].Node = node;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Node Pop()
        {
            Node node = _slots[--_count].Node;
            _slots[_count].Node = null!;
            return node;
        }

        public void Clear()
        {
            Array.Clear(_slots, 0, _count);
            _count = 0;
        }
    }
}
