using EcgGpu.Distributed.Probe;
using EcgGpu.Nn.Parallel;
using NUnit.Framework;

namespace EcgGpu.Distributed.Tests;

/// <summary>
/// Data-parallel training gives one process's result on the same global batches: weights within 1e-5 after a
/// few steps (which also needs every dropout mask to be the one one process draws). Ranks other than 0 compile
/// with another seed, so only rank 0's broadcast makes them agree.
/// </summary>
public sealed class DataParallelEqualityTests
{
    private const double Tolerance = 1e-5;

    [TestCase("cnn-ig", 2, null)]
    [TestCase("lstm", 2, null)]
    [TestCase("cnn-ig", 2, new[] { 0.7, 0.3 })]
    [TestCase("lstm", 3, new[] { 0.5, 0.3, 0.2 })]
    public void Ranks_in_one_process_equal_one_process(string model, int ranks, double[]? shares)
    {
        var settings = new ProbeTraining.Settings(model, Rows: 96, Batch: 32, Epochs: 1) { Shares = shares };
        var single = ProbeTraining.Train(settings, null, out _);
        var parallel = TrainInThreads(settings, ranks);
        for (int r = 0; r < ranks; r++)
            Assert.That(ProbeTraining.MaxDifference(single, parallel[r]), Is.LessThan(Tolerance), $"{model}: rank {r} of {ranks} against one process");
    }

    [Test]
    public void A_rank_with_an_empty_shard_of_the_last_batch_still_agrees()
    {
        // 66 rows in batches of 32: the last batch has 2 rows for 3 ranks, so one rank computes nothing in it.
        var settings = new ProbeTraining.Settings("cnn-ig", Rows: 66, Batch: 32, Epochs: 2);
        var single = ProbeTraining.Train(settings, null, out _);
        var parallel = TrainInThreads(settings, 3);
        Assert.That(ProbeTraining.MaxDifference(single, parallel[2]), Is.LessThan(Tolerance));
    }

    [Test]
    public void Balancing_resizes_shards_and_keeps_the_result()
    {
        // Rank 1 given 90% of each batch on devices of equal speed (a time per row, not the clock: two threads on a
        // shared machine measure each other's load): after the first window its step is 9x rank 0's, so rows move back.
        var settings = new ProbeTraining.Settings("lstm", Rows: 320, Batch: 32, Epochs: 1) { Shares = [0.1, 0.9], Balance = true, SecondsPerRow = 1e-3 };
        var single = ProbeTraining.Train(settings, null, out _);
        var groups = InProcessCollectives.Create(2);
        var plans = new DataParallel?[2];
        var weights = RunRanks(2, r => ProbeTraining.Train(settings, groups[r], out plans[r]));
        Assert.That(plans[0]!.Rebalances, Is.GreaterThan(0), "the 10/90 split was never re-balanced");
        Assert.That(plans[0]!.Plan.Shares[0], Is.GreaterThan(0.2), "rows did not move to the idle rank");
        Assert.That(plans[1]!.Plan.Shares, Is.EqualTo(plans[0]!.Plan.Shares), "ranks hold different plans");
        Assert.That(ProbeTraining.MaxDifference(single, weights[1]), Is.LessThan(Tolerance));
        Assert.That(plans[0]!.Overall.Select(f => f.Rank), Is.EqualTo(new[] { 0, 1 }));
    }

    private static float[][] TrainInThreads(ProbeTraining.Settings settings, int ranks)
    {
        var groups = InProcessCollectives.Create(ranks);
        return RunRanks(ranks, r => ProbeTraining.Train(settings, groups[r], out _));
    }

    private static float[][] RunRanks(int ranks, Func<int, float[]> rank)
    {
        var results = new float[ranks][];
        var errors = new List<Exception>();
        var threads = Enumerable.Range(0, ranks).Select(r => new Thread(() =>
        {
            try { results[r] = rank(r); }
            catch (Exception e) { lock (errors) errors.Add(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.Count > 0) throw new AggregateException(errors);
        return results;
    }
}
