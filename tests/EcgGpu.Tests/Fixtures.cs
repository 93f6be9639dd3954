using System.Globalization;
using System.Text.Json;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Finds the reference fixtures: <c>$ECG_FIXTURES</c>, else <c>../shared/fixtures</c> next to the
/// repository root, and lists every case file there (no fixed list).
/// </summary>
internal static class Fixtures
{
    public static string? Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ECG_FIXTURES");
            if (!string.IsNullOrWhiteSpace(env)) return Directory.Exists(env) ? env : null;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "EcgGpu.sln")))
                {
                    var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures"));
                    return Directory.Exists(candidate) ? candidate : null;
                }
            return null;
        }
    }

    /// <summary>Paths relative to the root (e.g. <c>torch/dense.json</c>), or a single "(none)" so the absence is reported as a skip.</summary>
    public static IEnumerable<string> Cases(string subfolder)
    {
        var root = Root;
        var dir = root is null ? null : Path.Combine(root, subfolder);
        if (dir is null || !Directory.Exists(dir)) { yield return "(none)"; yield break; }
        var files = Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) { yield return "(none)"; yield break; }
        foreach (var f in files) yield return Path.GetRelativePath(root!, f).Replace('\\', '/');
    }

    public static JsonElement Load(string relative)
    {
        if (relative == "(none)") Assert.Ignore($"no fixtures found (set ECG_FIXTURES or place them in ../shared/fixtures; looked at {Root ?? "nothing"})");
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(Root!, relative))).RootElement;
    }

    public static (int[] Shape, double[] Data) Tensor(JsonElement t)
        => (t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            t.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray());

    public static float[] Floats(JsonElement t) => Tensor(t).Data.Select(v => (float)v).ToArray();

    /// <summary>A config value written as a number or as a string holding one.</summary>
    public static double Number(JsonElement config, string name)
    {
        var v = config.GetProperty(name);
        return v.ValueKind == JsonValueKind.String ? double.Parse(v.GetString()!, CultureInfo.InvariantCulture) : v.GetDouble();
    }

    /// <summary>An integer list written as a JSON array or as a string such as "[1, 4, 0]".</summary>
    public static int[] IntList(JsonElement config, string name)
    {
        var v = config.GetProperty(name);
        if (v.ValueKind == JsonValueKind.Array) return v.EnumerateArray().Select(e => e.GetInt32()).ToArray();
        return v.GetString()!.Trim('[', ']', ' ').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    }
}
