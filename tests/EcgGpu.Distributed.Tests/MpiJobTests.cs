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
