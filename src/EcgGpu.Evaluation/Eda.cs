using EcgGpu.Kernels;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EcgGpu.Data;
using EcgGpu.Runtime;

namespace EcgGpu.Evaluation;

/// <summary>The numbers of the exploratory analysis (<c>ecg eda</c>).</summary>
public sealed record EdaResult(
    string Data, string Backend, long[] TrainCounts, long[] TestCounts,
    double[][] ClassMean, double[][] ClassStd, float[][] ClassExample,
    float[] InformationGain, int[] InformationGainRanking, int Bins,
    double[,] Correlation, IReadOnlyList<ColumnSummary> Summary, IReadOnlyDictionary<string, double> Seconds);

/// <summary>
/// Exploratory analysis of the beats as the reference notebooks do it: class distribution, an example
/// beat and the mean ± one standard deviation per class, information gain per sample index (infogain
/// kernels), the correlation matrix of the samples (a GEMM on the accelerator) and summary statistics.
/// </summary>
public static class Eda
{
    public static EdaResult Analyze(BeatSet train, BeatSet test, Accelerator accelerator, string data, int bins = FeatureSelection.DefaultBins)
    {
        var seconds = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        int w = train.Length, k = BeatFormat.Classes;
        var mean = new double[k][];
        var std = new double[k][];
        var example = new float[k][];
        for (int c = 0; c < k; c++)
        {
            mean[c] = new double[w];
            std[c] = new double[w];
            var rows = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == c).ToArray();
            example[c] = rows.Length > 0 ? train.Row(rows[0]).ToArray() : new float[w];
            foreach (var r in rows) { var row = train.Row(r); for (int j = 0; j < w; j++) mean[c][j] += row[j]; }
            for (int j = 0; j < w; j++) mean[c][j] /= Math.Max(1, rows.Length);
            foreach (var r in rows) { var row = train.Row(r); for (int j = 0; j < w; j++) std[c][j] += (row[j] - mean[c][j]) * (row[j] - mean[c][j]); }
            for (int j = 0; j < w; j++) std[c][j] = rows.Length > 1 ? Math.Sqrt(std[c][j] / (rows.Length - 1)) : 0;
        }
        seconds["class_profiles"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var (ranked, gains) = FeatureSelection.Rank(accelerator, train, bins);
        seconds["information_gain"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var correlation = Correlation(accelerator, train);
        seconds["correlation"] = clock.Elapsed.TotalSeconds;

        clock.Restart();
        var summary = train.Describe();
        seconds["describe"] = clock.Elapsed.TotalSeconds;
        return new EdaResult(data, accelerator.Device.Kind.ToCliName(), train.ClassCounts(), test.ClassCounts(), mean, std, example, gains, ranked, bins, correlation, summary, seconds);
    }

    /// <summary>Pearson correlation of the columns: standardise on the host, then Zᵀ·Z / n as one GEMM on the accelerator. Constant columns get 0.</summary>
    public static double[,] Correlation(Accelerator accelerator, BeatSet data)
    {
        int n = data.Count, w = data.Length;
        var z = (float[])data.Samples.Clone();
        var scaler = FeatureScaler.FitStandard(data);
        scaler.TransformInPlace(z);
        float norm = 1f / MathF.Sqrt(n);
        for (int i = 0; i < z.Length; i++) z[i] *= norm;
        using var dz = accelerator.Upload<float>(z);
        using var dc = accelerator.Allocate<float>((long)w * w);
        Gemm.Run(true, false, w, w, n, 1f, dz, dz, 0f, dc);
        var c = dc.ToArray();
        var constant = Enumerable.Range(0, w).Select(i => data.Samples.Length == 0 || Enumerable.Range(0, n).All(r => data.Samples[r * w + i] == data.Samples[i])).ToArray();
        var result = new double[w, w];
        for (int i = 0; i < w; i++)
            for (int j = 0; j < w; j++)
                result[i, j] = constant[i] || constant[j] ? 0 : Math.Clamp(c[i * w + j], -1, 1);
        return result;
    }

    public static void WriteAll(string outDir, EdaResult r)
    {
        Directory.CreateDirectory(outDir);
        Reports.WriteAtomic(Path.Combine(outDir, "eda.json"), Json(r));
        Reports.WriteAtomic(Path.Combine(outDir, "eda.html"), Html(r));
    }

    private static string Json(EdaResult r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("data", r.Data);
            w.WriteString("backend", r.Backend);
            Counts(w, "train_counts", r.TrainCounts);
            Counts(w, "test_counts", r.TestCounts);
            w.WriteNumber("information_gain_bins", r.Bins);
            Array(w, "information_gain_nats", r.InformationGain.Select(v => (double)v));
            w.WriteStartArray("information_gain_ranking");
            foreach (var i in r.InformationGainRanking) w.WriteNumberValue(i);
            w.WriteEndArray();
            w.WriteStartObject("class_mean");
            for (int c = 0; c < r.ClassMean.Length; c++) Array(w, ((BeatClass)c).ToString(), r.ClassMean[c]);
            w.WriteEndObject();
            w.WriteStartObject("class_std");
            for (int c = 0; c < r.ClassStd.Length; c++) Array(w, ((BeatClass)c).ToString(), r.ClassStd[c]);
            w.WriteEndObject();
            w.WriteStartArray("correlation");
            for (int i = 0; i < r.Correlation.GetLength(0); i++)
            {
                w.WriteStartArray();
                for (int j = 0; j < r.Correlation.GetLength(1); j++) w.WriteNumberValue(Math.Round(r.Correlation[i, j], 5));
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("summary");
            foreach (var s in r.Summary)
            {
                w.WriteStartObject();
                w.WriteString("column", s.Column);
                w.WriteNumber("count", s.Count);
                foreach (var (name, v) in new[] { ("mean", s.Mean), ("std", s.Std), ("min", s.Min), ("25%", s.Q25), ("50%", s.Median), ("75%", s.Q75), ("max", s.Max) })
                    if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("seconds");
            foreach (var (k, v) in r.Seconds) w.WriteNumber(k, Math.Round(v, 3));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Counts(Utf8JsonWriter w, string name, long[] counts)
    {
        w.WriteStartObject(name);
        for (int c = 0; c < counts.Length; c++) w.WriteNumber(((BeatClass)c).ToString(), counts[c]);
        w.WriteEndObject();
    }

    private static void Array(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(double.IsFinite(v) ? Math.Round(v, 6) : 0);
        w.WriteEndArray();
    }

    private static string Html(EdaResult r)
    {
        var names = BeatFormat.ClassNames.ToList();
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>ECG beats: exploratory analysis</title><style>")
          .Append("body{font-family:sans-serif;max-width:1150px;margin:24px auto;padding:0 16px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}.charts{display:flex;flex-wrap:wrap;gap:12px}")
          .Append("</style></head><body>\n<h1>ECG beats: exploratory analysis</h1>\n");
        sb.Append($"<p>Data: {Svg.Escape(r.Data)}. Information gain on the {Svg.Escape(r.Backend)} backend with {r.Bins} equal-width bins.</p>\n");
        sb.Append("<h2>Class distribution</h2>\n<div class=\"charts\">");
        sb.Append(Svg.BarChart($"Training set ({r.TrainCounts.Sum():N0} beats)", names, r.TrainCounts.Select(v => (double)v).ToList(), "0"));
        sb.Append(Svg.BarChart($"Test set ({r.TestCounts.Sum():N0} beats)", names, r.TestCounts.Select(v => (double)v).ToList(), "0"));
        sb.Append("</div>\n<h2>Beats per class: an example, and the mean ± one standard deviation</h2>\n<div class=\"charts\">");
        var t = Enumerable.Range(0, r.ClassMean[0].Length).Select(i => i / 125.0).ToList();
        for (int c = 0; c < names.Count; c++)
        {
            if (r.TrainCounts[c] == 0) continue;
            var m = r.ClassMean[c];
            var s = r.ClassStd[c];
            sb.Append(Svg.LineChart($"{names[c]} ({r.TrainCounts[c]:N0} beats)", "time (s)", "amplitude", [
                new Series("mean", t, m),
                new Series("mean + std", t, m.Select((v, i) => v + s[i]).ToList(), Dashed: true),
                new Series("mean - std", t, m.Select((v, i) => v - s[i]).ToList(), Dashed: true),
                new Series("example", t, r.ClassExample[c].Select(v => (double)v).ToList())], width: 360, height: 240));
        }
        sb.Append("</div>\n<h2>Information gain per sample index</h2>\n");
        sb.Append($"<p>Top 10 sample indices: {string.Join(", ", r.InformationGainRanking.Take(10))}.</p>");
        sb.Append(Svg.LineChart("Information gain (nats)", "sample index", "information gain",
            [new Series("IG", Enumerable.Range(0, r.InformationGain.Length).Select(i => (double)i).ToList(), r.InformationGain.Select(v => (double)v).ToList())], width: 760));
        int w = r.Correlation.GetLength(0);
        var labels = Enumerable.Range(0, w).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
        sb.Append("\n<h2>Correlation of the samples (Pearson)</h2>\n");
        sb.Append(Svg.Heatmap("Correlation", r.Correlation, labels, labels, "sample index", "sample index", "0.00", -1, 1, diverging: true, cell: Math.Max(2, 560 / w)));
        sb.Append("\n<h2>Summary statistics (every 10th sample index)</h2>\n<table><tr><th>column</th><th>count</th><th>mean</th><th>std</th><th>min</th><th>25%</th><th>50%</th><th>75%</th><th>max</th></tr>");
        foreach (var s in r.Summary.Where((_, i) => i % 10 == 0))
            sb.Append($"<tr><td>{Svg.Escape(s.Column)}</td><td>{s.Count}</td>{Cell(s.Mean)}{Cell(s.Std)}{Cell(s.Min)}{Cell(s.Q25)}{Cell(s.Median)}{Cell(s.Q75)}{Cell(s.Max)}</tr>");
        sb.Append("</table>\n<p>All columns are in eda.json.</p>\n</body></html>\n");
        return sb.ToString();
    }

    private static string Cell(double v) => $"<td>{(double.IsFinite(v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a")}</td>";
}
