using System.Numerics.Tensors;

namespace Nabla.Distributed;

/// <summary>
/// One bucket of <see cref="DistributedDataParallel"/>: a flat buffer of one dtype holding several parameters'
/// gradients, all-reduced as one message. See Note [Gradient buckets].
/// </summary>
internal sealed class GradBucket
{
    private readonly float[]? _float;
    private readonly double[]? _double;
    private int _filled;

    private GradBucket(DType dtype, int[] parameters, int length)
    {
        DType = dtype;
        Parameters = parameters;
        Length = length;
        if (dtype == DType.Float32) _float = new float[length];
        else _double = new double[length];
    }

    public DType DType { get; }

    /// <summary>The indices of its parameters (into the wrapper's reversed parameter list).</summary>
    public int[] Parameters { get; }

    /// <summary>Elements in the buffer.</summary>
    public int Length { get; }

    /// <summary>The all-reduce in flight or done in this pass, or null before launch.</summary>
    public DistributedRequest? Request { get; private set; }

    public bool IsFull => _filled == Parameters.Length;

    /// <summary>
    /// Groups <paramref name="parameters"/> (already in reverse order) into buckets: a new bucket starts when the dtype
    /// changes or the next parameter would pass the cap (the first bucket's cap is <paramref name="firstCapBytes"/>);
    /// a parameter larger than the cap gets a bucket of its own. Returns the buckets and each parameter's (bucket, offset).
    /// </summary>
    public static (GradBucket[] Buckets, (int Bucket, int Offset)[] Slots) Assign(Tensor[] parameters, long capBytes, long firstCapBytes)
    {
        var buckets = new List<GradBucket>();
        var slots = new (int, int)[parameters.Length];
        var members = new List<int>();
        long bytes = 0;
        int length = 0;
        DType dtype = DType.Float32;
        void Close()
        {
            if (members.Count == 0) return;
            buckets.Add(new GradBucket(dtype, [.. members], length));
            members.Clear();
            bytes = 0;
            length = 0;
        }
        for (int i = 0; i < parameters.Length; i++)
        {
            Tensor p = parameters[i];
            long size = p.Numel * (p.DType == DType.Float32 ? 4 : 8);
            long cap = buckets.Count == 0 ? Math.Min(firstCapBytes, capBytes) : capBytes;
            if (members.Count > 0 && (p.DType != dtype || bytes + size > cap || length + p.Numel > Array.MaxLength)) Close();
            dtype = p.DType;
            slots[i] = (buckets.Count, length);
            members.Add(i);
            bytes += size;
            length += (int)p.Numel;
        }
        Close();
        return ([.. buckets], slots);
    }

    /// <summary>Starts a new pass: nothing filled, nothing launched.</summary>
    public void Reset()
    {
        _filled = 0;
        Request = null;
    }

    /// <summary>Copies a parameter's gradient into its slot.</summary>
    public void CopyIn(int offset, Tensor grad)
    {
        Tensor g = grad.ContiguousData();
        if (_float is not null) g.Span<float>().CopyTo(_float.AsSpan(offset));
        else g.Span<double>().CopyTo(_double.AsSpan(offset));
        _filled++;
    }

    /// <summary>Fills a slot with zeros (an unused parameter's contribution).</summary>
    public void ZeroSlot(int offset, long count)
    {
        if (_float is not null) _float.AsSpan(offset, (int)count).Clear();
        else _double.AsSpan(offset, (int)count).Clear();
        _filled++;
    }

    /// <summary>Starts the all-reduce of the whole buffer.</summary>
    public void Launch(ProcessGroup group)
    {
        Mpi.Functions f = Mpi.F;
        Request = _float is not null ? group.StartAllReduce(_float, 0, Length, f.Float) : group.StartAllReduce(_double!, 0, Length, f.Double);
    }

    /// <summary>Writes <paramref name="scale"/> times the slot at <paramref name="offset"/> into <paramref name="grad"/> (contiguous).</summary>
    public void CopyOut(int offset, Tensor grad, double scale)
    {
        int n = (int)grad.Numel;
        if (_float is not null) TensorPrimitives.Multiply(_float.AsSpan(offset, n), (float)scale, grad.Span<float>());
        else TensorPrimitives.Multiply(_double.AsSpan(offset, n), scale, grad.Span<double>());
        grad.Storage.Version++;
    }
}
