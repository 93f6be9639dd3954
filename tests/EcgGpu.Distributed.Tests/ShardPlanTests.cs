using EcgGpu.Nn.Parallel;
using NUnit.Framework;

namespace EcgGpu.Distributed.Tests;

public sealed class ShardPlanTests
{
    [Test]
    public void Shards_cover_the_batch_in_rank_order()
    {
        var plan = new ShardPlan([3.0, 1.0, 1.0]);
        foreach (var rows in new[] { 0, 1, 2, 5, 64, 1001 })
        {
            var counts = plan.Counts(rows);
            Assert.That(counts.Sum(), Is.EqualTo(rows), $"{rows} rows");
            int offset = 0;
            for (int r = 0; r < 3; r++)
            {
                Assert.That(plan.For(r, rows), Is.EqualTo((offset, counts[r])), $"rank {r} of {rows} rows");
                offset += counts[r];
            }
        }
        Assert.That(plan.Counts(100), Is.EqualTo(new[] { 60, 20, 20 }));
    }

    [Test]
    public void Even_shards_differ_by_at_most_one_row_and_ties_go_to_lower_ranks()
    {
        Assert.That(ShardPlan.Even(3).Counts(64), Is.EqualTo(new[] { 22, 21, 21 }));
        Assert.That(ShardPlan.Even(4).Counts(2), Is.EqualTo(new[] { 1, 1, 0, 0 }));
    }

    [Test]
    public void Weights_must_be_positive()
    {
        Assert.That(() => new ShardPlan([1.0, 0.0]), Throws.ArgumentException.With.Message.Contains("positive"));
        Assert.That(() => new ShardPlan([]), Throws.ArgumentException);
    }
}
