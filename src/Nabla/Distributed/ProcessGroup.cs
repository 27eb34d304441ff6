using System.Runtime.InteropServices;

namespace Nabla.Distributed;

/// <summary>
/// The processes of an MPI job (MPI_COMM_WORLD) and the collective operations among them: broadcast, all-reduce (sum),
/// all-gather and barrier (PyTorch's <c>torch.distributed</c> process group with the MPI backend).
/// </summary>
/// <remarks>
/// <para>Launch the program with <c>mpirun -np N</c>; every process calls <see cref="Init"/>, and every process must call
/// the same collectives in the same order (MPI's rule): a process that skips one leaves the others waiting. Started
/// without mpirun, <see cref="Init"/> makes a world of one process (MPI's singleton initialisation), in which every
/// collective is a copy, so the same program runs alone.</para>
/// <para>Tensors are reduced in place and must be contiguous, of dtype float32, float64 or int64 (broadcast takes any).
/// MPI errors (a bad root, a transport failure) become an <see cref="MpiException"/> naming the call. If a process of
/// the job dies, mpirun ends the others (OpenMPI's default), so a collective never waits forever on a dead peer.</para>
/// <para>MPI is initialised once per process and cannot be initialised again after <see cref="Dispose"/> (which
/// finalises it). Calls may come from any thread, one at a time (MPI_THREAD_SERIALIZED).</para>
/// </remarks>
/// <example><code>
/// using ProcessGroup world = ProcessGroup.Init();
/// Tensor t = Tensor.Full([4], world.Rank + 1.0f);
/// world.AllReduce(t);          // every rank now holds 1 + 2 + ... + Size
/// </code></example>
public sealed unsafe class ProcessGroup : IDisposable
{
    private static readonly Lock s_lock = new();
    private static ProcessGroup? s_world;
    private bool _disposed;

    private ProcessGroup(int rank, int size)
    {
        Rank = rank;
        Size = size;
    }

    /// <summary>This process's index in the job, 0 to <see cref="Size"/> - 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes in the job (the world size).</summary>
    public int Size { get; }

    /// <summary>
    /// True when this process was started by OpenMPI's <c>mpirun</c>: the launcher sets <c>OMPI_COMM_WORLD_SIZE</c>
    /// (read from the environment, without loading MPI).
    /// </summary>
    public static bool IsLaunchedByMpirun => Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is { Length: > 0 };

    /// <summary>
    /// Initialises MPI (once per process) and returns the group of all processes of the job. Calling it again returns
    /// the same group until it is disposed.
    /// </summary>
    /// <exception cref="DllNotFoundException">OpenMPI is not installed; the message names the packages.</exception>
    /// <exception cref="MpiException">MPI failed to initialise.</exception>
    /// <exception cref="InvalidOperationException">MPI was already finalised in this process.</exception>
    public static ProcessGroup Init()
    {
        lock (s_lock)
        {
            if (s_world is { _disposed: false } world) return world;
            Mpi.Functions f = Mpi.F;
            int flag = 0;
            Mpi.Check(f.Finalized(&flag), "MPI_Finalized");
            if (flag != 0)
                throw new InvalidOperationException("distributed: MPI was finalised in this process (a ProcessGroup was disposed); it cannot be initialised again");
            Mpi.Check(f.Initialized(&flag), "MPI_Initialized");
            if (flag == 0)
            {
                int provided = 0;
                Mpi.Check(f.InitThread(null, null, Mpi.ThreadSerialized, &provided), "MPI_Init_thread");
            }
            Mpi.Check(f.CommSetErrhandler(f.CommWorld, f.ErrorsReturn), "MPI_Comm_set_errhandler");
            int rank = 0, size = 0;
            Mpi.Check(f.CommRank(f.CommWorld, &rank), "MPI_Comm_rank");
            Mpi.Check(f.CommSize(f.CommWorld, &size), "MPI_Comm_size");
            return s_world = new ProcessGroup(rank, size);
        }
    }

    /// <summary>Copies <paramref name="tensor"/> of rank <paramref name="root"/> into the same tensor of every other rank.</summary>
    /// <remarks>Every rank passes a tensor of the same shape and dtype. An invalid root is reported by MPI (MPI_ERR_ROOT).</remarks>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        Span<byte> bytes = Bytes(tensor, "broadcast", out _);
        fixed (byte* p = bytes)
            Mpi.Check(Mpi.F.Bcast(p, bytes.Length, Mpi.F.Byte, root, World()), "MPI_Bcast");
        tensor.Storage.Version++;
    }

    /// <summary>Replaces <paramref name="tensor"/> on every rank by the element-wise sum of it over all ranks.</summary>
    public void AllReduce(Tensor tensor)
    {
        nint type = Mpi.F.DataType(tensor.DType, "all_reduce");
        Span<byte> bytes = Bytes(tensor, "all_reduce", out int elementSize);
        fixed (byte* p = bytes)
            Mpi.Check(Mpi.F.Allreduce((void*)Mpi.InPlace, p, bytes.Length / elementSize, type, Mpi.F.Sum, World()), "MPI_Allreduce");
        tensor.Storage.Version++;
    }

    /// <summary>Sums <paramref name="values"/> element-wise over all ranks, in place.</summary>
    public void AllReduce(Span<float> values)
    {
        fixed (float* p = values) Mpi.Check(Mpi.F.Allreduce((void*)Mpi.InPlace, p, values.Length, Mpi.F.Float, Mpi.F.Sum, World()), "MPI_Allreduce");
    }

    /// <summary>Sums <paramref name="values"/> element-wise over all ranks, in place.</summary>
    public void AllReduce(Span<double> values)
    {
        fixed (double* p = values) Mpi.Check(Mpi.F.Allreduce((void*)Mpi.InPlace, p, values.Length, Mpi.F.Double, Mpi.F.Sum, World()), "MPI_Allreduce");
    }

    /// <summary>
    /// Starts summing <paramref name="tensor"/> over all ranks in place and returns at once (MPI_Iallreduce); the tensor
    /// holds the sum after <see cref="DistributedRequest.Wait"/>. Don't read or write the tensor until then.
    /// </summary>
    /// <remarks>MPI makes progress on the operation when this process calls into MPI (a test, a wait, another collective).</remarks>
    public DistributedRequest StartAllReduce(Tensor tensor)
    {
        nint type = Mpi.F.DataType(tensor.DType, "all_reduce");
        Span<byte> bytes = Bytes(tensor, "all_reduce", out int elementSize);
        Array data = tensor.DType switch { DType.Float32 => tensor.Data<float>(), DType.Float64 => tensor.Data<double>(), _ => tensor.Data<long>() };
        var request = StartAllReduce(data, tensor.Offset * elementSize, bytes.Length / elementSize, type);
        request.OnComplete = () => tensor.Storage.Version++;
        return request;
    }

    /// <summary>Starts an in-place all-reduce of <paramref name="count"/> elements of <paramref name="data"/> from byte <paramref name="byteOffset"/>.</summary>
    internal DistributedRequest StartAllReduce(Array data, int byteOffset, int count, nint type)
    {
        GCHandle pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            byte* start = (byte*)pin.AddrOfPinnedObject() + byteOffset;
            nint handle = 0;
            Mpi.Check(Mpi.F.Iallreduce((void*)Mpi.InPlace, start, count, type, Mpi.F.Sum, World(), &handle), "MPI_Iallreduce");
            return new DistributedRequest(handle, pin);
        }
        catch
        {
            pin.Free();
            throw;
        }
    }

    /// <summary>
    /// Gathers <paramref name="tensor"/> from every rank into a new tensor of shape <c>[Size, ...tensor.Shape]</c>, whose
    /// row r is rank r's tensor (PyTorch's <c>all_gather_into_tensor</c> with a leading dimension).
    /// </summary>
    public Tensor AllGather(Tensor tensor)
    {
        Span<byte> bytes = Bytes(tensor, "all_gather", out _);
        Tensor result = Tensor.Empty(tensor.DType, [Size, .. tensor.Dims]);
        Span<byte> into = Bytes(result, "all_gather", out _);
        fixed (byte* p = bytes)
        fixed (byte* q = into)
            Mpi.Check(Mpi.F.Allgather(p, bytes.Length, Mpi.F.Byte, q, bytes.Length, Mpi.F.Byte, World()), "MPI_Allgather");
        return result;
    }

    /// <summary>Returns once every rank has called it.</summary>
    public void Barrier() => Mpi.Check(Mpi.F.Barrier(World()), "MPI_Barrier");

    /// <summary>
    /// Ends every process of the job with <paramref name="errorCode"/> (MPI_Abort): what a rank does when it cannot go on
    /// and the others would otherwise wait for it in a collective.
    /// </summary>
    public void Abort(int errorCode) => Mpi.Check(Mpi.F.Abort(World(), errorCode), "MPI_Abort");

    /// <summary>Finalises MPI (MPI_Finalize): call it once, on every rank, when the job's communication is over.</summary>
    public void Dispose()
    {
        lock (s_lock)
        {
            if (_disposed) return;
            _disposed = true;
            Mpi.Check(Mpi.F.Finalize(), "MPI_Finalize");
        }
    }

    private nint World()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Mpi.F.CommWorld;
    }

    /// <summary>The tensor's elements as bytes; it must be contiguous.</summary>
    private static Span<byte> Bytes(Tensor tensor, string call, out int elementSize)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensor.IsContiguous)
            throw new ArgumentException($"{call}: the tensor of shape {tensor.Shape} must be contiguous; pass tensor.Contiguous()", nameof(tensor));
        elementSize = tensor.DType switch { DType.Float32 => 4, DType.Bool => 1, _ => 8 };
        return tensor.DType switch
        {
            DType.Float32 => MemoryMarshal.AsBytes(tensor.Span<float>()),
            DType.Float64 => MemoryMarshal.AsBytes(tensor.Span<double>()),
            DType.Int64 => MemoryMarshal.AsBytes(tensor.Span<long>()),
            _ => MemoryMarshal.AsBytes(tensor.Span<bool>()),
        };
    }
}
