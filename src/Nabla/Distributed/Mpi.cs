using System.Runtime.InteropServices;
using System.Text;

namespace Nabla.Distributed;

// Note [MPI binding]
// The binding is the dozen MPI calls a data-parallel trainer needs, bound by hand to OpenMPI's libmpi.so.40 (MPI.NET
// is unmaintained). OpenMPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, MPI_ERRORS_RETURN) are the addresses of
// exported globals (`#define MPI_COMM_WORLD (&ompi_mpi_comm_world)`), so NativeLibrary.GetExport yields the handle
// itself; MPI_IN_PLACE is (void*)1 and MPI_STATUS_IGNORE is null in OpenMPI's mpi.h. Functions are called through
// unmanaged function pointers (no marshalling stubs). The library is opened with RTLD_GLOBAL, as mpi4py does: OpenMPI
// loads its transports as plugins that resolve symbols of libmpi and libopen-pal through the global namespace.
// Every call returns an MPI error code; the world communicator is switched to MPI_ERRORS_RETURN at initialisation
// (the default handler aborts the job), and a non-zero code becomes an MpiException naming the call and MPI's text.

/// <summary>The raw OpenMPI calls and handles. See Note [MPI binding].</summary>
internal static unsafe class Mpi
{
    /// <summary>The library names tried in order.</summary>
    internal static readonly string[] LibraryNames = ["libmpi.so.40", "libmpi.so"];

    /// <summary>MPI_THREAD_SERIALIZED: any thread may call, one at a time.</summary>
    public const int ThreadSerialized = 2;

    public static nint InPlace => 1;

    private static readonly Lazy<Functions> s_functions = new(() => Load(LibraryNames), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The bound functions, loading the library on first use.</summary>
    /// <exception cref="DllNotFoundException">No OpenMPI library: the message says what to install.</exception>
    public static Functions F => s_functions.Value;

    /// <summary>Loads the first of <paramref name="names"/> that opens and binds the calls and handles.</summary>
    internal static Functions Load(IReadOnlyList<string> names)
    {
        var failures = new List<string>();
        foreach (string name in names)
        {
            nint handle = OpenGlobal(name, out string? why);
            if (handle != 0) return new Functions(handle);
            failures.Add($"{name}: {why}");
        }
        throw new DllNotFoundException(
            $"distributed: the OpenMPI library could not be loaded ({string.Join("; ", failures)}). Install OpenMPI " +
            "(Debian/Ubuntu: 'sudo apt-get install openmpi-bin libopenmpi-dev') and launch the program with mpirun, " +
            "e.g. 'mpirun -np 2 <program>'");
    }

    private static nint OpenGlobal(string name, out string? why)
    {
        why = null;
        if (OperatingSystem.IsLinux())
        {
            const int RtldNow = 2, RtldGlobal = 0x100;
            nint h = dlopen(name, RtldNow | RtldGlobal);
            if (h != 0) return h;
            nint error = dlerror();
            why = error == 0 ? "not found" : Marshal.PtrToStringUTF8(error);
            return 0;
        }
        if (NativeLibrary.TryLoad(name, out nint handle)) return handle;
        why = "not found";
        return 0;
    }

    [DllImport("libc.so.6", EntryPoint = "dlopen")]
    private static extern nint dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

    [DllImport("libc.so.6", EntryPoint = "dlerror")]
    private static extern nint dlerror();

    /// <summary>Throws an <see cref="MpiException"/> for a non-zero return code of <paramref name="call"/>.</summary>
    public static void Check(int code, string call)
    {
        if (code != 0) throw new MpiException(call, code, ErrorString(code));
    }

    /// <summary>MPI's text for an error code (MPI_Error_string).</summary>
    public static string ErrorString(int code)
    {
        const int MaxErrorString = 512; // OpenMPI's MPI_MAX_ERROR_STRING is 256
        byte* text = stackalloc byte[MaxErrorString];
        int length = 0;
        if (F.ErrorString(code, text, &length) != 0 || length <= 0) return $"MPI error code {code}";
        return Encoding.UTF8.GetString(text, Math.Min(length, MaxErrorString));
    }

    /// <summary>The function pointers and handles of one loaded library.</summary>
    internal sealed class Functions
    {
        public readonly delegate* unmanaged<int*, byte***, int, int*, int> InitThread;
        public readonly delegate* unmanaged<int*, int> Initialized;
        public readonly delegate* unmanaged<int*, int> Finalized;
        public readonly delegate* unmanaged<int> Finalize;
        public readonly delegate* unmanaged<nint, int, int> Abort;
        public readonly delegate* unmanaged<nint, int*, int> CommRank;
        public readonly delegate* unmanaged<nint, int*, int> CommSize;
        public readonly delegate* unmanaged<nint, nint, int> CommSetErrhandler;
        public readonly delegate* unmanaged<int, byte*, int*, int> ErrorString;
        public readonly delegate* unmanaged<void*, int, nint, int, nint, int> Bcast;
        public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> Allreduce;
        public readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int> Iallreduce;
        public readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> Allgather;
        public readonly delegate* unmanaged<nint, int> Barrier;
        public readonly delegate* unmanaged<nint*, void*, int> Wait;
        public readonly delegate* unmanaged<nint*, int*, void*, int> Test;
        public readonly nint CommWorld, Float, Double, Int64, Byte, Sum, ErrorsReturn;

        public Functions(nint library)
        {
            nint Get(string name) => NativeLibrary.TryGetExport(library, name, out nint address) ? address
                : throw new DllNotFoundException($"distributed: the loaded MPI library has no '{name}'; Nabla binds OpenMPI's libmpi.so.40 " +
                    "(Debian/Ubuntu: 'sudo apt-get install openmpi-bin libopenmpi-dev')");
            InitThread = (delegate* unmanaged<int*, byte***, int, int*, int>)Get("MPI_Init_thread");
            Initialized = (delegate* unmanaged<int*, int>)Get("MPI_Initialized");
            Finalized = (delegate* unmanaged<int*, int>)Get("MPI_Finalized");
            Finalize = (delegate* unmanaged<int>)Get("MPI_Finalize");
            Abort = (delegate* unmanaged<nint, int, int>)Get("MPI_Abort");
            CommRank = (delegate* unmanaged<nint, int*, int>)Get("MPI_Comm_rank");
            CommSize = (delegate* unmanaged<nint, int*, int>)Get("MPI_Comm_size");
            CommSetErrhandler = (delegate* unmanaged<nint, nint, int>)Get("MPI_Comm_set_errhandler");
            ErrorString = (delegate* unmanaged<int, byte*, int*, int>)Get("MPI_Error_string");
            Bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Get("MPI_Bcast");
            Allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Get("MPI_Allreduce");
            Iallreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, nint*, int>)Get("MPI_Iallreduce");
            Allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)Get("MPI_Allgather");
            Barrier = (delegate* unmanaged<nint, int>)Get("MPI_Barrier");
            Wait = (delegate* unmanaged<nint*, void*, int>)Get("MPI_Wait");
            Test = (delegate* unmanaged<nint*, int*, void*, int>)Get("MPI_Test");
            CommWorld = Get("ompi_mpi_comm_world");
            Float = Get("ompi_mpi_float");
            Double = Get("ompi_mpi_double");
            Int64 = Get("ompi_mpi_int64_t");
            Byte = Get("ompi_mpi_byte");
            Sum = Get("ompi_mpi_op_sum");
            ErrorsReturn = Get("ompi_mpi_errors_return");
        }

        /// <summary>The MPI datatype of a tensor element type.</summary>
        public nint DataType(DType dtype, string call) => dtype switch
        {
            DType.Float32 => Float,
            DType.Float64 => Double,
            DType.Int64 => Int64,
            _ => throw new ArgumentException($"{call}: dtype {dtype.Name()} is not supported; use float32, float64 or int64"),
        };
    }
}
