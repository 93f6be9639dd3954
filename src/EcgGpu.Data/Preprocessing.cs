using EcgGpu.Kernels;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcgGpu.Runtime;

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

/// <summary>
/// What turns a raw 187-sample beat into a model's input: optional column selection (the
/// information-gain top-k) then an optional scaler. Stored with a trained model (as JSON in the weight
/// file's metadata, with its own SHA-256), so prediction applies the same transform.
/// </summary>
public sealed record Preprocessing(int InputLength, int[]? Features = null, FeatureScaler? Scaler = null)
{
    public static Preprocessing None(int length = SyntheticBeats.Length) => new(length);

    public int OutputLength => Features?.Length ?? InputLength;

    public BeatSet Apply(BeatSet data)
    {
        if (data.Length != InputLength) throw new ArgumentException($"the model takes rows of {InputLength} samples; the data has {data.Length}");
        var selected = Features is null ? data : data.SelectColumns(Features);
        return Scaler is null ? selected : Scaler.Transform(selected);
    }

    /// <summary>Fits the transform on training beats: top-<paramref name="topK"/> information-gain columns (on <paramref name="accelerator"/>) then the scaler.</summary>
    public static Preprocessing Fit(BeatSet train, int? topK, string? scaler, Accelerator? accelerator = null, int bins = FeatureSelection.DefaultBins)
    {
        int[]? features = null;
        if (topK is int k)
        {
            if (accelerator is null) throw new ArgumentNullException(nameof(accelerator), "information-gain selection runs on an accelerator");
            features = FeatureSelection.Rank(accelerator, train, bins).Ranked[..k];
        }
        var selected = features is null ? train : train.SelectColumns(features);
        return new Preprocessing(train.Length, features, scaler is null ? null : FeatureScaler.Fit(scaler, selected));
    }

    private sealed record Stored(
        [property: JsonPropertyName("input_length")] int InputLength,
        [property: JsonPropertyName("features")] int[]? Features,
        [property: JsonPropertyName("scaler")] string? Scaler,
        [property: JsonPropertyName("offset")] float[]? Offset,
        [property: JsonPropertyName("scale")] float[]? Scale);

    public string ToJson() => JsonSerializer.Serialize(new Stored(InputLength, Features, Scaler?.Kind, Scaler?.Offset, Scaler?.Scale));

    /// <summary>The metadata entries that store this transform.</summary>
    public Dictionary<string, string> ToMetadata()
    {
        var json = ToJson();
        return new() { ["preprocessing"] = json, ["preprocessing_sha256"] = Sha256(json) };
    }

    /// <summary>The transform stored in weight-file metadata; none when the file has no entry; refused, naming the file and the problem, when it was altered or is impossible (a column outside the beat, another number of features than <paramref name="modelInput"/>, a scaler of the wrong size).</summary>
    public static Preprocessing FromMetadata(IReadOnlyDictionary<string, string> metadata, int defaultLength, string file, int? modelInput = null)
    {
        if (!metadata.TryGetValue("preprocessing", out var json)) return None(defaultLength);
        if (!metadata.TryGetValue("preprocessing_sha256", out var sha) || sha != Sha256(json))
            throw new InvalidDataException($"{file}: the stored preprocessing does not match its SHA-256; the file was altered");
        Stored? s;
        try { s = JsonSerializer.Deserialize<Stored>(json); }
        catch (JsonException e) { throw new InvalidDataException($"{file}: '__metadata__.preprocessing' is not a preprocessing entry: {e.Message}"); }
        if (s is null) throw new InvalidDataException($"{file}: '__metadata__.preprocessing' is empty");
        var problem = Check(s, modelInput);
        if (problem is not null) throw new InvalidDataException($"{file}: '__metadata__.preprocessing' {problem}");
        FeatureScaler? scaler = s.Scaler is null ? null : new FeatureScaler(s.Scaler, s.Offset!, s.Scale!);
        return new Preprocessing(s.InputLength, s.Features, scaler);
    }

    /// <summary>What makes a stored transform impossible (for a model of <paramref name="modelInput"/> inputs when given), or null when it is usable.</summary>
    private static string? Check(Stored s, int? modelInput)
    {
        if (s.InputLength is < 1 or > 1 << 20) return $"has input_length {s.InputLength}";
        int output = s.Features?.Length ?? s.InputLength;
        if (modelInput is int m && output != m) return $"gives {output} features, the model takes {m}";
        if (s.Features is { } features)
        {
            int bad = Array.FindIndex(features, f => (uint)f >= (uint)s.InputLength);
            if (bad >= 0) return $"selects column {features[bad]}, outside 0..{s.InputLength - 1}";
            if (features.Distinct().Count() != features.Length) return "selects a column twice";
        }
        if (s.Scaler is null) return s.Offset is null && s.Scale is null ? null : "has offsets or scales but no scaler";
        if (s.Scaler is not (FeatureScaler.Standard or FeatureScaler.MinMax)) return $"names scaler '{s.Scaler}'; known: {FeatureScaler.Standard}, {FeatureScaler.MinMax}";
        if (s.Offset?.Length != output || s.Scale?.Length != output) return $"has {s.Offset?.Length ?? 0} offsets and {s.Scale?.Length ?? 0} scales for {output} features";
        if (!s.Offset.All(float.IsFinite) || !s.Scale.All(v => float.IsFinite(v) && v != 0)) return "has an offset or scale that is not a finite number (or a scale of 0)";
        return null;
    }

    private static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}

/// <summary>Information gain of each sample index about the class, with the infogain kernel family on any accelerator.</summary>
public static class FeatureSelection
{
    public const int DefaultBins = 64;   // 64 equal-width bins: 59 of scikit-learn's top 60 on MIT-BIH (16 bins: 49)

    /// <summary>The gain (nats) of every column over equal-width bins, and the columns by gain (highest first, stable).</summary>
    public static (int[] Ranked, float[] Gains) Rank(Accelerator accelerator, BeatSet data, int bins = DefaultBins)
    {
        using var x = accelerator.Upload<float>(data.Samples);
        using var y = accelerator.Upload<int>(data.Labels);
        var gains = InfoGain.Compute(data.Count, data.Length, bins, BeatSet.Classes, x, y);
        return (InfoGain.Rank(gains), gains);
    }
}

/// <summary>Train/test splits and class balancing.</summary>
public static class Splits
{
    /// <summary>Stratified random split as scikit-learn's <c>train_test_split(stratify=y)</c> and the Kaggle files: each class contributes <paramref name="testFraction"/> to the test side.</summary>
    public static (BeatSet Train, BeatSet Test) Stratified(BeatSet data, double testFraction, int seed)
    {
        if (testFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "a fraction strictly between 0 and 1");
        var (train, test) = Mitdb.StratifiedSplit(data.Labels, testFraction, seed);
        return (data.Take(train), data.Take(test));
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
        var byClass = Enumerable.Range(0, BeatSet.Classes).Select(c => Enumerable.Range(0, data.Count).Where(i => data.Labels[i] == c).ToArray()).ToArray();
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
