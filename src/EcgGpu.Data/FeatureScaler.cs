namespace EcgGpu.Data;

/// <summary>
/// A per-column affine transform fitted on training data, as scikit-learn's scalers:
/// x' = (x − Offset) × Scale. StandardScaler: offset = mean, scale = 1 / std (population std; a
/// constant column keeps scale 1). MinMaxScaler: offset = min, scale = 1 / (max − min) (a constant
/// column keeps scale 1).
/// </summary>
public sealed record FeatureScaler(string Kind, float[] Offset, float[] Scale)
{
    public const string Standard = "standard", MinMax = "minmax";

    public static FeatureScaler Fit(string kind, BeatSet train) => kind switch
    {
        Standard => FitStandard(train),
        MinMax => FitMinMax(train),
        _ => throw new ArgumentException($"unknown scaler '{kind}'; known: {Standard}, {MinMax}", nameof(kind)),
    };

    public static FeatureScaler FitStandard(BeatSet train)
    {
        int w = train.Length;
        var mean = new double[w];
        var sq = new double[w];
        for (int r = 0; r < train.Count; r++)
        {
            var row = train.Row(r);
            for (int c = 0; c < w; c++) mean[c] += row[c];
        }
        for (int c = 0; c < w; c++) mean[c] /= train.Count;
        for (int r = 0; r < train.Count; r++)
        {
            var row = train.Row(r);
            for (int c = 0; c < w; c++) { double d = row[c] - mean[c]; sq[c] += d * d; }
        }
        var scale = new float[w];
        for (int c = 0; c < w; c++)
        {
            double std = Math.Sqrt(sq[c] / train.Count);
            scale[c] = std > 0 ? (float)(1 / std) : 1f;
        }
        return new FeatureScaler(Standard, mean.Select(m => (float)m).ToArray(), scale);
    }

    public static FeatureScaler FitMinMax(BeatSet train)
    {
        int w = train.Length;
        var min = Enumerable.Repeat(float.PositiveInfinity, w).ToArray();
        var max = Enumerable.Repeat(float.NegativeInfinity, w).ToArray();
        for (int r = 0; r < train.Count; r++)
        {
            var row = train.Row(r);
            for (int c = 0; c < w; c++) { min[c] = Math.Min(min[c], row[c]); max[c] = Math.Max(max[c], row[c]); }
        }
        return new FeatureScaler(MinMax, min, min.Select((m, c) => max[c] > m ? 1f / (max[c] - m) : 1f).ToArray());
    }

    public void TransformInPlace(Span<float> rows)
    {
        int w = Offset.Length;
        if (rows.Length % w != 0) throw new ArgumentException($"{rows.Length} values are not whole rows of {w}");
        for (int i = 0; i < rows.Length; i++) rows[i] = (rows[i] - Offset[i % w]) * Scale[i % w];
    }

    public BeatSet Transform(BeatSet data)
    {
        if (data.Length != Offset.Length) throw new ArgumentException($"the scaler was fitted on {Offset.Length} columns, the data has {data.Length}");
        var samples = (float[])data.Samples.Clone();
        TransformInPlace(samples);
        return data with { Samples = samples };
    }
}
