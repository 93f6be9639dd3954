using EcgGpu.Cli;
using NUnit.Framework;

namespace EcgGpu.Distributed.Tests;

public sealed class CompareDistributionTests
{
    [Test]
    public void As_many_models_as_ranks_is_a_sweep_round_robin()
    {
        var plan = CompareDistribution.Choose(["cnn", "lstm", "gru2"], 2);
        Assert.That(plan.Sweep, Is.True);
        Assert.That(plan.Owner, Is.EqualTo(new[] { 0, 1, 0 }));
        Assert.That(plan.Why, Does.Contain("sweep").And.Contain("rank 0: cnn+gru2").And.Contain("rank 1: lstm"));
    }

    [Test]
    public void Fewer_models_than_ranks_split_batches_and_say_why()
    {
        var plan = CompareDistribution.Choose(["cnn"], 4);
        Assert.That(plan.Sweep, Is.False);
        Assert.That(plan.Why, Does.Contain("3 rank(s) idle").And.Contain("data-parallel"));
    }
}
