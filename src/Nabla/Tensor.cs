using System.Runtime.CompilerServices;
using Nabla.Graph;
using Nabla.Kernels;

namespace Nabla;

/// <summary>
/// An n-dimensional array with a dtype, a shape, element strides and an offset into a shared
/// <see cref="Storage"/>, that can record the operations applied to it for reverse-mode differentiation.
/// </summary>
/// <remarks>
/// Tensors are ordinary managed objects: there is nothing to dispose. Views (reshape of a contiguous
/// tensor, transpose, permute, narrow, slicing, expand, squeeze, unsqueeze) share storage with their base.
/// </remarks>
public sealed partial class Tensor
{
    // Note [Tensor layout]
    // A graph of 0-d tensors (micrograd style) allocates one result per op in forward and one per gradient in
    // backward, so the bytes of a fresh small tensor are most of what such a program allocates, and allocation
    // (zeroing, page faults, collections) most of its time. A fresh tensor is therefore two objects, itself and
    // its element array: the Storage (the version counter shared with views, and the owner token of a recycled
    // buffer) is created only when it is first needed -- a view, Detach, an in-place bump -- and until then the
    // version is implicitly 0. A recycled buffer (Note [Buffer reuse]) comes with its Storage from the start.
    // The rarely used per-tensor state (the Storage once made, the gradient, leaf hooks, retain_grad) lives in one
    // side object, so that the tensor itself is 72 bytes (5 references, numel, offset, dtype and two flags); a
    // view or a tensor with a gradient pays for the side object instead.
    // _data, StrideArray, Offset, _dtype and _isContiguous change only in ConvertInPlace (Module.To).
    private Array _data;
    internal readonly int[] Dims;
    internal int[] StrideArray;
    internal int Offset;
    private readonly long _numel;
    private byte _dtype;
    private bool _isContiguous;
    private bool _requiresGrad;
    private Extras? _extras;

    private sealed class Extras
    {
        public Storage? Storage;
        public Tensor? Grad;
        public List<Func<Tensor, Tensor?>>? Hooks;
        public bool RetainsGrad;
        public PostAccumulateHooks? PostAccumulate;
    }

    [MethodImpl(CodeGen.Hot)]
    internal Tensor(Storage storage, int[] dims, int[] strides, int offset)
    {
        _extras = new Extras { Storage = storage };
        _data = storage.Data;
        _dtype = (byte)storage.DType;
        Dims = dims;
        StrideArray = strides;
        Offset = offset;
        _isContiguous = Strided.IsContiguous(dims, strides);
        _numel = Strided.Numel(dims);
    }

    /// <summary>A contiguous tensor over the start of <paramref name="storage"/> (row-major strides are contiguous by construction).</summary>
    [MethodImpl(CodeGen.Hot)]
    internal Tensor(Storage storage, int[] dims)
    {
        _extras = new Extras { Storage = storage };
        _data = storage.Data;
        _dtype = (byte)storage.DType;
        Dims = dims;
        StrideArray = Strided.ContiguousStrides(dims);
        _isContiguous = true;
        _numel = Strided.Numel(dims);
    }

    /// <summary>A fresh contiguous tensor over the start of <paramref name="data"/>, whose Storage is made when first needed.</summary>
    [MethodImpl(CodeGen.Hot)]
    private Tensor(Array data, DType dtype, int[] dims, long numel)
    {
        _data = data;
        _dtype = (byte)dtype;
        Dims = dims;
        StrideArray = Strided.ContiguousStrides(dims);
        _isContiguous = true;
        _numel = numel;
    }

    /// <summary>The storage shared with this tensor's views (created on first use: see Note [Tensor layout]).</summary>
    internal Storage Storage
    {
        [MethodImpl(CodeGen.Hot)]
        get => _extras?.Storage ?? CreateStorage();
    }

    /// <summary>True when both tensors are over the same elements (the same storage, whether or not it was created yet).</summary>
    internal bool SharesStorage(Tensor other) => ReferenceEquals(_data, other._data);

    private Storage CreateStorage()
    {
        Extras extras = GetExtras();
        Interlocked.CompareExchange(ref extras.Storage, new Storage(_data, DType), null);
        return extras.Storage;
    }

    /// <summary>The side object, made once even under a race (it may come to hold the shared Storage).</summary>
    private Extras GetExtras()
    {
        if (_extras is { } extras) return extras;
        Interlocked.CompareExchange(ref _extras, new Extras(), null);
        return _extras;
    }

    /// <summary>The element type.</summary>
    public DType DType => (DType)_dtype;

    /// <summary>The sizes of the dimensions.</summary>
    public Shape Shape => new(Dims, noCopy: true);

    /// <summary>The number of dimensions (0 for a scalar tensor).</summary>
    public int Rank => Dims.Length;

    /// <summary>The number of elements.</summary>
    public long Numel => _numel;

    /// <summary>The element strides of each dimension.</summary>
    public int[] Strides() => (int[])StrideArray.Clone();

    /// <summary>The offset of the first element in the underlying storage.</summary>
    public int StorageOffset => Offset;

    /// <summary>True when the elements lie in row-major order without gaps.</summary>
    public bool IsContiguous => _isContiguous;

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public int Size(int dim) => Dims[NormalizeDim(dim, Rank, "size")];

    /// <summary>
    /// The in-place modification counter shared with all views of the same storage.
    /// See Note [Version counter].
    /// </summary>
    public int Version => _extras?.Storage?.Version ?? 0;

    /// <summary>
    /// Whether operations on this tensor are recorded for differentiation. Only leaves (tensors created
    /// by the user) may be switched, and only floating-point tensors can require a gradient.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf)
                throw new InvalidOperationException(
                    $"requires_grad: can only be changed on leaf tensors; this tensor was produced by {GradFn!.Name}. Use Detach() to get a leaf.");
            if (value && !DType.IsFloatingPoint())
                throw new InvalidOperationException(
                    $"requires_grad: only floating-point tensors can require a gradient, got dtype {DType.Name()}");
            _requiresGrad = value;
        }
    }

    /// <summary>
    /// The accumulated gradient: filled by <see cref="Backward(Tensor?, bool, bool)"/> for leaves that require
    /// a gradient and for tensors that called <see cref="RetainGrad"/>. Gradients accumulate; zero them between steps.
    /// </summary>
    public Tensor? Grad
    {
        get => _extras?.Grad;
        set
        {
            if (value is null && _extras is null) return;
            GetExtras().Grad = value;
        }
    }

    /// <summary>The node that produced this tensor (named <c>&lt;Op&gt;Backward</c>), or null for leaves.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>True when this tensor was not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>True when <see cref="RetainGrad"/> was called on this non-leaf tensor.</summary>
    public bool RetainsGrad => _extras?.RetainsGrad ?? false;

    internal IReadOnlyList<Func<Tensor, Tensor?>>? Hooks => _extras?.Hooks;

    [MethodImpl(CodeGen.Hot)]
    internal void SetGradFn(Node node)
    {
        GradFn = node;
        _requiresGrad = true;
        node.OutputDType = DType;
        // See Note [Checkpoint frames]: inside a checkpointed segment the node drops what it saved.
        if (CheckpointFrame.Current is { } frame && !node.IsAttached) frame.Attach(node);
        node.IsAttached = true;
        if (node.HasAnomalyRecord) AnomalyRecord.CheckForward(this, node);
    }

    /// <summary>Asks backward to store this non-leaf tensor's gradient in <see cref="Grad"/>.</summary>
    public void RetainGrad()
    {
        if (!_requiresGrad)
            throw new InvalidOperationException("retain_grad: cannot retain the gradient of a tensor that does not require a gradient");
        if (IsLeaf || RetainsGrad) return;
        GetExtras().RetainsGrad = true;
        GradFn!.RetainTarget = this;
    }

    /// <summary>
    /// Registers a hook called with this tensor's gradient during backward. The hook may return a
    /// replacement gradient (same shape) or null to keep it. Dispose the result to remove the hook.
    /// </summary>
    public IDisposable RegisterHook(Func<Tensor, Tensor?> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!_requiresGrad)
            throw new InvalidOperationException("register_hook: cannot register a hook on a tensor that does not require a gradient");
        List<Func<Tensor, Tensor?>> list = IsLeaf ? (GetExtras().Hooks ??= []) : (GradFn!.PreHooks ??= []);
        list.Add(hook);
        return new HookHandle(list, hook);
    }

    /// <summary>Registers a hook that observes this tensor's gradient without replacing it.</summary>
    public IDisposable RegisterHook(Action<Tensor> hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        return RegisterHook(g => { hook(g); return null; });
    }

    private sealed class HookHandle(List<Func<Tensor, Tensor?>> list, Func<Tensor, Tensor?> hook) : IDisposable
    {
        public void Dispose() => list.Remove(hook);
    }

    /// <summary>
    /// Computes the gradient of this tensor with respect to every leaf that requires a gradient and
    /// accumulates it into their <see cref="Grad"/>.
    /// </summary>
    /// <param name="gradient">The upstream gradient, required unless this tensor has one element.</param>
    /// <param name="retainGraph">Keep the graph so that backward can run through it again.</param>
    /// <param name="createGraph">Record the backward pass itself, for higher-order derivatives.</param>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
        => Engine.Backward([this], gradient is null ? null : [gradient], retainGraph || createGraph, createGraph);

    /// <summary>A new leaf that shares storage with this tensor but is cut from the graph.</summary>
    public Tensor Detach() => new(Storage, Dims, StrideArray, Offset);

    // ---- raw element access (kernel boundary) ----

    internal T[] Data<T>() => _data as T[] ?? throw WrongElementType(typeof(T));

    // A kernel asked for elements of another type than the storage holds: a dispatch missed a dtype (see Note [Half compute]).
    private InvalidOperationException WrongElementType(Type asked) =>
        new($"internal error: a kernel read a {DType.Name()} tensor as {asked.Name}; the op does not dispatch dtype {DType.Name()} (convert with .To(DType.Float32) first)");

    /// <summary>The elements of a contiguous tensor as a span over its storage.</summary>
    internal Span<T> Span<T>()
    {
        System.Diagnostics.Debug.Assert(_isContiguous, "Span on a non-contiguous tensor");
        return new Span<T>(Data<T>(), Offset, (int)_numel);
    }

    /// <summary>
    /// Adds <paramref name="other"/> into this tensor's elements when both are contiguous floating-point tensors of the
    /// same shape and dtype (bumping the version); returns false, changing nothing, otherwise. Never recorded.
    /// </summary>
    [MethodImpl(CodeGen.Hot)]
    internal bool TryAddIntoRaw(Tensor other)
    {
        if (!_isContiguous || !other._isContiguous || other.DType != DType || !DType.ComputesNatively()
            || !Strided.SameDims(Dims, other.Dims))
            return false;
        if (_numel == 1)
        {
            if (DType == DType.Float32) Data<float>()[Offset] += other.Data<float>()[other.Offset];
            else Data<double>()[Offset] += other.Data<double>()[other.Offset];
        }
        else if (DType == DType.Float32) System.Numerics.Tensors.TensorPrimitives.Add(Span<float>(), other.Span<float>(), Span<float>());
        else System.Numerics.Tensors.TensorPrimitives.Add(Span<double>(), other.Span<double>(), Span<double>());
        Storage.Version++;
        return true;
    }

    /// <summary>
    /// Gives this tensor the elements of <c>To(dtype)</c> in a new contiguous storage while it stays the same object (PyTorch's
    /// <c>param.data = param.data.to(dtype)</c>), so that optimizers and modules holding it see the conversion. Views made
    /// before keep the old storage; the version moves on, so a graph that saved this tensor refuses to backpropagate.
    /// </summary>
    internal void ConvertInPlace(DType dtype)
    {
        Tensor converted;
        using (Autograd.NoGrad()) converted = Detach().To(dtype).ContiguousData();
        int version = Version;
        _data = converted._data;
        _dtype = (byte)dtype;
        StrideArray = Strided.ContiguousStrides(Dims);
        Offset = converted.Offset;
        _isContiguous = true;
        if (_extras is { } extras) extras.Storage = null;
        Storage.Version = version + 1;
    }

    /// <summary>This tensor if contiguous, else a contiguous copy; never recorded (kernel input).</summary>
    internal Tensor ContiguousData()
    {
        if (IsContiguous) return this;
        var t = Empty(DType, (int[])Dims.Clone());
        CopyInto(t);
        return t;
    }

    /// <summary>Copies this tensor's elements (row-major) into contiguous <paramref name="dst"/> of the same numel and dtype.</summary>
    internal void CopyInto(Tensor dst)
    {
        switch (DType)
        {
            case DType.Float32: Strided.Copy(Data<float>(), Offset, Dims, StrideArray, dst.Span<float>()); break;
            case DType.Float64: Strided.Copy(Data<double>(), Offset, Dims, StrideArray, dst.Span<double>()); break;
            case DType.Int64: Strided.Copy(Data<long>(), Offset, Dims, StrideArray, dst.Span<long>()); break;
            case DType.Bool: Strided.Copy(Data<bool>(), Offset, Dims, StrideArray, dst.Span<bool>()); break;
            case DType.BFloat16: Strided.Copy(Data<BFloat16>(), Offset, Dims, StrideArray, dst.Span<BFloat16>()); break;
            case DType.Float16: Strided.Copy(Data<Half>(), Offset, Dims, StrideArray, dst.Span<Half>()); break;
            default: throw DTypeExtensions.Unknown(DType);
        }
    }

    [MethodImpl(CodeGen.Hot)]
    internal static Tensor Empty(DType dtype, int[] dims, bool zeroed = false)
    {
        long count = Strided.Numel(dims);
        return Storage.TryRent(dtype, count, zeroed) is { } pooled
            ? new(pooled, dims)
            : new(Storage.NewArray(dtype, (int)count, zeroed), dtype, dims, count);
    }

    internal static int NormalizeDim(int dim, int rank, string op)
    {
        int r = Math.Max(rank, 1);
        if (dim < -r || dim >= r)
            throw new ArgumentOutOfRangeException(nameof(dim),
                $"{op}: dimension {dim} is out of range for a tensor of rank {rank} (expected {-r} to {r - 1})");
        return dim < 0 ? dim + r : dim;
    }

    internal static void CheckFloat(Tensor t, string op)
    {
        if (!t.DType.IsFloatingPoint())
            throw new ArgumentException($"{op}: expected a floating-point tensor (float32, float64, bfloat16 or float16), got dtype {t.DType.Name()}; convert with .To(DType.Float32) first");
    }

    internal static void CheckSameDType(Tensor a, Tensor b, string op)
    {
        if (a.DType != b.DType)
            throw new ArgumentException(
                $"{op}: dtype mismatch: {a.DType.Name()} and {b.DType.Name()}; convert one with .To(DType.{b.DType}) or .To(DType.{a.DType}) first");
    }

    /// <summary>Reads the element at a flat row-major index as a double.</summary>
    internal double GetAsDouble(long flatIndex)
    {
        int off = StorageIndex(flatIndex);
        return DType switch
        {
            DType.Float32 => Data<float>()[off],
            DType.Float64 => Data<double>()[off],
            DType.Int64 => Data<long>()[off],
            DType.Bool => Data<bool>()[off] ? 1 : 0,
            DType.BFloat16 => Data<BFloat16>()[off],
            DType.Float16 => (double)Data<Half>()[off],
            _ => throw DTypeExtensions.Unknown(DType),
        };
    }

    /// <summary>Writes one element at a flat row-major index (no autograd, bumps the version).</summary>
    internal void SetElement(long flatIndex, double value)
    {
        int off = StorageIndex(flatIndex);
        switch (DType)
        {
            case DType.Float32: Data<float>()[off] = (float)value; break;
            case DType.Float64: Data<double>()[off] = value; break;
            case DType.Int64: Data<long>()[off] = (long)value; break;
            case DType.Bool: Data<bool>()[off] = value != 0; break;
            case DType.BFloat16: Data<BFloat16>()[off] = (BFloat16)value; break;
            case DType.Float16: Data<Half>()[off] = (Half)value; break;
            default: throw DTypeExtensions.Unknown(DType);
        }
        Storage.Version++;
    }

    /// <summary>The storage position of the element at a flat row-major index.</summary>
    private int StorageIndex(long flatIndex)
    {
        int off = Offset;
        long rem = flatIndex;
        for (int d = Rank - 1; d >= 0; d--)
        {
            int size = Dims[d];
            off += (int)(rem % size) * StrideArray[d];
            rem /= size;
        }
        return off;
    }
}
