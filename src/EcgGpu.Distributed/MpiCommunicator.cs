using System.Diagnostics;
using System.Text;
using EcgGpu.Nn.Parallel;

namespace EcgGpu.Distributed;

/// <summary>
/// MPI_COMM_WORLD of an MPI job: rank, size and the collectives training uses. Created by <see cref="TryInitialize"/>,
/// which returns null (single process) when there is no MPI library or the process was not started by mpirun.
/// Every collective runs under a watchdog: when the other ranks do not answer within <see cref="Timeout"/>
/// (a rank died or hangs), this rank prints which collective of which phase it waited in and aborts the job,
/// rather than waiting for ever. Dispose finalises MPI.
/// </summary>
public sealed class MpiCommunicator : ICollectives, IDisposable
{
    private readonly MpiLibrary _mpi;
    private readonly Thread _watchdog;
    private readonly object _gate = new();
    private string? _waitingIn;
    private long _waitStarted;
    private volatile bool _disposed;

    private MpiCommunicator(MpiLibrary mpi, int threadLevel)
    {
        _mpi = mpi;
        ThreadLevel = threadLevel;
        Check(MpiNative.CommRank(mpi.CommWorld, out var rank), "MPI_Comm_rank");
        Check(MpiNative.CommSize(mpi.CommWorld, out var size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        ProcessorName = ReadProcessorName();
        _watchdog = new Thread(Watch) { IsBackground = true, Name = $"mpi watchdog rank {rank}" };
        _watchdog.Start();
    }

    public int Rank { get; }
    public int Size { get; }

    /// <summary>The host this rank runs on, as MPI names it.</summary>
    public string ProcessorName { get; }

    /// <summary>The thread support MPI granted (1 funneled, 3 multiple); with multiple, the watchdog may call MPI_Abort itself.</summary>
    public int ThreadLevel { get; }

    /// <summary>The library in use.</summary>
    public string LibraryPath => _mpi.Path;

    /// <summary>How long a collective may wait for the other ranks before this rank aborts the job.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(120);

    public string Phase { get; set; } = "start";

    /// <summary>
    /// Initialises MPI when this process is a rank of an mpirun job and Open MPI's library is present; otherwise
    /// returns null and says why in <paramref name="reason"/> (the caller then trains as one process).
    /// </summary>
    public static MpiCommunicator? TryInitialize(out string reason)
    {
        if (!MpiEnvironment.LaunchedAsRank)
        {
            reason = "not started by mpirun (no OMPI_COMM_WORLD_SIZE in the environment)";
            return null;
        }
        var library = MpiLibrary.TryGet(out reason);
        if (library is null) return null;
        return Initialize(library);
    }

    /// <summary>The loaded MPI library's path, or null and why not; loads nothing else.</summary>
    public static string? FindLibrary(out string reason) => MpiLibrary.TryGet(out reason)?.Path;

    private static unsafe MpiCommunicator Initialize(MpiLibrary library)
    {
        Check(MpiNative.Initialized(out var already), "MPI_Initialized");
        if (already != 0) throw new MpiException("MPI is already initialised in this process; create one MpiCommunicator per process");
        Check(MpiNative.InitThread(null, null, MpiNative.ThreadMultiple, out var provided), "MPI_Init_thread");
        if (provided < MpiNative.ThreadFunneled)
            throw new MpiException($"MPI_Init_thread granted thread level {provided}; EcgGpu needs at least MPI_THREAD_FUNNELED (1)");
        return new MpiCommunicator(library, provided);
    }

    public unsafe void AllreduceSum(Span<float> values)
    {
        fixed (float* p = values) { Enter("MPI_Allreduce"); Leave(MpiNative.Allreduce(MpiNative.InPlace, p, values.Length, _mpi.Float, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce"); }
    }

    public unsafe void AllreduceSum(Span<double> values)
    {
        fixed (double* p = values) { Enter("MPI_Allreduce"); Leave(MpiNative.Allreduce(MpiNative.InPlace, p, values.Length, _mpi.Double, _mpi.Sum, _mpi.CommWorld), "MPI_Allreduce"); }
    }

    public unsafe void AllreduceMax(Span<double> values)
    {
        fixed (double* p = values) { Enter("MPI_Allreduce"); Leave(MpiNative.Allreduce(MpiNative.InPlace, p, values.Length, _mpi.Double, _mpi.Max, _mpi.CommWorld), "MPI_Allreduce"); }
    }

    public unsafe void Broadcast(Span<float> values, int root)
    {
        CheckRoot(root);
        fixed (float* p = values) { Enter("MPI_Bcast"); Leave(MpiNative.Bcast(p, values.Length, _mpi.Float, root, _mpi.CommWorld), "MPI_Bcast"); }
    }

    public unsafe void Broadcast(Span<byte> values, int root)
    {
        CheckRoot(root);
        fixed (byte* p = values) { Enter("MPI_Bcast"); Leave(MpiNative.Bcast(p, values.Length, _mpi.Byte, root, _mpi.CommWorld), "MPI_Bcast"); }
    }

    public void Barrier()
    {
        Enter("MPI_Barrier");
        Leave(MpiNative.Barrier(_mpi.CommWorld), "MPI_Barrier");
    }

    /// <summary>Ends every rank of the job with <paramref name="exitCode"/> (MPI_Abort); does not return.</summary>
    public void Abort(int exitCode, string message)
    {
        Console.Error.WriteLine($"ecg: error: rank {Rank}: {message}");
        Console.Error.Flush();
        MpiNative.Abort(_mpi.CommWorld, exitCode);
        Environment.Exit(exitCode);   // MPI_Abort returns only if MPI is broken
    }

    /// <summary>MPI's text for an error code.</summary>
    public static unsafe string ErrorText(int code)
    {
        var buffer = stackalloc byte[MpiNative.MaxErrorString];
        return MpiNative.ErrorString(code, buffer, out var length) == MpiNative.Success
            ? Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, MpiNative.MaxErrorString))
            : $"MPI error {code}";
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (MpiNative.Finalized(out var done) == MpiNative.Success && done == 0) Check(MpiNative.Finalize(), "MPI_Finalize");
    }

    /// <summary>Marks the start of a collective for the watchdog.</summary>
    private void Enter(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            _waitingIn = name;
            _waitStarted = Stopwatch.GetTimestamp();
        }
    }

    private void Leave(int code, string name)
    {
        lock (_gate) _waitingIn = null;
        Check(code, name);
    }

    private void Watch()
    {
        while (!_disposed)
        {
            long before = Stopwatch.GetTimestamp();
            Thread.Sleep(200);
            var slept = Stopwatch.GetElapsedTime(before);
            string? waiting;
            TimeSpan waited;
            lock (_gate)
            {
                if (slept > TimeSpan.FromSeconds(2))
                {
                    // This process itself was paused or starved (SIGSTOP, an overloaded host): that time was not spent
                    // waiting for the others, so it does not count; a long pause is said.
                    if (slept >= Timeout / 2) Console.Error.WriteLine($"ecg: rank {Rank}: this rank was paused for {slept.TotalSeconds:F0} s ({Phase})");
                    _waitStarted = Stopwatch.GetTimestamp();
                }
                waiting = _waitingIn;
                waited = Stopwatch.GetElapsedTime(_waitStarted);
            }
            if (waiting is null || waited < Timeout) continue;
            var message = $"waited {waited.TotalSeconds:F0} s in {waiting} ({Phase}) for {Others}: {(Size == 2 ? "it has" : "one has")} died or hangs "
                + "(mpirun names a rank that exited); stopping the job. The last checkpoint written by rank 0 stays valid.";
            if (ThreadLevel >= MpiNative.ThreadMultiple) Abort(3, message);
            Console.Error.WriteLine($"ecg: error: rank {Rank}: {message}");
            Environment.Exit(3);
        }
    }

    /// <summary>The ranks this one waits for, named when there is only one.</summary>
    private string Others => Size == 2 ? $"rank {1 - Rank}" : $"the other {Size - 1} ranks";

    private void CheckRoot(int root)
    {
        if ((uint)root >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(root), $"root {root} is not a rank of this job of {Size}");
    }

    private static void Check(int code, string call)
    {
        if (code != MpiNative.Success) throw new MpiException($"{call} failed: {ErrorText(code)} (code {code})");
    }

    private unsafe string ReadProcessorName()
    {
        var buffer = stackalloc byte[256];
        return MpiNative.GetProcessorName(buffer, out var length) == MpiNative.Success
            ? Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, 255))
            : Environment.MachineName;
    }
}
