using Microsoft.Data.Analysis;

namespace EcgGpu.Data;

/// <summary>
/// scikit-learn's StandardScaler and MinMaxScaler on frames: <see cref="Fit"/> on one frame (the training
/// rows), <see cref="Transform"/> any other with the same columns. The fitted <see cref="FeatureScaler"/> is
/// what a trained model stores in its weight file.
/// </summary>
public static class FrameScaling
{
    /// <summary>Fits <paramref name="kind"/> (<see cref="FeatureScaler.Standard"/> or <see cref="FeatureScaler.MinMax"/>) on <paramref name="columns"/> (default: the feature columns).</summary>
    public static FeatureScaler Fit(string kind, DataFrame frame, IReadOnlyList<string>? columns = null, string labelColumn = BeatFrame.Label)
        => FeatureScaler.Fit(kind, frame.ToBeatSet(labelColumn, columns ?? BeatFrame.FeatureColumns(frame, labelColumn), labelsRequired: false));

    /// <summary>
    /// A copy of <paramref name="frame"/> with <paramref name="columns"/> (default: the feature columns, which must
    /// be as many as the scaler was fitted on, in the same order) replaced by their scaled values as float columns.
    /// </summary>
    public static DataFrame Transform(this FeatureScaler scaler, DataFrame frame, IReadOnlyList<string>? columns = null, string labelColumn = BeatFrame.Label)
    {
        var names = columns ?? BeatFrame.FeatureColumns(frame, labelColumn);
        if (names.Count != scaler.Offset.Length)
            throw new ArgumentException($"the scaler was fitted on {scaler.Offset.Length} columns; {names.Count} were given", nameof(columns));
        var position = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var values = new float[frame.Rows.Count];
        var result = new List<DataFrameColumn>(frame.Columns.Count);
        foreach (var column in frame.Columns)
        {
            if (!position.TryGetValue(column.Name, out int c)) { result.Add(column.Clone()); continue; }
            BeatFrame.ReadFloats(column, values);
            for (int r = 0; r < values.Length; r++) values[r] = (values[r] - scaler.Offset[c]) * scaler.Scale[c];
            result.Add(BeatFrame.FloatColumn(column.Name, values));
        }
        foreach (var name in names) BeatFrame.Column(frame, name);   // every named column must exist
        return new DataFrame(result);
    }
}
