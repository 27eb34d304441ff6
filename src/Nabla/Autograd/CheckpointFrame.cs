namespace Nabla.Graph;

// Note [Checkpoint frames]
// Checkpoint.Run is PyTorch's non-reentrant checkpoint: the segment's forward records its graph as usual (so
// parameters inside get gradients, Autograd.Grad works, and no input needs to require a gradient), but keeps none of
// the tensors its rules saved. While a frame is current on the thread, every node attached to a result
// (Tensor.SetGradFn, the one place a node joins the graph) is listed in the frame in order and drops its saved tensors,
// keeping their versions; rules with state of their own (a pooled index buffer) drop it through DropOwnState. The
// frame keeps the segment's inputs with their versions and the state, before its first draw, of every generator the
// segment drew from (Generator.Use). The first rule of the frame that backward runs (Node.CheckSavedVersions, which the
// engine calls before every rule, fast paths included) recomputes the segment: generators set back, the function run
// again under grad mode and the forward's autocast settings (with an autocast weight cache of its own: the engine runs
// rules with autocast off, and the forward's cache is gone) on the same inputs, the i-th node attached in the recomputation handing its saved tensors to
// the i-th node of the forward, then the generators restored to where the program had them. The op, the saved count,
// each saved tensor's shape and dtype and its version must match, else the error names the checkpoint and both
// counts. The recomputed nodes keep their tensors too: a rule may walk a saved tensor's graph (a composite op's inner
// graph; createGraph's second derivatives), and the recomputed graph dies with the segment's last rule. A checkpoint met inside a
// recomputation is a fresh frame of the discarded graph: nested segments are recomputed again when backward reaches
// them, trading compute for memory at every level.

/// <summary>One call of <see cref="Checkpoint.Run(Func{Tensor[], Tensor[]}, Tensor[])"/>: what it needs to recompute its segment. See Note [Checkpoint frames].</summary>
internal sealed class CheckpointFrame
{
    [ThreadStatic] private static CheckpointFrame? t_current;

    private readonly string _description;
    private Func<Tensor[], Tensor[]>? _function;
    private Tensor[]? _inputs;
    private readonly int[] _inputVersions;
    private List<Node>? _nodes = [];
    private readonly List<(int[]? Dims, DType DType)> _saved = [];
    private readonly List<(Generator Generator, ulong[] State)> _generators = [];
    private CheckpointFrame? _parent;

    // During a recomputation.
    private bool _recomputing;
    private int _cursor, _recordedSaves, _recomputedOps, _recomputedSaves;
    private string? _difference;
    private List<(Generator Generator, ulong[] State)>? _restore;

    private readonly bool _preserveRngState;
    private readonly Autocast.Settings _autocast = Autocast.Capture();

    public CheckpointFrame(string name, Func<Tensor[], Tensor[]> function, Tensor[] inputs, bool preserveRngState)
    {
        (_description, _function, _inputs, _preserveRngState) = (name, function, inputs, preserveRngState);
        _inputVersions = new int[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) _inputVersions[i] = inputs[i].Version;
    }

    /// <summary>The inputs the frame keeps for its recomputation (null once it has recomputed).</summary>
    public IReadOnlyList<Tensor>? HeldInputs => _inputs;

    /// <summary>The frame whose forward or recomputation is running on this thread, or null.</summary>
    public static CheckpointFrame? Current => t_current;

    /// <summary>Runs the segment's forward with this frame current; its nodes drop their saved tensors.</summary>
    public Tensor[] Forward()
    {
        Push();
        try
        {
            return _function!(_inputs!);
        }
        finally
        {
            Pop();
        }
    }

    /// <summary>Called by <see cref="Tensor.SetGradFn"/> for a node joining the graph while this frame is current.</summary>
    public void Attach(Node node)
    {
        if (_recomputing)
        {
            Fill(node);
            return;
        }
        _nodes!.Add(node);
        for (int i = 0; i < node.SavedCount; i++)
        {
            Tensor? t = node.SavedEntry(i).Tensor;
            _saved.Add((t?.Dims, t?.DType ?? default));
        }
        _recordedSaves += node.SavedCount;
        node.DropSavedFor(this);
    }

    /// <summary>Tells every frame on this thread that <paramref name="generator"/> is about to be drawn from.</summary>
    public static void NoteGenerator(Generator generator)
    {
        for (CheckpointFrame? f = t_current; f is not null; f = f._parent)
        {
            if (!f._preserveRngState) continue;
            var list = f._recomputing ? f._restore! : f._generators;
            if (!Contains(list, generator)) list.Add((generator, generator.GetState()));
        }
    }

    private static bool Contains(List<(Generator Generator, ulong[] State)> list, Generator g)
    {
        foreach (var entry in list)
            if (ReferenceEquals(entry.Generator, g)) return true;
        return false;
    }

    /// <summary>Recomputes the segment once and fills the saved tensors of its nodes (Note [Checkpoint frames]).</summary>
    public void Recompute()
    {
        if (_nodes is null) return;
        Tensor[] inputs = _inputs!;
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].Version != _inputVersions[i])
                throw new InvalidOperationException(
                    $"{Name}: input {i} (shape {inputs[i].Shape}) was modified by an in-place operation after the forward " +
                    $"(its version is {inputs[i].Version}, expected {_inputVersions[i]}); the segment cannot be recomputed. " +
                    "Pass a copy (Clone()) to the checkpoint, or modify a copy");
        _restore = [];
        foreach (var (g, state) in _generators)
        {
            _restore.Add((g, g.GetState()));
            g.SetState(state);
        }
        (_recomputing, _cursor, _recomputedOps, _recomputedSaves, _difference) = (true, 0, 0, 0, null);
        Push();
        try
        {
            using (Autograd.EnableGrad())
            using (Autocast.Restore(_autocast))
                _function!(inputs);
        }
        finally
        {
            Pop();
            _recomputing = false;
            foreach (var (g, state) in _restore) g.SetState(state);
            _restore = null;
        }
        if (_difference is not null || _recomputedOps != _nodes.Count)
            throw new InvalidOperationException(
                $"{Name}: the recomputation differs from the original forward ({_difference ?? "a different number of operations"}): " +
                $"the forward recorded {_nodes.Count} operations saving {_recordedSaves} tensors, the recomputation " +
                $"{_recomputedOps} saving {_recomputedSaves}. A checkpointed function must do the same operations on every " +
                "call: no branches on values that change between the forward and the backward, no change of training mode");
        // Every node is filled: the frame is no longer needed, and lets go of the inputs and the graph.
        (_nodes, _inputs, _function) = (null, null, null);
    }

    private void Fill(Node twin)
    {
        int index = _recomputedOps++;
        _recomputedSaves += twin.SavedCount;
        if (_difference is not null || index >= _nodes!.Count) return;
        Node original = _nodes[index];
        if (original.GetType() != twin.GetType() || original.SavedCount != twin.SavedCount)
        {
            _difference = $"operation {index} is {original.Name} saving {original.SavedCount} tensors in the forward " +
                          $"but {twin.Name} saving {twin.SavedCount} in the recomputation";
            return;
        }
        for (int i = 0; i < twin.SavedCount; i++)
        {
            var (dims, dtype) = _saved[_cursor + i];
            var (t, version) = twin.SavedEntry(i);
            if ((t is null) != (dims is null) || t is not null && (!Nabla.Kernels.Strided.SameDims(t.Dims, dims!) || t.DType != dtype))
            {
                _difference = $"tensor {i} saved by {twin.Name} (operation {index}) is {Describe(t?.Dims, t?.DType)} in the " +
                              $"recomputation but was {Describe(dims, dtype)} in the forward";
                return;
            }
            int expected = original.SavedEntry(i).Version;
            if (t is not null && version != expected)
                throw new InvalidOperationException(
                    $"{Name}: a tensor of shape {t.Shape} saved by {twin.Name} was modified by an in-place operation between " +
                    $"the forward and the backward (its version is {version}, expected {expected}); make a copy with Clone() " +
                    "before modifying it");
        }
        _cursor += twin.SavedCount;
        if (original.AwaitingRecompute && !original.Released) original.TakeSavedFrom(twin);
    }

    /// <summary>The checkpoint as messages name it (formatted only for a message: the forward runs every step).</summary>
    private string Name => $"{_description} (inputs {string.Join(", ", _inputs!.Select(t => t.Shape.ToString()))})";

    private static string Describe(int[]? dims, DType? dtype) =>
        dims is null ? "absent" : $"{Shape.Format(dims)} {dtype!.Value.Name()}";

    private void Push()
    {
        _parent = t_current;
        t_current = this;
    }

    private void Pop()
    {
        t_current = _parent;
        _parent = null;
    }
}
