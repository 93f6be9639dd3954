namespace EcgGpu.Data;

/// <summary>Train/test splits and class balancing.</summary>
public static class Splits
{
    /// <summary>Stratified random split as scikit-learn's <c>train_test_split(stratify=y)</c> and the Kaggle files: each class contributes <paramref name="testFraction"/> to the test side.</summary>
    public static (BeatSet Train, BeatSet Test) Stratified(BeatSet data, double testFraction, int seed)
    {
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "a fraction strictly between 0 and 1");
        var (train, test) = StratifiedIndices(data.Labels, testFraction, seed);
        return (data.Take(train), data.Take(test));
    }

    /// <summary>The row indices of a stratified random split of <paramref name="labels"/>: <paramref name="testFraction"/> of each class (rounded) goes to the test side.</summary>
    public static (int[] Train, int[] Test) StratifiedIndices(int[] labels, double testFraction, int seed)
    {
        var rng = new Random(seed);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var members = group.ToArray();
            rng.Shuffle(members);
            int cut = (int)Math.Round(members.Length * testFraction);
            test.AddRange(members[..cut]);
            train.AddRange(members[cut..]);
        }
        return (train.ToArray(), test.ToArray());
    }

    /// <summary>de Chazal et al. 2004: records of DS1 train, records of DS2 test (no patient on both sides); other records are left out.</summary>
    public static (BeatSet Train, BeatSet Test) InterPatient(BeatSet data)
    {
        if (data.Records is null) throw new ArgumentException("the inter-patient split needs the record of every beat (beats extracted from raw records)");
        var ds1 = Mitdb.DS1.ToHashSet();
        var ds2 = Mitdb.DS2.ToHashSet();
        var train = Enumerable.Range(0, data.Count).Where(i => ds1.Contains(data.Records[i])).ToArray();
        var test = Enumerable.Range(0, data.Count).Where(i => ds2.Contains(data.Records[i])).ToArray();
        return (data.Take(train), data.Take(test));
    }

    /// <summary>
    /// Oversamples every class to the size of the largest one. With <paramref name="augment"/> the copies
    /// are altered as Kachuee et al. 2018 do: amplitude scaled by a factor in [0.9, 1.1] and stretched in
    /// time by a factor in [0.9, 1.1] (linear interpolation, cut or zero-padded to the row length).
    /// </summary>
    public static BeatSet Oversample(BeatSet data, int seed, bool augment = false)
    {
        var rng = new Random(seed);
        var counts = data.ClassCounts();
        long target = counts.Max();
        var byClass = Enumerable.Range(0, BeatFormat.Classes).Select(c => Enumerable.Range(0, data.Count).Where(i => data.Labels[i] == c).ToArray()).ToArray();
        var extraRows = new List<int>();
        foreach (var members in byClass)
            for (long k = members.Length; k < target && members.Length > 0; k++) extraRows.Add(members[rng.Next(members.Length)]);
        var extra = data.Take(extraRows);
        if (augment)
            for (int r = 0; r < extra.Count; r++)
                Augment(extra.Samples.AsSpan(r * extra.Length, extra.Length), 0.9 + 0.2 * rng.NextDouble(), 0.9 + 0.2 * rng.NextDouble());
        var all = BeatSet.Concat(data, extra);
        var order = Enumerable.Range(0, all.Count).ToArray();
        rng.Shuffle(order);
        return all.Take(order);
    }

    /// <summary>Scales the amplitude by <paramref name="amplitude"/> and stretches time by <paramref name="stretch"/> (> 1 lengthens).</summary>
    public static void Augment(Span<float> row, double amplitude, double stretch)
    {
        var source = row.ToArray();
        for (int i = 0; i < row.Length; i++)
        {
            double t = i / stretch;
            int k = (int)t;
            double f = t - k;
            double v = k + 1 < source.Length ? source[k] * (1 - f) + source[k + 1] * f : k < source.Length ? source[k] : 0;
            row[i] = (float)(v * amplitude);
        }
    }
}
