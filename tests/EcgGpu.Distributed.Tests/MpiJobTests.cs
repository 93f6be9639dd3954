using EcgGpu.Distributed.Probe;
using NUnit.Framework;

namespace EcgGpu.Distributed.Tests;

/// <summary>Two-rank jobs on localhost under mpirun, through the real binding (CI installs Open MPI).</summary>
[NonParallelizable]
public sealed class MpiJobTests
{
    private static string Probe => Mpirun.Beside("EcgGpu.Distributed.Probe.dll");

    [SetUp]
    public void RequireMpirun() => Mpirun.RequireOrIgnore();

    [Test]
    public void Collectives_give_the_sum_and_the_root_values_on_every_rank()
    {
        var (code, output) = Mpirun.Run(2, [Probe, "collectives"], TimeSpan.FromMinutes(2));
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("rank 0 of 2").And.Contain("rank 1 of 2"));
        Assert.That(output, Does.Not.Contain("WRONG"));
    }

    [TestCase("cnn-ig")]
    [TestCase("lstm")]
    public void Two_ranks_equal_one_process_within_1e5(string model)
    {
        var file = Path.Combine(Path.GetTempPath(), $"ecg-mpi-{model}-{Guid.NewGuid():N}.f32");
        try
        {
            var (code, output) = Mpirun.Run(2, [Probe, "train", model, "96", "32", "1", file, "0.6,0.4"], TimeSpan.FromMinutes(3));
            Assert.That(code, Is.EqualTo(0), output);
            var bytes = File.ReadAllBytes(file);
            var job = new float[bytes.Length / sizeof(float)];
            Buffer.BlockCopy(bytes, 0, job, 0, bytes.Length);
            var single = ProbeTraining.Train(new ProbeTraining.Settings(model, Rows: 96, Batch: 32, Epochs: 1), null, out _);
            Assert.That(ProbeTraining.MaxDifference(single, job), Is.LessThan(1e-5), output);
        }
        finally { File.Delete(file); }
    }
}

/// <summary>`ecg train --distributed` end to end: the same epochs as one process, and resuming across a changed rank count.</summary>
[NonParallelizable]
public sealed class DistributedTrainTests
{
    private static string Ecg => Mpirun.Beside("ecg.dll");

    [SetUp]
    public void RequireMpirun() => Mpirun.RequireOrIgnore();

    [Test]
    public void Resuming_a_two_rank_run_as_one_process_continues_it_exactly()
    {
        var root = Path.Combine(Path.GetTempPath(), $"ecg-mpi-resume-{Guid.NewGuid():N}");
        string split = Path.Combine(root, "split"), whole = Path.Combine(root, "whole");
        try
        {
            var (code, output) = Mpirun.Run(2, [Ecg, "train", "--model", "cnn-ig", "--epochs", "1", "--backend", "cpu", "--distributed", "--out", split], TimeSpan.FromMinutes(3));
            Assert.That(code, Is.EqualTo(0), output);
            var metrics = File.ReadAllText(Path.Combine(split, "metrics.json"));
            Assert.That(metrics, Does.Contain("\"data_parallel\"").And.Contain("\"per_rank\"").And.Contain("\"allreduce_ms\""));
            Assert.That(Directory.GetFiles(split, "*.tmp"), Is.Empty);
            Run([Ecg, "train", "--model", "cnn-ig", "--epochs", "2", "--backend", "cpu", "--resume", split, "--out", split]);
            Run([Ecg, "train", "--model", "cnn-ig", "--epochs", "2", "--backend", "cpu", "--out", whole]);
            var resumed = Nn.CsvLogger.Read(Path.Combine(split, "history.csv"));
            var uninterrupted = Nn.CsvLogger.Read(Path.Combine(whole, "history.csv"));
            Assert.That(resumed.Select(e => e.Epoch), Is.EqualTo(new[] { 1, 2 }));
            for (int i = 0; i < 2; i++)
            {
                Assert.That(resumed[i].Loss, Is.EqualTo(uninterrupted[i].Loss).Within(1e-5), $"epoch {i + 1} loss");
                Assert.That(resumed[i].ValLoss, Is.EqualTo(uninterrupted[i].ValLoss!.Value).Within(1e-5), $"epoch {i + 1} val_loss");
            }
        }
        finally { if (Directory.Exists(root)) Directory.Delete(root, recursive: true); }
    }

    private static void Run(IEnumerable<string> arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(Mpirun.Dotnet) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(3)), Is.True, "ecg did not finish");
        Assert.That(process.ExitCode, Is.EqualTo(0), stdout.Result + stderr.Result);
    }
}
