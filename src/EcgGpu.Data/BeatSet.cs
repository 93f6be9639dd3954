using System.Globalization;

namespace EcgGpu.Data;

/// <summary>Summary statistics of one column, as pandas' <c>DataFrame.describe()</c> gives them.</summary>
public sealed record ColumnSummary(string Column, long Count, double Mean, double Std, double Min, double Q25, double Median, double Q75, double Max);

/// <summary>
/// The beat table: rows of <see cref="Length"/> samples (Kaggle format: 125 Hz, [0, 1]) with class
/// labels, and where known the record and the sample index (at the record's own rate) of each beat.
/// A typed table for what the pipeline needs rather than a general data frame.
/// </summary>
public sealed record BeatSet(float[] Samples, int[] Labels, int Length = BeatFormat.Length)
{
    /// <summary>The record each row came from, when the rows were extracted from raw records.</summary>
    public string[]? Records { get; init; }

    /// <summary>The R-peak sample (at the record's sampling rate) of each row, when known.</summary>
    public int[]? SampleIndices { get; init; }

    /// <summary>The <see cref="RrFeatures.Count"/> RR-interval features of each row, row-major, when known (<see cref="RrFeatures"/>).</summary>
    public float[]? Rr { get; init; }

    /// <summary>Column names; defaults to the sample indices "0".."Length-1" as the Kaggle files number them.</summary>
    public string[] ColumnNames { get; init; } = Enumerable.Range(0, Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    public int Count => Labels.Length;

    public ReadOnlySpan<float> Row(int i) => Samples.AsSpan(i * Length, Length);

    /// <summary>Rows per class 0..4.</summary>
    public long[] ClassCounts()
    {
        var counts = new long[BeatFormat.Classes];
        foreach (var l in Labels) if ((uint)l < BeatFormat.Classes) counts[l]++;
        return counts;
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order, with their records and sample indices.</summary>
    public BeatSet Take(IReadOnlyList<int> indices)
    {
        var samples = new float[indices.Count * Length];
        var labels = new int[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            Row(indices[k]).CopyTo(samples.AsSpan(k * Length, Length));
            labels[k] = Labels[indices[k]];
        }
        return new BeatSet(samples, labels, Length)
        {
            Records = Records is null ? null : indices.Select(i => Records[i]).ToArray(),
            SampleIndices = SampleIndices is null ? null : indices.Select(i => SampleIndices[i]).ToArray(),
            Rr = Rr is null ? null : TakeRr(Rr, indices),
            ColumnNames = ColumnNames,
        };
    }

    private static float[] TakeRr(float[] rr, IReadOnlyList<int> indices)
    {
        var result = new float[indices.Count * RrFeatures.Count];
        for (int k = 0; k < indices.Count; k++)
            rr.AsSpan(indices[k] * RrFeatures.Count, RrFeatures.Count).CopyTo(result.AsSpan(k * RrFeatures.Count));
        return result;
    }

    /// <summary>Only the columns at <paramref name="columns"/> (feature selection), keeping their names.</summary>
    public BeatSet SelectColumns(IReadOnlyList<int> columns)
    {
        foreach (var c in columns) if ((uint)c >= (uint)Length) throw new ArgumentOutOfRangeException(nameof(columns), $"column {c} is not in 0..{Length - 1}");
        var samples = new float[Count * columns.Count];
        for (int r = 0; r < Count; r++)
            for (int k = 0; k < columns.Count; k++) samples[r * columns.Count + k] = Samples[r * Length + columns[k]];
        return this with { Samples = samples, Length = columns.Count, ColumnNames = columns.Select(c => ColumnNames[c]).ToArray() };
    }

    /// <summary>The rows of both tables; records and sample indices are kept only when both have them.</summary>
    public static BeatSet Concat(BeatSet a, BeatSet b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"row lengths differ: {a.Length} and {b.Length}");
        return new BeatSet([.. a.Samples, .. b.Samples], [.. a.Labels, .. b.Labels], a.Length)
        {
            Records = a.Records is not null && b.Records is not null ? [.. a.Records, .. b.Records] : null,
            SampleIndices = a.SampleIndices is not null && b.SampleIndices is not null ? [.. a.SampleIndices, .. b.SampleIndices] : null,
            Rr = a.Rr is not null && b.Rr is not null ? [.. a.Rr, .. b.Rr] : null,
            ColumnNames = a.ColumnNames,
        };
    }

    /// <summary>Count, mean, sample standard deviation (ddof 1), min, quartiles (linear interpolation) and max of every column, as pandas.</summary>
    public IReadOnlyList<ColumnSummary> Describe()
    {
        var result = new ColumnSummary[Length];
        var column = new double[Count];
        for (int c = 0; c < Length; c++)
        {
            double sum = 0;
            for (int r = 0; r < Count; r++) { column[r] = Samples[r * Length + c]; sum += column[r]; }
            double mean = Count > 0 ? sum / Count : double.NaN, ss = 0;
            for (int r = 0; r < Count; r++) ss += (column[r] - mean) * (column[r] - mean);
            Array.Sort(column);
            result[c] = new ColumnSummary(ColumnNames[c], Count, mean, Count > 1 ? Math.Sqrt(ss / (Count - 1)) : double.NaN,
                Count > 0 ? column[0] : double.NaN, Quantile(column, 0.25), Quantile(column, 0.5), Quantile(column, 0.75), Count > 0 ? column[^1] : double.NaN);
        }
        return result;
    }

    /// <summary>numpy's default (linear) quantile of sorted values.</summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
