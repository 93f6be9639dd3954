using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcgGpu.Runtime;

namespace EcgGpu.Data;

/// <summary>
/// What turns a raw 187-sample beat into a model's input: optional column selection (the
/// information-gain top-k), then an optional scaler, then, for two-input models, the beat's RR features
/// (<see cref="RrColumns"/> of <see cref="RrFeatures.Names"/>) appended to the row. Stored with a trained
/// model (as JSON in the weight file's metadata, with its own SHA-256), so prediction applies the same transform.
/// </summary>
public sealed record Preprocessing(int InputLength, int[]? Features = null, FeatureScaler? Scaler = null)
{
    public static Preprocessing None(int length = BeatFormat.Length) => new(length);

    /// <summary>
    /// The beat read from its last sample to its first: a column selection of every sample in reverse order,
    /// so prediction and ONNX export (a Gather) apply it as they apply any selection. See <c>Zoo.ReadsBeatBackwards</c>.
    /// </summary>
    public static Preprocessing Backwards(int length = BeatFormat.Length) => new(length, Enumerable.Range(0, length).Reverse().ToArray());

    /// <summary>The RR features (indices into <see cref="RrFeatures.Names"/>) appended after the beat; null for single-input models.</summary>
    public int[]? RrColumns { get; init; }

    /// <summary>Values per model input row: the selected samples, then the RR features.</summary>
    public int OutputLength => (Features?.Length ?? InputLength) + (RrColumns?.Length ?? 0);

    public BeatSet Apply(BeatSet data)
    {
        if (data.Length != InputLength) throw new ArgumentException($"the model takes rows of {InputLength} samples; the data has {data.Length}");
        var selected = Features is null ? data : data.SelectColumns(Features);
        var scaled = Scaler is null ? selected : Scaler.Transform(selected);
        return RrColumns is null ? scaled : AppendRr(scaled, RrColumns);
    }

    private static BeatSet AppendRr(BeatSet beats, int[] columns)
    {
        if (beats.Rr is null)
            throw new ArgumentException($"the model takes the beats' RR features ({string.Join(", ", columns.Select(c => RrFeatures.Names[c]))}), and these beats have none: "
                + "extract them from raw records (ecg prepare --mitdb) or put the _rr.csv that ecg prepare writes beside the beats file");
        int width = beats.Length + columns.Length;
        var samples = new float[beats.Count * width];
        for (int r = 0; r < beats.Count; r++)
        {
            beats.Row(r).CopyTo(samples.AsSpan(r * width));
            for (int k = 0; k < columns.Length; k++) samples[r * width + beats.Length + k] = beats.Rr[r * RrFeatures.Count + columns[k]];
        }
        return beats with { Samples = samples, Length = width, ColumnNames = [.. beats.ColumnNames, .. columns.Select(c => RrFeatures.Names[c])] };
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
        [property: JsonPropertyName("scale")] float[]? Scale,
        [property: JsonPropertyName("rr_features"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? RrFeatures);

    public string ToJson() => JsonSerializer.Serialize(new Stored(InputLength, Features, Scaler?.Kind, Scaler?.Offset, Scaler?.Scale,
        RrColumns?.Select(c => Data.RrFeatures.Names[c]).ToArray()));

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
        int[]? rr = null;
        if (s.RrFeatures is { } names)
        {
            rr = new int[names.Length];
            for (int k = 0; k < names.Length; k++)
            {
                rr[k] = Data.RrFeatures.Names.ToList().IndexOf(names[k]);
                if (rr[k] < 0) throw new InvalidDataException($"{file}: the stored preprocessing names RR feature '{names[k]}'; known: {string.Join(", ", Data.RrFeatures.Names)}");
            }
        }
        return new Preprocessing(s.InputLength, s.Features, scaler) { RrColumns = rr };
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
