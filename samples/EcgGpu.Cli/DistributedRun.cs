using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using EcgGpu.Distributed;
using EcgGpu.Nn.Parallel;
using EcgGpu.Runtime;

namespace EcgGpu.Cli;

/// <summary>
/// <c>--distributed</c>: this process as one rank of an mpirun job. Without mpirun or without Open MPI the command
/// runs as one process and says why. Rank 0 alone prints progress and writes files; every rank prints its device.
/// </summary>
internal sealed class DistributedRun : IDisposable
{
    private readonly MpiCommunicator _mpi;
    private readonly PosixSignalRegistration? _terminated;
    private bool _completed;

    private DistributedRun(MpiCommunicator mpi)
    {
        _mpi = mpi;
        if (Environment.GetEnvironmentVariable("ECG_MPI_TIMEOUT_S") is { } text && double.TryParse(text, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            _mpi.Timeout = TimeSpan.FromSeconds(seconds);
        // mpirun ends the surviving ranks with SIGTERM when one fails: say so, then let the signal end the process.
        _terminated = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM,
            _ => Console.Error.WriteLine($"ecg: rank {_mpi.Rank}: stopped by mpirun because another rank ended or failed ({_mpi.Phase}); see mpirun's message naming it"));
    }

    public static Option<bool> Option() => new("--distributed")
    {
        Description = "Run as one rank of an MPI job (mpirun -np N ecg ... --distributed): each global batch is split across the ranks "
            + "and gradients summed with MPI_Allreduce. Each rank takes the GPU at its local rank unless --backend/--device say otherwise.",
    };

    /// <summary>The job's rank, or null (one process) when not asked for, not under mpirun, or without Open MPI.</summary>
    public static DistributedRun? Start(bool requested)
    {
        if (!requested) return null;
        var mpi = MpiCommunicator.TryInitialize(out var reason);
        if (mpi is null)
        {
            CliCommon.Status($"--distributed: training as one process: {reason}");
            return null;
        }
        var run = new DistributedRun(mpi);
        if (mpi.Rank != 0) CliCommon.StatusMuted = true;
        return run;
    }

    public int Rank => _mpi.Rank;
    public int Size => _mpi.Size;
    public bool IsRoot => _mpi.Rank == 0;
    public MpiCommunicator Communicator => _mpi;

    /// <summary>This rank's device (see <see cref="RankDevice"/>), announced by every rank on stderr.</summary>
    public Accelerator OpenAccelerator(string backend, int? device)
    {
        var context = Context.Create();
        AcceleratorKind? kind = backend == "auto" ? null : AcceleratorKindNames.TryParse(backend, out var k) ? k : null;
        var (chosen, why) = RankDevice.Choose(context, MpiEnvironment.LocalRank ?? _mpi.Rank, kind, device);
        Console.Error.WriteLine($"rank {_mpi.Rank}/{_mpi.Size} (pid {Environment.ProcessId}, {_mpi.ProcessorName}): {chosen.Kind.ToCliName()}:{chosen.KindIndex} {chosen.Name} ({why})");
        return chosen.CreateAccelerator();
    }

    /// <summary>Data-parallel settings for training on <paramref name="accelerator"/>, with every rank's device gathered for the reports.</summary>
    public DataParallel DataParallel(Accelerator accelerator) => new(_mpi) { RankDevices = GatherDevices(accelerator) };

    private List<string> GatherDevices(Accelerator accelerator)
    {
        const int width = 512;
        var names = new List<string>();
        for (int r = 0; r < _mpi.Size; r++)
        {
            var bytes = new byte[width];
            var name = $"{_mpi.ProcessorName} {accelerator}";
            if (r == _mpi.Rank) Encoding.UTF8.GetBytes(name.AsSpan(0, Math.Min(name.Length, width / 4)), bytes);   // ≤ 4 bytes a char
            _mpi.Broadcast(bytes, r);
            names.Add(Encoding.UTF8.GetString(bytes).TrimEnd('\0'));
        }
        return names;
    }

    /// <summary>Waits, without the collective timeout, until every rank gets here (a sweep's ranks finish their models at different times).</summary>
    public void WaitForAll()
    {
        var timeout = _mpi.Timeout;
        _mpi.Timeout = TimeSpan.MaxValue;
        _mpi.Phase = "waiting for every rank to finish its models";
        _mpi.Barrier();
        _mpi.Timeout = timeout;
    }

    /// <summary>Marks this rank's work as done, so Dispose finalises MPI; returns <paramref name="exitCode"/>.</summary>
    public int Complete(int exitCode = 0)
    {
        _completed = true;
        return exitCode;
    }

    /// <summary>
    /// Finalises MPI after <see cref="Complete"/>. A rank that failed (an exception on its way out) does not:
    /// MPI_Finalize would wait for ranks still in a collective; exiting with the error's code makes mpirun end
    /// the job instead, naming this rank.
    /// </summary>
    public void Dispose()
    {
        _terminated?.Dispose();
        if (_completed) _mpi.Dispose();
    }
}
