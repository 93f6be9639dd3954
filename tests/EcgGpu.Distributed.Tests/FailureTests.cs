using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using EcgGpu.Nn;
using NUnit.Framework;

namespace EcgGpu.Distributed.Tests;

/// <summary>
/// A rank that dies or hangs in `ecg train --distributed` stops the whole job within a timeout, with a message
/// naming the rank, and rank 0's last checkpoint stays readable.
/// </summary>
[NonParallelizable]
public sealed partial class FailureTests
{
    private static string Ecg => Mpirun.Beside("ecg.dll");

    [SetUp]
    public void RequireMpirun() => Mpirun.RequireOrIgnore();

    [Test]
    public void A_killed_rank_stops_the_job_naming_it_and_the_checkpoint_stays_valid()
    {
        var (output, exited, elapsed, outDir) = RunAndDisturb(pid => Process.GetProcessById(pid).Kill(), timeoutSeconds: null);
        try
        {
            TestContext.Out.WriteLine(output);
            Assert.That(exited, Is.True, $"the job was still running {elapsed.TotalSeconds:F0} s after rank 1 was killed:\n{output}");
            Assert.That(output, Does.Match(@"rank 1\b").And.Match("(?i)killed|signal 9|exited|stopped"), output);
            var last = Path.Combine(outDir, "last.safetensors");
            Assert.That(WeightFile.ReadMetadata(last)["epoch"], Is.Not.Empty, "last.safetensors no longer reads");
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Test]
    public void A_hung_rank_makes_the_others_abort_after_the_timeout()
    {
        // SIGSTOP: rank 1 stays alive but silent, so only rank 0's watchdog can end the job.
        var (output, exited, elapsed, outDir) = RunAndDisturb(pid => Process.Start("kill", ["-STOP", pid.ToString()])!.WaitForExit(), timeoutSeconds: 5);
        try
        {
            TestContext.Out.WriteLine(output);
            Assert.That(exited, Is.True, $"the job was still running {elapsed.TotalSeconds:F0} s after rank 1 was stopped:\n{output}");
            Assert.That(output, Does.Contain("rank 0: waited").And.Contain("for rank 1: it has died or hangs"), output);
        }
        finally { Directory.Delete(outDir, recursive: true); }
    }

    [Test]
    public void A_rank_that_fails_with_an_error_ends_the_job_instead_of_leaving_the_others_waiting()
    {
        // Rank 0 alone writes, so only it trips over an --out below a file; rank 1 is by then waiting in a collective.
        var file = Path.GetTempFileName();
        try
        {
            var clock = Stopwatch.StartNew();
            var (code, output) = Mpirun.Run(2, [Ecg, "train", "--model", "cnn-ig", "--epochs", "1", "--backend", "cpu", "--distributed", "--out", Path.Combine(file, "out")], TimeSpan.FromSeconds(90));
            Assert.That(code, Is.Not.EqualTo(0), output);
            Assert.That(output, Does.Contain("ecg: error:"), output);
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), output);
        }
        finally { File.Delete(file); }
    }

    /// <summary>Starts a long 2-rank training, waits for rank 0's first checkpoint, disturbs rank 1, and waits up to 90 s for the job to end.</summary>
    private static (string Output, bool Exited, TimeSpan Elapsed, string OutDir) RunAndDisturb(Action<int> disturb, int? timeoutSeconds)
    {
        var outDir = Path.Combine(Path.GetTempPath(), $"ecg-mpi-fail-{Guid.NewGuid():N}");
        if (timeoutSeconds is { } t) Environment.SetEnvironmentVariable("ECG_MPI_TIMEOUT_S", t.ToString());
        using var job = Mpirun.Start(2, [Ecg, "train", "--model", "cnn-ig", "--epochs", "200", "--patience", "200", "--backend", "cpu", "--distributed", "--out", outDir]);
        Environment.SetEnvironmentVariable("ECG_MPI_TIMEOUT_S", null);
        var output = new StringBuilder();
        int? rank1 = null;
        void Read(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (RankPid().Match(line) is { Success: true } m) rank1 = int.Parse(m.Groups[1].Value);
        }
        job.OutputDataReceived += (_, e) => Read(e.Data);
        job.ErrorDataReceived += (_, e) => Read(e.Data);
        job.BeginOutputReadLine();
        job.BeginErrorReadLine();
        var waited = Stopwatch.StartNew();
        while ((rank1 is null || !File.Exists(Path.Combine(outDir, "last.safetensors"))) && !job.HasExited && waited.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(100);
        if (rank1 is null || job.HasExited)
        {
            if (!job.HasExited) job.Kill(entireProcessTree: true);
            Assert.Fail($"the job did not reach its first checkpoint:\n{output}");
        }
        disturb(rank1!.Value);
        var clock = Stopwatch.StartNew();
        bool exited = job.WaitForExit(TimeSpan.FromSeconds(90));
        if (!exited) job.Kill(entireProcessTree: true);
        job.WaitForExit();
        lock (output) return (output.ToString(), exited, clock.Elapsed, outDir);
    }

    [GeneratedRegex(@"rank 1/2 \(pid (\d+)")]
    private static partial Regex RankPid();
}
