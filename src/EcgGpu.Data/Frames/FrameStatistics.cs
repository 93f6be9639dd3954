using Microsoft.Data.Analysis;

namespace EcgGpu.Data;

/// <summary>Mean, sample standard deviation (ddof 1; 0 for fewer than two rows) and the first row of every class, per feature column.</summary>
public sealed record ClassProfiles(IReadOnlyList<string> Columns, double[][] Mean, double[][] Std, float[][] Example);

/// <summary>The statistics of exploratory analysis on a beat frame, with pandas' definitions.</summary>
public static class FrameStatistics
{
    /// <summary>The rows of pandas' <c>describe()</c>, in its order.</summary>
    public static IReadOnlyList<string> DescribeRows { get; } = ["count", "mean", "std", "min", "25%", "50%", "75%", "max"];

    /// <summary>
    /// pandas' <c>DataFrame.describe()</c> of the feature columns (default <see cref="BeatFrame.FeatureColumns"/>): a
    /// "statistic" column (count, mean, std, min, 25%, 50%, 75%, max) then one double column per described column.
    /// </summary>
    public static DataFrame Describe(DataFrame frame, IReadOnlyList<string>? columns = null, string labelColumn = BeatFrame.Label)
    {
        var summaries = Summaries(frame, columns, labelColumn);
        var result = new List<DataFrameColumn> { new StringDataFrameColumn("statistic", DescribeRows) };
        foreach (var s in summaries)
            result.Add(new DoubleDataFrameColumn(s.Column, [s.Count, s.Mean, s.Std, s.Min, s.Q25, s.Median, s.Q75, s.Max]));
        return new DataFrame(result);
    }

    /// <summary><see cref="Describe"/> as one record per column: count, mean, std (ddof 1), min, quartiles (numpy's linear interpolation), max.</summary>
    public static IReadOnlyList<ColumnSummary> Summaries(DataFrame frame, IReadOnlyList<string>? columns = null, string labelColumn = BeatFrame.Label)
    {
        var names = columns ?? BeatFrame.FeatureColumns(frame, labelColumn);
        int n = checked((int)frame.Rows.Count);
        var floats = new float[n];
        var values = new double[n];
        var result = new ColumnSummary[names.Count];
        for (int c = 0; c < names.Count; c++)
        {
            BeatFrame.ReadFloats(BeatFrame.Column(frame, names[c]), floats);
            double sum = 0;
            for (int r = 0; r < n; r++) { values[r] = floats[r]; sum += values[r]; }
            double mean = n > 0 ? sum / n : double.NaN, ss = 0;
            for (int r = 0; r < n; r++) ss += (values[r] - mean) * (values[r] - mean);
            Array.Sort(values);
            result[c] = new ColumnSummary(names[c], n, mean, n > 1 ? Math.Sqrt(ss / (n - 1)) : double.NaN,
                n > 0 ? values[0] : double.NaN, BeatSet.Quantile(values, 0.25), BeatSet.Quantile(values, 0.5), BeatSet.Quantile(values, 0.75), n > 0 ? values[^1] : double.NaN);
        }
        return result;
    }

    /// <summary>Rows per class 0–4 as a frame: class, name (AAMI letter) and count, every class listed.</summary>
    public static DataFrame ClassCounts(DataFrame frame, string labelColumn = BeatFrame.Label)
    {
        var counts = CountClasses(frame, labelColumn);
        var classes = Enumerable.Range(0, BeatFormat.Classes).ToArray();
        return new DataFrame(
            new Int32DataFrameColumn("class", classes),
            new StringDataFrameColumn("name", classes.Select(c => ((BeatClass)c).ToString())),
            new Int64DataFrameColumn("count", counts));
    }

    /// <summary>Rows per class 0–4; labels are checked as <see cref="BeatFrame.ReadLabels"/> does.</summary>
    public static long[] CountClasses(DataFrame frame, string labelColumn = BeatFrame.Label)
    {
        var counts = new long[BeatFormat.Classes];
        foreach (var l in BeatFrame.ReadLabels(frame, labelColumn)) counts[l]++;
        return counts;
    }

    /// <summary>Per class: the mean and sample standard deviation of every feature column and the class's first row, as the reference notebooks plot them.</summary>
    public static ClassProfiles Profiles(DataFrame frame, string labelColumn = BeatFrame.Label, IReadOnlyList<string>? columns = null)
    {
        var names = columns ?? BeatFrame.FeatureColumns(frame, labelColumn);
        var labels = BeatFrame.ReadLabels(frame, labelColumn);
        int w = names.Count, k = BeatFormat.Classes;
        var byClass = Enumerable.Range(0, k).Select(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray()).ToArray();
        var mean = Enumerable.Range(0, k).Select(_ => new double[w]).ToArray();
        var std = Enumerable.Range(0, k).Select(_ => new double[w]).ToArray();
        var example = Enumerable.Range(0, k).Select(_ => new float[w]).ToArray();
        var values = new float[labels.Length];
        for (int j = 0; j < w; j++)
        {
            BeatFrame.ReadFloats(BeatFrame.Column(frame, names[j]), values);
            for (int c = 0; c < k; c++)
            {
                var rows = byClass[c];
                if (rows.Length > 0) example[c][j] = values[rows[0]];
                double sum = 0;
                foreach (var r in rows) sum += values[r];
                double m = sum / Math.Max(1, rows.Length), ss = 0;
                foreach (var r in rows) ss += (values[r] - m) * (values[r] - m);
                mean[c][j] = m;
                std[c][j] = rows.Length > 1 ? Math.Sqrt(ss / (rows.Length - 1)) : 0;
            }
        }
        return new ClassProfiles(names, mean, std, example);
    }
}
