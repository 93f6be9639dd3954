using System.Runtime.InteropServices;

namespace EcgGpu.Distributed;

/// <summary>
/// The MPI calls EcgGpu uses, bound to Open MPI's C ABI (<c>libmpi.so.40</c>). Handles such as
/// <c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c> and <c>MPI_SUM</c> are, in that ABI, addresses of global objects
/// (<c>ompi_mpi_comm_world</c>, …); <see cref="MpiLibrary"/> resolves them with <see cref="NativeLibrary.GetExport"/>.
/// </summary>
internal static partial class MpiNative
{
    public const string Library = "mpi";

    /// <summary>Open MPI's <c>MPI_IN_PLACE</c>: the address 1.</summary>
    public static readonly nint InPlace = 1;

    public const int Success = 0;
    public const int ThreadFunneled = 1, ThreadMultiple = 3;
    public const int MaxErrorString = 256;

    [LibraryImport(Library, EntryPoint = "MPI_Init_thread")]
    public static unsafe partial int InitThread(int* argc, nint* argv, int required, out int provided);

    [LibraryImport(Library, EntryPoint = "MPI_Initialized")]
    public static partial int Initialized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Finalized")]
    public static partial int Finalized(out int flag);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_rank")]
    public static partial int CommRank(nint comm, out int rank);

    [LibraryImport(Library, EntryPoint = "MPI_Comm_size")]
    public static partial int CommSize(nint comm, out int size);

    [LibraryImport(Library, EntryPoint = "MPI_Allreduce")]
    public static unsafe partial int Allreduce(nint sendBuffer, void* receiveBuffer, int count, nint datatype, nint op, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Bcast")]
    public static unsafe partial int Bcast(void* buffer, int count, nint datatype, int root, nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Barrier")]
    public static partial int Barrier(nint comm);

    [LibraryImport(Library, EntryPoint = "MPI_Abort")]
    public static partial int Abort(nint comm, int errorCode);

    [LibraryImport(Library, EntryPoint = "MPI_Finalize")]
    public static partial int Finalize();

    [LibraryImport(Library, EntryPoint = "MPI_Error_string")]
    public static unsafe partial int ErrorString(int errorCode, byte* text, out int length);

    [LibraryImport(Library, EntryPoint = "MPI_Get_processor_name")]
    public static unsafe partial int GetProcessorName(byte* name, out int length);
}
