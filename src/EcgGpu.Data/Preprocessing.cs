using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EcgGpu.Runtime;

namespace EcgGpu.Data;

/// <summary>
/// What turns a raw 187-sample beat into a model's input: optional column selection (the
/// information-gain top-k) then an optional scaler. Stored with a trained model (as JSON in the weight
/// file's metadata, with its own SHA-256), so prediction applies the same transform.
/// </summary>
public sealed record Preprocessing(int InputLength, int[]? Features = null, FeatureScaler? Scaler = null)
{
    public static Preprocessing None(int length = BeatFormat.Length) => new(length);

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

    /// <summary>The transform stored in weight-file metadata; none when the file has no entry; refused when it was altered.</summary>
    public static Preprocessing FromMetadata(IReadOnlyDictionary<string, string> metadata, int defaultLength, string file)
    {
        if (!metadata.TryGetValue("preprocessing", out var json)) return None(defaultLength);
        if (!metadata.TryGetValue("preprocessing_sha256", out var sha) || sha != Sha256(json))
            throw new InvalidDataException($"{file}: the stored preprocessing does not match its SHA-256; the file was altered");
        var s = JsonSerializer.Deserialize<Stored>(json) ?? throw new InvalidDataException($"{file}: empty preprocessing entry");
        FeatureScaler? scaler = s.Scaler is null ? null : new FeatureScaler(s.Scaler, s.Offset!, s.Scale!);
        return new Preprocessing(s.InputLength, s.Features, scaler);
    }

    private static string Sha256(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
