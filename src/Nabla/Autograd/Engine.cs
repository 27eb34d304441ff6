using System.Runtime.CompilerServices;
namespace Nabla.Graph;

// Note [Engine]
// Backward runs in two iterative passes, so graph depth never touches the call stack (a chain of
// 100,000 ops is fine):
//  1. Discover every node reachable from the roots with an explicit stack, counting for each node how
//     many edges from other reachable nodes point at it (its pending consumers).
//  2. Process nodes whose consumers have all delivered their gradient (a Kahn topological order).
//     Gradients that meet at one node are summed into its buffer here, and each gradient a rule returns
//     is reduced to its input's shape here (summing over broadcast dims). Rules never do either.
// Without createGraph the whole pass runs under NoGrad; with it, rules record like any forward op,
// which is what makes grad-of-grad work: every rule is written in differentiable tensor ops.
// After a node runs, unless the graph is retained, it is released: its edges and saved tensors are
// dropped (so activations can be collected) and running it again is a clear error.
// The per-run counts and gradient buffers are fields of the nodes, stamped with a run id, which keeps the
// walk free of hashing; one graph is therefore backpropagated by one thread at a time.
// Per-node cost matters for graphs of 0-d tensors (micrograd style: one node per scalar op), so the walk
// allocates nothing per node beyond what the rules compute: built-in rules write their gradients into a
// per-run scratch array (Node.BackwardInto), the node lists are reused across runs of a thread, and once a
// node's buffer holds a sum the engine itself allocated (never seen by a rule, hook or user), further
// gradients are added into it in place instead of allocating a new sum each time. With createGraph, sums
// are recorded ops and are never mutated. A pass that released a large graph ends with a young-generation
// collection (Note [Collect after backward] in GraphCollection.cs).

// Note [Fused accumulation]
// In a graph of 0-d tensors most gradients a rule computes are added straight into a sum: a parameter's gradient
// (one contribution per use) or an engine-owned buffer of a value with many consumers. For MulBackward, the
// commonest rule there, the engine skips the temporary: before running the rule it offers each input's destination
// -- an owned buffer (Note [Engine]) or an existing leaf gradient that no hook, Autograd.Grad target or recorded pass
// involves -- to Node.TryAccumulateGrad, which adds g·other into it in place when all three are tiny, contiguous and
// of one shape and dtype; the rule then leaves that input out (Node.FusedInputs) and Propagate only counts it
// delivered. The sum is computed as before (product rounded, then added, in the same order of edges), so
// gradients are bit for bit those of the general path, which the tests check. Never with createGraph or anomaly mode.

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
        if (grads is not null && grads.Count != roots.Count)
            throw new ArgumentException($"backward: got {grads.Count} gradients for {roots.Count} outputs");

        var rootGrads = new Tensor[roots.Count];
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
            else
            {
                if (!g.Shape.Equals(root.Shape))
                    throw new ArgumentException($"backward: gradient has shape {g.Shape} but the tensor has shape {root.Shape}");
                if (g.DType != root.DType)
                    throw new ArgumentException($"backward: gradient has dtype {g.DType.Name()} but the tensor has dtype {root.DType.Name()}");
            }
            rootGrads[i] = g;
        }

        // Targets for Autograd.Grad: leaves are captured instead of accumulated; non-leaves at their node.
        Dictionary<Tensor, int>? leafTargets = null;
        Dictionary<Node, int>? nodeTargets = null;
        Tensor?[] captured = inputs is null ? [] : new Tensor?[inputs.Count];
        if (inputs is not null)
        {
            leafTargets = new(ReferenceEqualityComparer.Instance);
            nodeTargets = [];
            for (int i = 0; i < inputs.Count; i++)
            {
                if (inputs[i].IsLeaf) leafTargets[inputs[i]] = i;
                else nodeTargets[inputs[i].GradFn!] = i;
            }
        }

        bool detectAnomaly = Autograd.IsAnomalyEnabled;
        using IDisposable mode = createGraph ? Autograd.EnableGrad() : Autograd.NoGrad();

        // Pass 1: discover nodes and count pending consumers. The counts and gradient buffers live in the
        // nodes themselves, stamped with this run's id, so the walk needs no dictionaries.
        long run = Interlocked.Increment(ref s_runCounter);
        Walk walk = t_walk ?? new Walk();
        t_walk = null; // a rule that runs backward itself (re-entrancy) gets its own lists
        NodeStack nodes = walk.Nodes;
        NodeStack stack = walk.Stack;
        foreach (Tensor r in roots)
            if (r.GradFn is { } fn && fn.RunId != run)
            {
                Enter(fn, run, 0, nodes);
                stack.Push(fn);
            }
        while (stack.Count > 0)
        {
            Node node = stack.Pop();
            foreach (Edge e in node.Edges)
            {
                if (e.Fn is not { } next) continue;
                if (next.RunId == run) next.Pending++;
                else
                {
                    Enter(next, run, 1, nodes);
                    stack.Push(next);
                }
            }
        }

        // Seed buffers with the root gradients.
        for (int i = 0; i < roots.Count; i++)
        {
            Tensor root = roots[i];
            if (root.GradFn is { } fn) Accumulate(fn, rootGrads[i], createGraph);
            else Deliver(root, rootGrads[i], createGraph, leafTargets, captured);
        }

        int reached = nodes.Count;

        // Pass 2: Kahn order.
        NodeStack ready = walk.Ready;
        for (int i = 0; i < reached; i++)
            if (nodes[i].Pending == 0) ready.Push(nodes[i]);
        var scratch = new Tensor?[4][];
        try
        {
            while (ready.Count > 0)
            {
                Node node = ready.Pop();
                Tensor? grad = node.Buffer;
                node.Buffer = null;
                if (grad is null)
                {
                    // Reached, but no gradient flowed here: still release consumers' counts.
                    Propagate(node, null, ready, run, createGraph, leafTargets, captured);
                    if (!retainGraph) node.Release();
                    continue;
                }
                if (node.Released)
                    throw new InvalidOperationException(
                        $"backward: trying to run {node.Name} a second time, but its saved tensors were freed after the first backward. " +
                        "Pass retainGraph: true to the first Backward() call if you need to backward through the graph again");
                if (node.PreHooks is { } hooks)
                    foreach (var hook in hooks.ToArray())
                        grad = CheckedHookResult(hook(grad), grad, node.Name);
                if (node.RetainTarget is { } retained)
                    retained.Grad = AccumulateInto(retained.Grad, grad, createGraph);
                if (nodeTargets is not null && nodeTargets.TryGetValue(node, out int slot))
                    captured[slot] = captured[slot] is null ? grad : captured[slot]! + grad;

                node.CheckSavedVersions();
                int arity = node.Edges.Length;
                node.FusedInputs = !createGraph && !detectAnomaly && node.CanAccumulateGrad
                    ? AccumulateDirect(node, grad, run, leafTargets) : (byte)0;
                Tensor?[]? slots = arity is > 0 and <= 4 ? scratch[arity - 1] ??= new Tensor?[arity] : null;
                Tensor?[] inputGrads = slots is not null ? node.BackwardInto(grad, slots) : node.Backward(grad);
                if (inputGrads.Length != node.Edges.Length)
                    throw new InvalidOperationException($"internal: {node.Name} returned {inputGrads.Length} gradients for {node.Edges.Length} inputs");
                if (detectAnomaly) AnomalyRecord.CheckBackward(node, inputGrads);
                Propagate(node, inputGrads, ready, run, createGraph, leafTargets, captured);
                node.FusedInputs = 0;
                if (ReferenceEquals(inputGrads, slots)) Array.Clear(slots); // never a rule's own array
                if (!retainGraph) node.Release();
            }
        }
        finally
        {
            // Drop buffered gradients of nodes an exception left unvisited, so they do not pin memory.
            for (int i = 0; i < nodes.Count; i++)
            {
                nodes[i].Buffer = null;
                nodes[i].FusedInputs = 0;
            }
            walk.Clear();
            t_walk = walk;
        }
        if (!retainGraph && !createGraph) GraphCollection.AfterRelease(reached);
        return captured;
    }

    private static long s_runCounter;

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

    [ThreadStatic] private static Walk? t_walk;

    /// <summary>
    /// A list of nodes used as a stack. Its slots are structs, so storing a node (of some subclass) into the array is
    /// a plain store: a <c>Node[]</c> would check the element's type on every store (array covariance), which in a graph
    /// of 0-d tensors was ~4 % of backward's time.
    /// </summary>
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

    private static void Enter(Node node, long run, int pending, NodeStack nodes)
    {
        node.RunId = run;
        node.Pending = pending;
        node.Buffer = null;
        node.BufferOwned = false;
        nodes.Push(node);
    }

    /// <summary>Offers each input's destination to the rule (see Note [Fused accumulation]); returns the inputs it took.</summary>
    [MethodImpl(CodeGen.Hot)]
    private static byte AccumulateDirect(Node node, Tensor grad, long run, Dictionary<Tensor, int>? leafTargets)
    {
        ReadOnlySpan<Edge> edges = node.Edges;
        int fused = 0;
        for (int i = 0; i < edges.Length && i < 8; i++)
        {
            Edge e = edges[i];
            if (!e.IsSet) continue;
            Tensor? into = null;
            if (e.Fn is { } next)
            {
                if (next.RunId == run && next.BufferOwned) into = next.Buffer;
            }
            else if (e.Leaf is { } leaf && leafTargets is null && leaf.Hooks is null && leaf.Grad is { RequiresGrad: false } g)
            {
                into = g;
            }
            if (into is not null && Nabla.Kernels.Strided.SameDims(into.Dims, e.Dims!) && node.TryAccumulateGrad(i, grad, into))
                fused |= 1 << i;
        }
        return (byte)fused;
    }

    [MethodImpl(CodeGen.Hot)]
    private static void Propagate(Node node, Tensor?[]? inputGrads, NodeStack ready, long run, bool createGraph,
        Dictionary<Tensor, int>? leafTargets, Tensor?[] captured)
    {
        ReadOnlySpan<Edge> edges = node.Edges;
        for (int i = 0; i < edges.Length; i++)
        {
            Edge e = edges[i];
            if (!e.IsSet) continue;
            if ((node.FusedInputs & (1 << i)) != 0)
            {
                // Already added into its destination (Note [Fused accumulation]): only count it delivered.
                if (e.Fn is { } done && done.RunId == run && --done.Pending == 0) ready.Push(done);
                continue;
            }
            Tensor? g = inputGrads?[i];
            if (g is not null)
            {
                g = ReduceToShape(g, e.Dims!, node.Name, i);
                if (g.DType != e.DType)
                    throw new InvalidOperationException(
                        $"internal: {node.Name} returned a {g.DType.Name()} gradient for a {e.DType.Name()} input");
            }
            if (e.Fn is { } next)
            {
                if (next.RunId != run) continue;
                if (g is not null) Accumulate(next, g, createGraph);
                if (--next.Pending == 0) ready.Push(next);
            }
            else if (e.Leaf is { } leaf && g is not null)
            {
                Deliver(leaf, g, createGraph, leafTargets, captured);
            }
        }
    }

    /// <summary>Sums a gradient over the dims along which the input was broadcast. The one place this happens.</summary>
    [MethodImpl(CodeGen.Hot)]
    private static Tensor ReduceToShape(Tensor g, int[] dims, string nodeName, int input)
    {
        if (Nabla.Kernels.Strided.SameDims(g.Dims, dims)) return g;
        try
        {
            return g.SumToShape(dims);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException(
                $"internal: {nodeName} returned a gradient of shape {g.Shape} for input {input} of shape {Shape.Format(dims)}", ex);
        }
    }

    [MethodImpl(CodeGen.Hot)]
    private static void Accumulate(Node node, Tensor g, bool createGraph)
    {
        Tensor? buffer = node.Buffer;
        if (buffer is null)
        {
            node.Buffer = g;
            node.BufferOwned = false;
        }
        else if (node.BufferOwned && buffer.TryAddIntoRaw(g)) { }
        else
        {
            node.Buffer = buffer + g;
            node.BufferOwned = !createGraph;
        }
    }

    [MethodImpl(CodeGen.Hot)]
    private static void Deliver(Tensor leaf, Tensor g, bool createGraph, Dictionary<Tensor, int>? leafTargets, Tensor?[] captured)
    {
        if (leaf.Hooks is { } hooks)
            foreach (var hook in hooks.ToArray())
                g = CheckedHookResult(hook(g), g, "leaf hook");
        if (leafTargets is not null)
        {
            if (leafTargets.TryGetValue(leaf, out int slot))
                captured[slot] = captured[slot] is null ? g : captured[slot]! + g;
            return;
        }
        leaf.Grad = AccumulateInto(leaf.Grad, g, createGraph);
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
}
