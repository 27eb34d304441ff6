using System.Runtime.CompilerServices;
namespace Nabla.Graph;

/// <summary>
/// A recorded operation in the computation graph: it knows its inputs and how to turn the gradient of its output
/// into gradients of its inputs. Its <see cref="Name"/> is its class name, <c>&lt;Op&gt;Backward</c> as in PyTorch.
/// </summary>
/// <remarks>
/// <para>A rule is written in three steps (Note [Backward rules]): the constructor passes the op's inputs to the base
/// and <see cref="Save"/>s what the rule will read; <see cref="Backward"/> reads it back with <see cref="Saved"/> and
/// returns one gradient per input (null where an input needs none), shaped like the op's broadcast view of that
/// input. The engine reduces each gradient to its input's shape, sums gradients that meet at one tensor, checks that
/// no saved tensor was modified in place, and releases the saved tensors after backward.</para>
/// <code>
/// // d e^x/dx = e^x: reuse the saved output
/// sealed class ExpBackward : Node
/// {
///     public ExpBackward(Tensor x, Tensor y) : base(x) => Save(y);
///     public override Tensor?[] Backward(Tensor grad) => [grad * Saved(0)];
/// }
/// </code>
/// </remarks>
public abstract class Node
{
    // Note [Backward rules]
    // One protocol for every rule: inputs go to the base constructor (null for an absent optional input), saved
    // tensors go through Save and come back by position through Saved, and Backward returns one gradient per input,
    // written in differentiable tensor ops so that the same rule gives second derivatives under createGraph. The
    // base owns the saved tensors: it records their versions (an in-place change before backward is an error, not a
    // wrong gradient) and drops them when the graph is released. Rules never reduce broadcast gradients or sum
    // fan-in: the engine does both, once (Note [Engine]). A few rules also implement IFastBackward (Note [Fast paths]).

    // Note [Node layout]
    // Recording an op allocates the node and nothing else, which is what an op on 0-d tensors (micrograd style, one
    // node per scalar op) costs. So the edges of a node with one or two inputs live inline (an edge is two
    // references), the first two saved tensors live in fields, flags and the output dtype are packed into bytes, and
    // rarely used state (more saved tensors, hooks, retain_grad) lives in one side object. The engine's per-run
    // state (RunId, Pending, Buffer) lives here too, so the backward walk needs no dictionary (Note [Engine]).
    private EdgePair _edgePair;
    private readonly Edge[]? _edgeArray;
    private readonly byte _arity;
    private byte _outputDType;
    private byte _flags;
    private const byte ReleasedFlag = 1, AttachedFlag = 2, AnomalyFlag = 4, BufferOwnedFlag = 8, AwaitingRecomputeFlag = 16;
    private readonly string? _name;
    private Tensor? _saved0, _saved1;
    private int _version0, _version1;
    private byte _savedCount;
    private Extras? _extras;

    // Engine bookkeeping for the backward pass in progress, valid while RunId matches (Note [Engine]).
    internal long RunId;
    internal int Pending;
    internal Tensor? Buffer;

    /// <summary>Creates a node over the op's inputs (null entries are absent optional inputs).</summary>
    [MethodImpl(CodeGen.Hot)]
    protected Node(params ReadOnlySpan<Tensor?> inputs)
    {
        if (inputs.Length > 2) _edgeArray = new Edge[inputs.Length];
        else _arity = (byte)inputs.Length;
        Span<Edge> edges = EdgeSpan;
        for (int i = 0; i < inputs.Length; i++) edges[i] = EdgeTo(inputs[i]);
        // See Note [Anomaly mode]: the only cost outside it is this thread-static read.
        if (Autograd.IsAnomalyEnabled) AnomalyRecord.Capture(this, inputs.ToArray());
    }

    /// <summary>Creates a node that shows <paramref name="name"/> instead of its class name (for custom ops).</summary>
    protected Node(string name, params ReadOnlySpan<Tensor?> inputs) : this(inputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _name = name;
    }

    /// <summary>The node's name, such as <c>MulBackward</c>: its class name unless given to the constructor.</summary>
    public string Name => _name ?? GetType().Name;

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Maps the gradient of the output to one gradient per input (null where none is needed), in differentiable ops.</summary>
    public abstract Tensor?[] Backward(Tensor grad);

    /// <summary>Whether input <paramref name="index"/> needs a gradient.</summary>
    protected bool NeedsGrad(int index) => EdgeAt(index).IsSet;

    /// <summary>
    /// Keeps a tensor for the rule, in the next position (0, 1, ...; null keeps a position empty). Its version is
    /// recorded, so that an in-place change before backward is reported instead of producing a wrong gradient.
    /// </summary>
    [MethodImpl(CodeGen.Hot)]
    protected void Save(Tensor? tensor)
    {
        int slot = _savedCount++;
        int version = tensor?.Version ?? 0;
        if (slot == 0) (_saved0, _version0) = (tensor, version);
        else if (slot == 1) (_saved1, _version1) = (tensor, version);
        else ((_extras ??= new()).SavedMore ??= []).Add((tensor, version));
    }

    /// <summary>The tensor saved in position <paramref name="slot"/> by <see cref="Save"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    protected Tensor Saved(int slot)
    {
        Tensor? t = slot switch { 0 => _saved0, 1 => _saved1, _ => SavedMore(slot) };
        return t ?? throw new InvalidOperationException(
            Released ? $"{Name}: its saved tensors were freed by an earlier backward pass"
                     : $"internal: {Name} read saved tensor {slot}, which it did not save");
    }

    private Tensor? SavedMore(int slot) =>
        _extras?.SavedMore is { } more && slot - 2 < more.Count ? more[slot - 2].Tensor : null;

    [MethodImpl(CodeGen.Hot)]
    internal void CheckSavedVersions()
    {
        // See Note [Checkpoint frames]: the first rule of a checkpointed segment to run recomputes the segment.
        if (Flag(AwaitingRecomputeFlag)) _extras!.Frame!.Recompute();
        if (_saved0 is not null) CheckVersion(_saved0, _version0);
        if (_saved1 is not null) CheckVersion(_saved1, _version1);
        if (_extras?.SavedMore is { } more)
            foreach (var (t, v) in more)
                if (t is not null) CheckVersion(t, v);
    }

    private void CheckVersion(Tensor t, int expected)
    {
        if (t.Version != expected)
            throw new InvalidOperationException(
                $"backward: a tensor of shape {t.Shape} saved by {Name} was modified by an in-place operation " +
                $"(its version is {t.Version}, expected {expected}); make a copy with Clone() before modifying it");
    }

    /// <summary>The number of positions <see cref="Save"/> filled (empty positions included).</summary>
    internal int SavedCount => _savedCount;

    /// <summary>The tensor in position <paramref name="slot"/> with its recorded version (null for an empty or dropped position).</summary>
    internal (Tensor? Tensor, int Version) SavedEntry(int slot) => slot switch
    {
        0 => (_saved0, _version0),
        1 => (_saved1, _version1),
        _ => _extras!.SavedMore![slot - 2],
    };

    /// <summary>
    /// Hands this node to a checkpoint <paramref name="frame"/> (Note [Checkpoint frames]): its saved tensors are dropped,
    /// their versions kept, and the first backward rule of the frame to run refills them by recomputation.
    /// </summary>
    internal void DropSavedFor(CheckpointFrame frame)
    {
        bool holdsState = DropOwnState();
        if (_savedCount == 0 && !holdsState) return;
        _saved0 = _saved1 = null;
        if (_extras?.SavedMore is { } more)
            for (int i = 0; i < more.Count; i++) more[i] = (null, more[i].Version);
        (_extras ??= new()).Frame = frame;
        SetFlag(AwaitingRecomputeFlag, true);
    }

    /// <summary>
    /// Takes the saved tensors of <paramref name="twin"/>, the same op recorded again by the recomputation of this
    /// node's checkpoint (Note [Checkpoint frames]). The twin keeps them too: a saved tensor's graph may be walked again
    /// (a composite op's inner graph, a second derivative), and it dies with the recomputed segment anyway.
    /// </summary>
    internal void TakeSavedFrom(Node twin)
    {
        (_saved0, _version0, _saved1, _version1) = (twin._saved0, twin._version0, twin._saved1, twin._version1);
        if (twin._extras?.SavedMore is { } more) _extras!.SavedMore = [.. more];
        TakeOwnState(twin, move: !Autograd.IsGradEnabled);
        SetFlag(AwaitingRecomputeFlag, false);
    }

    /// <summary>
    /// For a rule that keeps state of its own beside its saved tensors (a pooled buffer): drops it when the node joins a
    /// checkpoint and returns true; the default holds none. See Note [Checkpoint frames].
    /// </summary>
    internal virtual bool DropOwnState() => false;

    /// <summary>Takes the state <see cref="DropOwnState"/> dropped from the recomputed <paramref name="twin"/> (a copy unless <paramref name="move"/>).</summary>
    internal virtual void TakeOwnState(Node twin, bool move) { }

    internal bool AwaitingRecompute => Flag(AwaitingRecomputeFlag);

    /// <summary>The checkpoint this node's dropped tensors belong to, or null (Note [Checkpoint frames]).</summary>
    internal CheckpointFrame? Frame => _extras?.Frame;

    /// <summary>Drops the saved tensors and the edges' targets, after a backward pass that does not retain the graph.</summary>
    [MethodImpl(CodeGen.Hot)]
    internal void Release()
    {
        Released = true;
        _saved0 = _saved1 = null;
        if (_extras is not null) _extras.SavedMore = null;
        Span<Edge> edges = EdgeSpan;
        for (int i = 0; i < edges.Length; i++)
            if (edges[i].IsSet) edges[i] = edges[i].Detached();
        if (this is IFastBackward fast) fast.ReturnBuffers();
    }

    /// <summary>
    /// Where in the caller's code the op was created (a stack trace), recorded only inside
    /// <see cref="Autograd.DetectAnomaly"/>; null otherwise.
    /// </summary>
    public string? CreationTrace => AnomalyRecord.Of(this)?.Trace;

    /// <summary>The nodes that produced this node's inputs (null for leaves and inputs without a gradient).</summary>
    public IReadOnlyList<Node?> NextFunctions() => Edges.ToArray().Select(e => e.Fn).ToArray();

    /// <summary>The shapes of this node's inputs that require a gradient (null for the others).</summary>
    public IReadOnlyList<Shape?> InputShapes() => Edges.ToArray().Select(e => e.IsSet ? new Shape(e.Dims!) : (Shape?)null).ToArray();

    /// <summary>The edges to this node's inputs, one per input (default for an input that needs no gradient).</summary>
    internal ReadOnlySpan<Edge> Edges
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => EdgeSpan;
    }

    private Span<Edge> EdgeSpan
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _edgeArray is { } array ? array : System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref _edgePair[0], _arity);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Edge EdgeAt(int index) =>
        _edgeArray is { } array ? array[index]
        : (uint)index < _arity ? _edgePair[index]
        : throw new ArgumentOutOfRangeException(nameof(index), $"{Name} has {_arity} inputs, asked for input {index}");

    private static Edge EdgeTo(Tensor? t) =>
        t is null || !t.RequiresGrad ? default : new Edge(t.GradFn, t.IsLeaf ? t : null, t.Dims);

    internal bool HasDifferentiableInput
    {
        get
        {
            foreach (Edge e in Edges)
                if (e.IsSet) return true;
            return false;
        }
    }

    /// <summary>The dtype of the tensor this node produced (set when it is attached; read through edges).</summary>
    internal DType OutputDType
    {
        get => (DType)_outputDType;
        set => _outputDType = (byte)value;
    }

    internal bool Released
    {
        get => Flag(ReleasedFlag);
        private set => SetFlag(ReleasedFlag, value);
    }

    internal bool IsAttached
    {
        get => Flag(AttachedFlag);
        set => SetFlag(AttachedFlag, value);
    }

    /// <summary>True when anomaly mode recorded this node's creation (kept in a side table: see Note [Anomaly mode]).</summary>
    internal bool HasAnomalyRecord
    {
        get => Flag(AnomalyFlag);
        set => SetFlag(AnomalyFlag, value);
    }

    /// <summary>
    /// True when every gradient <see cref="Backward"/> returns is a tensor it just made and keeps no reference to, so
    /// the engine may take it as a buffer of its own and add later gradients into it in place (Note [Engine]).
    /// </summary>
    internal virtual bool ReturnsFreshGradients => false;

    /// <summary>Whether <see cref="Buffer"/> holds a sum the engine allocated itself, which it may add into in place.</summary>
    internal bool BufferOwned
    {
        get => Flag(BufferOwnedFlag);
        set => SetFlag(BufferOwnedFlag, value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Flag(byte bit) => (_flags & bit) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetFlag(byte bit, bool on) => _flags = on ? (byte)(_flags | bit) : (byte)(_flags & ~bit);

    /// <summary>Hooks registered on the output tensor, run on its gradient before the rule.</summary>
    internal List<Func<Tensor, Tensor?>>? PreHooks
    {
        get => _extras?.PreHooks;
        set => (_extras ??= new()).PreHooks = value;
    }

    /// <summary>The output tensor that called <see cref="Tensor.RetainGrad"/>, if any.</summary>
    internal Tensor? RetainTarget
    {
        get => _extras?.RetainTarget;
        set => (_extras ??= new()).RetainTarget = value;
    }

    [InlineArray(2)]
    private struct EdgePair
    {
        private Edge _edge;
    }

    private sealed class Extras
    {
        public List<(Tensor? Tensor, int Version)>? SavedMore;
        public CheckpointFrame? Frame;
        public List<Func<Tensor, Tensor?>>? PreHooks;
        public Tensor? RetainTarget;
    }
}

/// <summary>
/// Where an input's gradient goes: the node that produced it, or the leaf to accumulate into. A default edge
/// (no dims) stands for an input that needs no gradient.
/// </summary>
internal readonly struct Edge
{
    // The producing node or the leaf (never both) in one field; the input's dtype is read from it rather than stored
    // (Note [Node layout]).
    private readonly object? _target;

    public Edge(Node? fn, Tensor? leaf, int[]? dims)
    {
        System.Diagnostics.Debug.Assert(fn is null || leaf is null, "an edge goes to a node or to a leaf");
        _target = (object?)fn ?? leaf;
        Dims = dims;
    }

    /// <summary>The node that produced the input, or null (a leaf, an input without gradient, or a released edge).</summary>
    public Node? Fn => _target is Tensor ? null : Unsafe.As<Node>(_target);

    /// <summary>The leaf to accumulate into, or null.</summary>
    public Tensor? Leaf => _target as Tensor;

    /// <summary>The input's shape (null for an input that needs no gradient).</summary>
    public int[]? Dims { get; }

    /// <summary>The input's dtype: the leaf's, or that of the tensor the node produced. Only for a set, unreleased edge.</summary>
    public DType DType => _target is Tensor leaf ? leaf.DType
        : _target is not null ? Unsafe.As<Node>(_target).OutputDType
        : throw new InvalidOperationException("internal: the dtype of an edge without a target (unset or released)");

    public bool IsSet => Dims is not null;

    /// <summary>The same edge with its node or leaf dropped (after the graph is released).</summary>
    public Edge Detached() => new(null, null, Dims);
}
