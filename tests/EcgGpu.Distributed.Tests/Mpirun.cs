using System.Diagnostics;
using NUnit.Framework;

namespace EcgGpu.Distributed.Tests;

/// <summary>Starts jobs on localhost with Open MPI's mpirun, as CI does; tests skip with a message where it is missing.</summary>
internal static class Mpirun
{
    public static string Path => FindOnPath("mpirun") ?? "";

    public static void RequireOrIgnore()
    {
        if (FindOnPath("mpirun") is null) Assert.Ignore("mpirun is not installed (Debian: apt-get install openmpi-bin libopenmpi-dev); the MPI job tests are skipped");
    }

    /// <summary>The dotnet host running these tests, to start .dll programs with.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Beside the test assembly (referenced projects are copied there).</summary>
    public static string Beside(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, file);

    /// <summary>mpirun -np <paramref name="ranks"/> dotnet <paramref name="arguments"/>, with output captured; the job is killed after <paramref name="timeout"/>.</summary>
    public static Process Start(int ranks, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(), Dotnet }.Concat(arguments)) info.ArgumentList.Add(a);
        // Quiet and fast on one host: shared memory and loopback TCP only.
        info.Environment["OMPI_MCA_btl"] = "self,vader,tcp";
        info.Environment["OMPI_MCA_btl_tcp_if_include"] = "lo";
        info.Environment["OMPI_MCA_oob_tcp_if_include"] = "lo";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return Process.Start(info)!;
    }

    public static (int ExitCode, string Output) Run(int ranks, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var job = Start(ranks, arguments);
        var stdout = job.StandardOutput.ReadToEndAsync();
        var stderr = job.StandardError.ReadToEndAsync();
        if (!job.WaitForExit(timeout))
        {
            job.Kill(entireProcessTree: true);
            Assert.Fail($"mpirun did not finish within {timeout.TotalSeconds} s:\n{stdout.Result}\n{stderr.Result}");
        }
        job.WaitForExit();
        return (job.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindOnPath(string name) => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(d => System.IO.Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
