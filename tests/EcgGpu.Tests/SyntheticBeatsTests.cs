using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

public sealed class SyntheticBeatsTests
{
    [Test]
    public void Beats_are_in_kaggle_layout()
    {
        var set = SyntheticBeats.Generate(500, seed: 3);
        Assert.That(set.Samples, Has.Length.EqualTo(500 * 187));
        Assert.That(set.Samples, Has.All.InRange(0f, 1f));
        for (int r = 0; r < set.Count; r++)
        {
            var row = set.Samples.AsSpan(r * 187, 187);
            Assert.That(row[0], Is.GreaterThan(0.5f), $"row {r} starts at its R peak");
            Assert.That(row[^1], Is.EqualTo(0f), $"row {r} is zero-padded");
            Assert.That(row.ToArray().Max(), Is.EqualTo(1f), $"row {r} is min-max normalised");
        }
    }

    [Test]
    public void The_same_seed_gives_the_same_beats_and_classes_are_balanced()
    {
        var a = SyntheticBeats.Generate(250, seed: 7);
        var b = SyntheticBeats.Generate(250, seed: 7);
        Assert.That(a.Samples, Is.EqualTo(b.Samples));
        Assert.That(a.Labels, Is.EqualTo(b.Labels));
        Assert.That(a.Labels.GroupBy(l => l).Select(g => g.Count()), Is.All.EqualTo(50));
        Assert.That(SyntheticBeats.Generate(250, seed: 8).Samples, Is.Not.EqualTo(a.Samples));
        var skewed = SyntheticBeats.Generate(1000, seed: 1, [8, 1, 1, 0, 0]);
        Assert.That(skewed.Labels.Count(l => l == 0), Is.EqualTo(800));
        Assert.That(skewed.Labels.Count(l => l >= 3), Is.EqualTo(0));
    }
}
