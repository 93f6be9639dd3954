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

    /// <summary>
    /// Whole records aside, about <paramref name="fraction"/> of the beats, for a validation part that keeps the
    /// inter-patient promise: no patient of the validation part is trained on, so early stopping watches unseen
    /// patients as the test does. Of 500 seeded draws of records (each draw adds records until the fraction is
    /// reached) it keeps the one whose class mix is nearest the whole's (L1 over the class shares, with every
    /// class that 3 or more records hold present), so that S and V beats are validated on too. Needs 2 or more records.
    /// </summary>
    public static (BeatSet Train, BeatSet Validation, string[] ValidationRecords) ByRecord(BeatSet data, double fraction, int seed)
    {
        if (fraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "a fraction strictly between 0 and 1");
        if (data.Records is null) throw new ArgumentException("a validation part of whole records needs the record of every beat (beats extracted from raw records)");
        var rows = Enumerable.Range(0, data.Count).GroupBy(i => data.Records[i]).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Record: g.Key, Rows: g.ToArray())).ToArray();
        if (rows.Length < 2) throw new ArgumentException($"a validation part of whole records needs 2 or more records; the data holds {rows.Length}");
        var counts = rows.Select(r => Count(data.Labels, r.Rows)).ToArray();
        var whole = data.ClassCounts();
        // A class counts as required only where 3 or more records hold it: one record cannot be both sides.
        var required = Enumerable.Range(0, BeatFormat.Classes).Where(c => counts.Count(k => k[c] > 0) >= 3).ToArray();
        var rng = new Random(seed);
        int[]? best = null;
        double bestScore = double.MaxValue;
        var order = Enumerable.Range(0, rows.Length).ToArray();
        for (int draw = 0; draw < 500; draw++)
        {
            rng.Shuffle(order);
            var taken = new List<int>();
            var held = new long[BeatFormat.Classes];
            long n = 0;
            foreach (var r in order)
            {
                if (n >= fraction * data.Count || taken.Count == rows.Length - 1) break;
                taken.Add(r);
                for (int c = 0; c < held.Length; c++) held[c] += counts[r][c];
                n += rows[r].Rows.Length;
            }
            double score = Enumerable.Range(0, held.Length).Sum(c => Math.Abs((double)held[c] / n - (double)whole[c] / data.Count));
            if (required.Any(c => held[c] == 0)) score += 10;   // a missing class outweighs any difference in mix
            if (score < bestScore) { bestScore = score; best = [.. taken]; }
        }
        var chosen = best!.ToHashSet();
        var validation = chosen.SelectMany(r => rows[r].Rows).Order().ToArray();
        var train = Enumerable.Range(0, rows.Length).Where(r => !chosen.Contains(r)).SelectMany(r => rows[r].Rows).Order().ToArray();
        return (data.Take(train), data.Take(validation), chosen.Select(r => rows[r].Record).Order(StringComparer.Ordinal).ToArray());
    }

    private static long[] Count(int[] labels, int[] rows)
    {
        var k = new long[BeatFormat.Classes];
        foreach (var i in rows) k[labels[i]]++;
        return k;
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
