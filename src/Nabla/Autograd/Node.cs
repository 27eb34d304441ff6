using System.Runtime.CompilerServices;
namespace Nabla.Graph;

/// <summary>
/// A recorded operation in the computation graph: it knows its inputs and how to turn the gradient
/// of its output into gradients of its inputs. Named <c>&lt;Op&gt;Backward</c>, as in PyTorch.
/// </summary>
/// <remarks>
/// A rule returns one gradient per input (null where an input needs none) shaped like the op's
/// broadcast view of that input; the engine reduces it to the input's own shape and sums gradients
/// that meet at one tensor. See Note [Engine].
/// </remarks>
public abstract class Node
{
    // The edges to the inputs: up to two inline (no array per node), more in an array (see Note [Node construction]).
    private EdgePair _edgePair;
    private readonly Edge[]? _edgeArray;
    private readonly byte _arity;

    /// <summary>The dtype of the tensor this node produced (set when it is attached; read through edges).</summary>
    internal DType OutputDType
    {
        get => (DType)_outputDType;
        set => _outputDType = (byte)value;
    }

    // Small state packed into bytes, so that a node of a 0-d op stays 120 bytes (see Note [Node construction]).
    private byte _outputDType;
    private byte _flags;

    private const byte ReleasedFlag = 1, AttachedFlag = 2, AnomalyFlag = 4, BufferOwnedFlag = 8, AccumulatesFlag = 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Flag(byte bit) => (_flags & bit) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetFlag(byte bit, bool on) => _flags = on ? (byte)(_flags | bit) : (byte)(_flags & ~bit);
    // Saved tensors and their versions: two inline slots (almost every rule saves at most two), then a list.
    private Tensor? _saved0, _saved1;
    private int _version0, _version1;
    // Rarely used state (a third saved tensor, hooks, retain_grad) lives in one side object, so that a node of a
    // 0-d op stays small (see Note [Node construction]).
    private Extras? _extras;
    internal bool Released
    {
        get => Flag(ReleasedFlag);
        set => SetFlag(ReleasedFlag, value);
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

    // Engine bookkeeping for the backward pass in progress (see Note [Engine]); valid while RunId matches.
    internal long RunId;
    internal int Pending;
    internal Tensor? Buffer;
    internal bool BufferOwned
    {
        get => Flag(BufferOwnedFlag);
        set => SetFlag(BufferOwnedFlag, value);
    }

    /// <summary>Bit i set: the engine already added input i's gradient into its destination (see Note [Fused accumulation]).</summary>
    internal byte FusedInputs;

    /// <summary>
    /// Adds this node's gradient for input <paramref name="input"/> straight into <paramref name="into"/> (an engine-owned
    /// buffer or a leaf's gradient, of the input's shape) when the rule can do so exactly as computing it and then adding
    /// it would; false (nothing changed) otherwise. See Note [Fused accumulation] in Engine.cs.
    /// </summary>
    internal virtual bool TryAccumulateGrad(int input, Tensor grad, Tensor into) => false;

    /// <summary>True for rules that override <see cref="TryAccumulateGrad"/> (a field: the engine asks for every node).</summary>
    internal bool CanAccumulateGrad
    {
        get => Flag(AccumulatesFlag);
        private protected set => SetFlag(AccumulatesFlag, value);
    }

    /// <summary>Creates a node for an op over the given inputs (null entries are absent optional inputs).</summary>
    protected Node(string name, params Tensor?[] inputs)
        : this(name, (ReadOnlySpan<Tensor?>)(inputs ?? throw new ArgumentNullException(nameof(inputs)))) { }

    // Note [Node construction]
    // Recording an op allocates the node, nothing else: the inputs arrive as a params span (which the compiler
    // builds on the stack), an input array exists only in anomaly mode, which keeps it, and the edges of a node
    // with one or two inputs live inline in the node (an inline array of two 16-byte edges; an edge keeps its node
    // or leaf and the input's shape, and reads the dtype from its target), so only a node of three or more inputs
    // has an edge array. Per-op cost matters for graphs of 0-d tensors (micrograd style: one node per scalar op),
    // where a binary op's node was 160 bytes in two objects (node and edge array) and is 120 in one (flags and the
    // output dtype packed into bytes).

    /// <summary>Creates a node for an op over the given inputs (null entries are absent optional inputs).</summary>
    [MethodImpl(CodeGen.Hot)]
    protected Node(string name, params ReadOnlySpan<Tensor?> inputs)
    {
        Name = name;
        if (inputs.Length > 2) _edgeArray = new Edge[inputs.Length];
        else _arity = (byte)inputs.Length;
        Span<Edge> edges = EdgeSpan;
        for (int i = 0; i < inputs.Length; i++) edges[i] = EdgeTo(inputs[i]);
        // See Note [Anomaly mode]: the only cost outside it is this thread-static read.
        if (Autograd.IsAnomalyEnabled) AnomalyRecord.Capture(this, inputs.ToArray());
    }

    private static Edge EdgeTo(Tensor? t) =>
        t is null || !t.RequiresGrad ? default : new Edge(t.GradFn, t.IsLeaf ? t : null, t.Dims);

    /// <summary>The edges to this node's inputs, one per input (default for an input that needs no gradient).</summary>
    internal ReadOnlySpan<Edge> Edges
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => EdgeSpan;
    }

    // NOTE: asked for several times per node in backward, so it must stay a couple of instructions (inlined).
    private Span<Edge> EdgeSpan
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _edgeArray is { } array ? array : System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref _edgePair[0], _arity);
    }

    /// <summary>The edge to input <paramref name="index"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Edge EdgeAt(int index) =>
        _edgeArray is { } array ? array[index]
        : (uint)index < _arity ? _edgePair[index]
        : throw new ArgumentOutOfRangeException(nameof(index), $"{Name} has {_arity} inputs, asked for input {index}");

    [InlineArray(2)]
    private struct EdgePair
    {
        private Edge _edge;
    }

    /// <summary>
    /// Where in the caller's code the op was created (a stack trace), recorded only inside
    /// <see cref="Autograd.DetectAnomaly"/>; null otherwise.
    /// </summary>
    public string? CreationTrace => AnomalyRecord.Of(this)?.Trace;

    internal bool HasDifferentiableInput
    {
        get
        {
            foreach (Edge e in Edges)
                if (e.IsSet) return true;
            return false;
        }
    }

    /// <summary>The node's name, such as <c>MulBackward</c>.</summary>
    public string Name { get; }

    /// <summary>The nodes that produced this node's inputs (null for leaves and inputs without a gradient).</summary>
    public IReadOnlyList<Node?> NextFunctions() => Edges.ToArray().Select(e => e.Fn).ToArray();

    /// <summary>The shapes of this node's inputs that require a gradient (null for the others).</summary>
    public IReadOnlyList<Shape?> InputShapes() => Edges.ToArray().Select(e => e.IsSet ? new Shape(e.Dims!) : (Shape?)null).ToArray();

    /// <summary>Whether input <paramref name="index"/> needs a gradient.</summary>
    protected bool NeedsGrad(int index) => EdgeAt(index).IsSet;

    /// <summary>
    /// Remembers a tensor the backward rule will read, with its current version, so that an in-place
    /// change before backward is reported instead of producing a wrong gradient.
    /// </summary>
    [MethodImpl(CodeGen.Hot)]
    protected Tensor Save(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (_saved0 is null) (_saved0, _version0) = (tensor, tensor.Version);
        else if (_saved1 is null) (_saved1, _version1) = (tensor, tensor.Version);
        else ((_extras ??= new()).SavedMore ??= []).Add((tensor, tensor.Version));
        return tensor;
    }

    /// <summary>The first (<paramref name="slot"/> 0) or second tensor given to <see cref="Save"/>, until released.</summary>
    private protected Tensor? Saved(int slot) => slot == 0 ? _saved0 : _saved1;

    [MethodImpl(CodeGen.Hot)]
    internal void CheckSavedVersions()
    {
        if (_saved0 is not null) CheckVersion(_saved0, _version0);
        if (_saved1 is not null) CheckVersion(_saved1, _version1);
        if (_extras?.SavedMore is { } more)
            foreach (var (t, v) in more) CheckVersion(t, v);
    }

    private void CheckVersion(Tensor t, int expected)
    {
        if (t.Version != expected)
            throw new InvalidOperationException(
                $"backward: a tensor of shape {t.Shape} saved by {Name} was modified by an in-place operation " +
                $"(its version is {t.Version}, expected {expected}); make a copy with Clone() before modifying it");
    }

    /// <summary>Maps the gradient of the output to one gradient per input, written in differentiable ops.</summary>
    public abstract Tensor?[] Backward(Tensor grad);

    /// <summary>
    /// The engine's entry point: <see cref="Backward(Tensor)"/>, except that a built-in rule may write its gradients
    /// into <paramref name="scratch"/> (an engine-owned array of <c>Edges.Length</c> nulls, read before the next
    /// node runs) and return it instead of allocating a result array. See Note [Engine].
    /// </summary>
    internal virtual Tensor?[] BackwardInto(Tensor grad, Tensor?[] scratch) => Backward(grad);

    [MethodImpl(CodeGen.Hot)]
    internal void Release()
    {
        Released = true;
        _saved0 = _saved1 = null;
        if (_extras is not null) _extras.SavedMore = null;
        Span<Edge> edges = EdgeSpan;
        for (int i = 0; i < edges.Length; i++)
            if (edges[i].IsSet) edges[i] = edges[i].Detached();
        ReleaseSaved();
    }

    /// <summary>Drops references to saved tensors once the graph is freed.</summary>
    protected virtual void ReleaseSaved() { }

    /// <inheritdoc/>
    public override string ToString() => Name;

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

    private sealed class Extras
    {
        public List<(Tensor Tensor, int Version)>? SavedMore;
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
    // The producing node or the leaf (never both) in one field, and the input's dtype read from it rather than
    // stored: an edge is two references (16 bytes), so two fit inline in a node (see Note [Node construction]).
    private readonly object? _target;

    public Edge(Node? fn, Tensor? leaf, int[]? dims)
    {
        System.Diagnostics.Debug.Assert(fn is null || leaf is null, "an edge goes to a node or to a leaf");
        _target = (object?)fn ?? leaf;
        Dims = dims;
    }

    /// <summary>The node that produced the input, or null (a leaf, an input without gradient, or a released edge).</summary>
    public Node? Fn => _target is Tensor ? null : System.Runtime.CompilerServices.Unsafe.As<Node>(_target);

    /// <summary>The leaf to accumulate into, or null.</summary>
    public Tensor? Leaf => _target as Tensor;

    /// <summary>The input's shape (null for an input that needs no gradient).</summary>
    public int[]? Dims { get; }

    /// <summary>The input's dtype: the leaf's, or that of the tensor the node produced. Only for a set, unreleased edge.</summary>
    public DType DType => _target is Tensor leaf ? leaf.DType
        : _target is not null ? System.Runtime.CompilerServices.Unsafe.As<Node>(_target).OutputDType
        : throw new InvalidOperationException("internal: the dtype of an edge without a target (unset or released)");

    public bool IsSet => Dims is not null;

    /// <summary>The same edge with its node or leaf dropped (after the graph is released).</summary>
    public Edge Detached() => new(null, null, Dims);
}
