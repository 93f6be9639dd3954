using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EcgGpu.Evaluation;

/// <summary>
/// metrics.json, Markdown and one self-contained HTML page (inline SVG, no script) for a model, and
/// the same for a comparison of models. Every file is written to a temporary name and renamed.
/// </summary>
public static class Reports
{
    public static void WriteAll(string outDir, ModelResult result)
    {
        Directory.CreateDirectory(outDir);
        WriteAtomic(Path.Combine(outDir, "metrics.json"), MetricsJson(result));
        WriteAtomic(Path.Combine(outDir, "report.md"), Markdown(result));
        WriteAtomic(Path.Combine(outDir, "report.html"), Html(result));
    }

    public static void WriteComparison(string outDir, IReadOnlyList<ModelResult> results, string dataDescription)
    {
        Directory.CreateDirectory(outDir);
        WriteAtomic(Path.Combine(outDir, "comparison.json"), ComparisonJson(results, dataDescription));
        WriteAtomic(Path.Combine(outDir, "comparison.md"), ComparisonMarkdown(results, dataDescription));
        WriteAtomic(Path.Combine(outDir, "comparison.html"), ComparisonHtml(results, dataDescription));
    }

    public static void WriteAtomic(string path, string text)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(false));
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }   // e.g. the path is a folder: leave nothing behind
            throw;
        }
    }

    // ---------- JSON ----------

    public static string MetricsJson(ModelResult r)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            WriteResult(w, r);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteResult(Utf8JsonWriter w, ModelResult r)
    {
        var m = r.Metrics;
        w.WriteString("model", r.Model);
        w.WriteString("backend", r.Backend);
        w.WriteString("device", r.Device);
        Number(w, "accuracy", m.Accuracy);
        Number(w, "macro_f1", m.Macro.F1);
        Number(w, "weighted_f1", m.Weighted.F1);
        Number(w, "macro_precision", m.Macro.Precision);
        Number(w, "macro_recall", m.Macro.Recall);
        Number(w, "roc_auc_ovr_macro", m.RocAucMacro);
        w.WriteNumber("test_rows", m.Count);
        w.WriteStartArray("per_class");
        foreach (var c in m.PerClass)
        {
            w.WriteStartObject();
            w.WriteNumber("class", c.Class);
            w.WriteString("name", c.Name);
            Number(w, "precision", c.Precision);
            Number(w, "recall", c.Recall);
            Number(w, "f1", c.F1);
            w.WriteNumber("support", c.Support);
            Number(w, "roc_auc", c.RocAuc);
            Number(w, "sensitivity", c.Sensitivity);
            Number(w, "positive_predictive_value", c.PositivePredictiveValue);
            Number(w, "specificity", c.Specificity);
            Number(w, "false_positive_rate", c.FalsePositiveRate);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("confusion");
        for (int t = 0; t < m.Classes; t++)
        {
            w.WriteStartArray();
            for (int p = 0; p < m.Classes; p++) w.WriteNumberValue(m.Confusion[t, p]);
            w.WriteEndArray();
        }
        w.WriteEndArray();
        w.WriteNumber("epochs_run", r.EpochsRun);
        w.WriteNumber("best_epoch", r.BestEpoch);
        Number(w, "train_seconds", Math.Round(r.TrainSeconds, 3));
        w.WriteStartArray("epoch_seconds");
        foreach (var s in r.EpochSeconds) w.WriteNumberValue(Math.Round(s, 3));
        w.WriteEndArray();
        w.WriteNumber("params", r.Params);
        if (r.StopReason is not null) w.WriteString("stop_reason", r.StopReason);
        w.WriteString("class_balance", r.Balance.ToCliName());
        w.WriteNumber("seed", r.Seed);
        if (r.Validation.Length > 0) w.WriteString("validation", r.Validation);
        if (r.Patience > 0) { w.WriteNumber("patience", r.Patience); w.WriteNumber("lr_patience", r.LrPatience); }
        if (r.BatchSize > 0)
        {
            w.WriteNumber("batch_size", r.BatchSize);
            w.WriteNumber("learning_rate", Shortest(r.LearningRate));
            if (r.ClipNorm is float clip) w.WriteNumber("clip_norm", Shortest(clip)); else w.WriteNull("clip_norm");
        }
        if (r.DataParallel is { } parallel) DataParallelReport.Write(w, parallel);
        w.WriteString("classification_report", m.ClassificationReport(4));
    }

    /// <summary>A float as the double its shortest text names (3e-3f as 0.003, not 0.0030000000260770321).</summary>
    private static double Shortest(float v) => double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v); else w.WriteNull(name);
    }

    public static string ComparisonJson(IReadOnlyList<ModelResult> results, string data)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("data", data);
            w.WriteString("date", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            w.WriteStartArray("models");
            foreach (var r in results) { w.WriteStartObject(); WriteResult(w, r); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    // ---------- Markdown ----------

    private static string P(double v, string f = "F4") => double.IsFinite(v) ? v.ToString(f, CultureInfo.InvariantCulture) : "n/a";

    public static string Markdown(ModelResult r)
    {
        var m = r.Metrics;
        var sb = new StringBuilder();
        sb.AppendLine($"# {r.Model} on {r.Backend} ({r.Device})").AppendLine();
        sb.AppendLine($"Accuracy {P(m.Accuracy)}, macro-F1 {P(m.Macro.F1)}, weighted-F1 {P(m.Weighted.F1)}, ROC-AUC (one-vs-rest, macro) {P(m.RocAucMacro)} on {m.Count} test beats.");
        sb.AppendLine($"{r.Params:N0} parameters; {r.EpochsRun} epochs in {P(r.TrainSeconds, "F1")} s, best epoch {r.BestEpoch}.").AppendLine();
        sb.AppendLine("| class | precision (+P) | recall (Se) | F1 | specificity | ROC-AUC | support |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in m.PerClass)
            sb.AppendLine($"| {c.Name} | {P(c.Precision)} | {P(c.Recall)} | {P(c.F1)} | {P(c.Specificity)} | {P(c.RocAuc)} | {c.Support} |");
        sb.AppendLine().AppendLine("Confusion matrix (rows: true class, columns: predicted):").AppendLine();
        sb.AppendLine("| | " + string.Join(" | ", m.ClassNames) + " |");
        sb.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", m.Classes)));
        for (int t = 0; t < m.Classes; t++)
            sb.AppendLine($"| {m.ClassNames[t]} | " + string.Join(" | ", Enumerable.Range(0, m.Classes).Select(p => m.Confusion[t, p])) + " |");
        sb.AppendLine().AppendLine("```").Append(m.ClassificationReport(4)).AppendLine("```");
        return sb.ToString();
    }

    public static string ComparisonMarkdown(IReadOnlyList<ModelResult> results, string data)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Model comparison").AppendLine().AppendLine($"Data: {data}.").AppendLine();
        sb.AppendLine("| model | backend | accuracy | macro-F1 | weighted-F1 | ROC-AUC | params | epochs | train s | s/epoch |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
            sb.AppendLine($"| {r.Model} | {r.Backend} | {P(r.Metrics.Accuracy)} | {P(r.Metrics.Macro.F1)} | {P(r.Metrics.Weighted.F1)} | {P(r.Metrics.RocAucMacro)} | {r.Params:N0} | {r.EpochsRun} | {P(r.TrainSeconds, "F1")} | {P(r.EpochsRun > 0 ? r.EpochSeconds.Average() : double.NaN, "F1")} |");
        return sb.ToString();
    }

    // ---------- HTML ----------

    private const string Style = "body{font-family:sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}"
        + "table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}"
        + "td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}pre{background:#f7f7f7;padding:8px}";

    private static StringBuilder Page(string title)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>").Append(Svg.Escape(title)).Append("</title><style>")
            .Append(Style).Append("</style></head><body>\n<h1>").Append(Svg.Escape(title)).Append("</h1>\n");
        return sb;
    }

    private static string End(StringBuilder sb) => sb.Append("\n</body></html>\n").ToString();

    public static string Html(ModelResult r)
    {
        var m = r.Metrics;
        var sb = Page($"{r.Model}: heartbeat classification report");
        sb.Append($"<p>Backend <b>{Svg.Escape(r.Backend)}</b> on {Svg.Escape(r.Device)}; {r.Params:N0} parameters; {r.EpochsRun} epochs in {P(r.TrainSeconds, "F1")} s (best epoch {r.BestEpoch}).");
        if (r.StopReason is not null) sb.Append(' ').Append(Svg.Escape(r.StopReason)).Append('.');
        sb.Append("</p>\n");
        sb.Append("<table><tr><th>accuracy</th><th>macro-F1</th><th>weighted-F1</th><th>ROC-AUC (ovr, macro)</th><th>test beats</th></tr>");
        sb.Append($"<tr><td>{P(m.Accuracy)}</td><td>{P(m.Macro.F1)}</td><td>{P(m.Weighted.F1)}</td><td>{P(m.RocAucMacro)}</td><td>{m.Count}</td></tr></table>\n");
        sb.Append("<h2>Per class (AAMI EC57: Se = recall, +P = precision)</h2>\n<table><tr><th>class</th><th>precision (+P)</th><th>recall (Se)</th><th>F1</th><th>specificity</th><th>ROC-AUC</th><th>support</th></tr>");
        foreach (var c in m.PerClass)
            sb.Append($"<tr><td>{Svg.Escape(c.Name)}</td><td>{P(c.Precision)}</td><td>{P(c.Recall)}</td><td>{P(c.F1)}</td><td>{P(c.Specificity)}</td><td>{P(c.RocAuc)}</td><td>{c.Support}</td></tr>");
        sb.Append("</table>\n");
        if (r.Epochs.Count > 0)
        {
            sb.Append("<h2>Learning curves</h2>\n<div class=\"charts\">");
            var epochs = r.Epochs.Select(e => (double)e.Epoch).ToList();
            sb.Append(Svg.LineChart("Loss", "epoch", "loss", [
                new Series("loss", epochs, r.Epochs.Select(e => e.Loss).ToList()),
                new Series("val_loss", epochs, r.Epochs.Select(e => e.ValLoss ?? double.NaN).ToList(), Dashed: true)],
                r.BestEpoch, $"best {r.BestEpoch}"));
            sb.Append(Svg.LineChart("Accuracy", "epoch", "accuracy", [
                new Series("accuracy", epochs, r.Epochs.Select(e => e.Accuracy).ToList()),
                new Series("val_accuracy", epochs, r.Epochs.Select(e => e.ValAccuracy ?? double.NaN).ToList(), Dashed: true)],
                r.BestEpoch, $"best {r.BestEpoch}"));
            sb.Append("</div>\n");
        }
        sb.Append("<h2>Confusion matrix</h2>\n<div class=\"charts\">");
        var raw = new double[m.Classes, m.Classes];
        for (int t = 0; t < m.Classes; t++) for (int p = 0; p < m.Classes; p++) raw[t, p] = m.Confusion[t, p];
        sb.Append(Svg.Heatmap("Counts", raw, m.ClassNames, m.ClassNames, "true class", "predicted class", "0"));
        sb.Append(Svg.Heatmap("Normalised by true class", m.NormalizedConfusion(), m.ClassNames, m.ClassNames, "true class", "predicted class", "0.00", 0, 1));
        sb.Append("</div>\n");
        if (m.RocCurves is not null)
        {
            sb.Append("<h2>ROC curves (one-vs-rest)</h2>\n");
            var series = m.RocCurves.Select((c, i) => new Series($"{m.ClassNames[i]} (AUC {P(c.Auc, "F3")})", c.FalsePositiveRate, c.TruePositiveRate)).ToList();
            sb.Append(Svg.LineChart("ROC", "false positive rate", "true positive rate", Thin(series), yMin: 0, yMax: 1, squareUnit: true));
        }
        sb.Append("<h2>Classification report</h2>\n<pre>").Append(Svg.Escape(m.ClassificationReport(4))).Append("</pre>");
        return End(sb);
    }

    /// <summary>Caps a curve's points so that a report over a large test set stays small (the shape is unchanged at chart resolution).</summary>
    private static List<Series> Thin(List<Series> series, int maxPoints = 400)
        => series.Select(s =>
        {
            if (s.X.Count <= maxPoints) return s;
            var keep = Enumerable.Range(0, maxPoints).Select(i => (int)((long)i * (s.X.Count - 1) / (maxPoints - 1))).Distinct().ToList();
            return s with { X = keep.Select(k => s.X[k]).ToList(), Y = keep.Select(k => s.Y[k]).ToList() };
        }).ToList();

    public static string ComparisonHtml(IReadOnlyList<ModelResult> results, string data)
    {
        var sb = Page("Heartbeat classifiers compared");
        sb.Append($"<p>Data: {Svg.Escape(data)}. Generated {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}.</p>\n");
        sb.Append("<table><tr><th>model</th><th>backend</th><th>device</th><th>accuracy</th><th>macro-F1</th><th>weighted-F1</th><th>ROC-AUC</th><th>params</th><th>epochs</th><th>train s</th><th>s/epoch</th></tr>");
        foreach (var r in results)
            sb.Append($"<tr><td>{Svg.Escape(r.Model)}</td><td>{Svg.Escape(r.Backend)}</td><td>{Svg.Escape(r.Device)}</td><td>{P(r.Metrics.Accuracy)}</td><td>{P(r.Metrics.Macro.F1)}</td><td>{P(r.Metrics.Weighted.F1)}</td><td>{P(r.Metrics.RocAucMacro)}</td><td>{r.Params:N0}</td><td>{r.EpochsRun}</td><td>{P(r.TrainSeconds, "F1")}</td><td>{P(r.EpochsRun > 0 ? r.EpochSeconds.Average() : double.NaN, "F2")}</td></tr>");
        sb.Append("</table>\n<div class=\"charts\">");
        var names = results.Select(r => r.Model).ToList();
        sb.Append(Svg.BarChart("Accuracy", names, results.Select(r => r.Metrics.Accuracy).ToList(), max: 1));
        sb.Append(Svg.BarChart("Macro-F1", names, results.Select(r => r.Metrics.Macro.F1).ToList(), max: 1));
        sb.Append(Svg.BarChart("ROC-AUC (one-vs-rest, macro)", names, results.Select(r => r.Metrics.RocAucMacro).ToList(), max: 1));
        sb.Append(Svg.BarChart("Training time (s)", names, results.Select(r => r.TrainSeconds).ToList(), "0.0"));
        sb.Append("</div>\n<h2>Validation accuracy per epoch</h2>\n");
        sb.Append(Svg.LineChart("val_accuracy", "epoch", "validation accuracy",
            results.Select(r => new Series(r.Model, r.Epochs.Select(e => (double)e.Epoch).ToList(), r.Epochs.Select(e => e.ValAccuracy ?? double.NaN).ToList())).ToList(), width: 720));
        return End(sb);
    }
}
