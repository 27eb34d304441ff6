using System.Runtime.InteropServices;

namespace Nabla.Distributed;

/// <summary>
/// A non-blocking collective in flight (an MPI request; PyTorch's <c>Work</c>): <see cref="Test"/> asks whether it has
/// finished, <see cref="Wait"/> blocks until it has. The buffer it works on stays pinned, and must not be touched, until then.
/// </summary>
/// <remarks>Every request must be waited on (or tested until complete): MPI keeps writing into the buffer until then.</remarks>
public sealed unsafe class DistributedRequest
{
    private nint _handle;
    private GCHandle _pin;

    internal DistributedRequest(nint handle, GCHandle pin)
    {
        _handle = handle;
        _pin = pin;
    }

    /// <summary>True once the operation has finished and its result is in the buffer.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Run once when the operation completes (the tensor's version moves on).</summary>
    internal Action? OnComplete { get; set; }

    /// <summary>Lets MPI make progress and returns whether the operation has finished (MPI_Test); never blocks.</summary>
    public bool Test()
    {
        if (IsCompleted) return true;
        int flag = 0;
        nint handle = _handle;
        int code = Mpi.F.Test(&handle, &flag, null);
        _handle = handle;
        if (code != 0) Fail(code, "MPI_Test");
        if (flag != 0) Complete();
        return IsCompleted;
    }

    /// <summary>Blocks until the operation has finished (MPI_Wait).</summary>
    public void Wait()
    {
        if (IsCompleted) return;
        nint handle = _handle;
        int code = Mpi.F.Wait(&handle, null);
        _handle = handle;
        if (code != 0) Fail(code, "MPI_Wait");
        Complete();
    }

    private void Complete()
    {
        IsCompleted = true;
        if (_pin.IsAllocated) _pin.Free();
        OnComplete?.Invoke();
        OnComplete = null;
    }

    private void Fail(int code, string call)
    {
        // The request is over (MPI frees a failed request), so the buffer can be unpinned.
        IsCompleted = true;
        if (_pin.IsAllocated) _pin.Free();
        Mpi.Check(code, call);
    }
}
