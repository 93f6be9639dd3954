using Microsoft.Data.Analysis;
using EcgGpu.Runtime;

namespace EcgGpu.Data;

/// <summary>The information-gain top-k selection on frames (the infogain kernels on any accelerator).</summary>
public static class FrameSelection
{
    /// <summary>
    /// The <paramref name="k"/> feature columns with the highest information gain about the class (equal-width
    /// bins), as a frame of those columns in rank order with the label and meta columns; and the scores of every
    /// feature column as a frame: column, gain (nats), rank (1 = highest), sorted by rank.
    /// </summary>
    public static (DataFrame Selected, DataFrame Scores) TopK(Accelerator accelerator, DataFrame frame, int k,
        string labelColumn = BeatFrame.Label, int bins = FeatureSelection.DefaultBins)
    {
        var features = BeatFrame.FeatureColumns(frame, labelColumn);
        if (k < 1 || k > features.Count) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be in 1..{features.Count} (the feature columns)");
        var beats = frame.ToBeatSet(labelColumn, features);
        var (ranked, gains) = FeatureSelection.Rank(accelerator, beats, bins);
        var scores = new DataFrame(
            new StringDataFrameColumn("column", ranked.Select(i => features[i])),
            new DoubleDataFrameColumn("gain", ranked.Select(i => (double)gains[i])),
            new Int32DataFrameColumn("rank", Enumerable.Range(1, ranked.Length)));
        var keep = ranked[..k].Select(i => features[i])
            .Concat(frame.Columns.Select(c => c.Name).Where(n => n == labelColumn || BeatFrame.IsMetaColumn(n)));
        return (new DataFrame(keep.Select(n => BeatFrame.Column(frame, n).Clone())), scores);
    }
}
