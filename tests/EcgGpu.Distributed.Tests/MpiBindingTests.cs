using NUnit.Framework;

namespace EcgGpu.Distributed.Tests;

/// <summary>The binding without a job: a missing library or a process not started by mpirun means "single process", never a crash.</summary>
public sealed class MpiBindingTests
{
    [Test]
    public void A_missing_library_is_reported_not_thrown()
    {
        var (library, reason) = MpiLibrary.Load(["/nonexistent/libmpi.so.40"], bindCalls: false);
        Assert.That(library, Is.Null);
        Assert.That(reason, Does.Contain("no MPI library found").And.Contain("/nonexistent/libmpi.so.40").And.Contain("openmpi"));
    }

    [Test]
    public void A_library_without_open_mpi_handles_is_refused_with_the_reason()
    {
        // libc loads but has no ompi_mpi_comm_world: the ABI check names the missing symbol.
        var (library, reason) = MpiLibrary.Load(["libc.so.6"], bindCalls: false);
        Assert.That(library, Is.Null);
        Assert.That(reason, Does.Contain("ompi_mpi_comm_world").And.Contain("Open MPI"));
    }

    [Test]
    public void Open_mpi_handles_resolve_where_the_library_is_installed()
    {
        var (library, reason) = MpiLibrary.Load(MpiLibrary.Candidates(), bindCalls: false);
        if (library is null) Assert.Ignore($"Open MPI is not installed here: {reason}");
        Assert.That(new[] { library!.CommWorld, library.Float, library.Double, library.Byte, library.Sum, library.Max }, Has.All.Not.EqualTo(0));
    }

    [Test]
    public void Outside_mpirun_initialisation_returns_null_with_the_reason()
    {
        if (MpiEnvironment.LaunchedAsRank) Assert.Ignore("this test process was itself started by mpirun");
        using var mpi = MpiCommunicator.TryInitialize(out var reason);
        Assert.That(mpi, Is.Null);
        Assert.That(reason, Does.Contain("not started by mpirun"));
    }
}
