using System.Text.Json;
using System.Xml.Linq;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The train → evaluate → predict workflow and compare, through the real <c>ecg</c> parsers, on synthetic beats and the CPU.</summary>
[NonParallelizable]
public sealed class WorkflowTests
{
    private string _dir = "";

    [OneTimeSetUp]
    public void MakeDirectory() => Directory.CreateDirectory(_dir = Path.Combine(Path.GetTempPath(), "ecg-workflow-" + Guid.NewGuid().ToString("N")));

    [OneTimeTearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private static int Ecg(string line) => Cli.EcgTool.Root().Parse(line).Invoke();

    private static XDocument ParseHtml(string path)
    {
        // The reports are written as well-formed XML (XHTML syntax with inline SVG) so that they can be checked like this.
        var doc = XDocument.Parse(File.ReadAllText(path).Replace("<!DOCTYPE html>", ""));
        Assert.That(doc.Root!.Name.LocalName, Is.EqualTo("html"));
        return doc;
    }

    private static int SvgCount(XDocument doc) => doc.Descendants(XName.Get("svg", "http://www.w3.org/2000/svg")).Count();

    [Test]
    public void Train_evaluate_predict_round_trip_on_synthetic_beats()
    {
        var run = Path.Combine(_dir, "cnn-ig");
        Assert.That(Ecg($"train --model cnn-ig --epochs 2 --backend cpu --out {run}"), Is.EqualTo(0));
        foreach (var f in new[] { "model.safetensors", "history.csv", "metrics.json", "report.md", "report.html" })
            Assert.That(File.Exists(Path.Combine(run, f)), f);
        Assert.That(Directory.GetFiles(run, "*.tmp"), Is.Empty, "no temporary files left");

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var m = metrics.RootElement;
        foreach (var field in new[] { "model", "backend", "device", "accuracy", "macro_f1", "weighted_f1", "roc_auc_ovr_macro", "per_class", "confusion", "epochs_run", "best_epoch", "train_seconds", "epoch_seconds", "params" })
            Assert.That(m.TryGetProperty(field, out _), $"metrics.json lacks {field}");
        Assert.That(m.GetProperty("model").GetString(), Is.EqualTo("cnn-ig"));
        Assert.That(m.GetProperty("accuracy").GetDouble(), Is.GreaterThan(0.6), "cnn-ig learns synthetic beats in two epochs (chance 0.4 for the majority class)");
        Assert.That(m.GetProperty("per_class").GetArrayLength(), Is.EqualTo(5));
        foreach (var c in m.GetProperty("per_class").EnumerateArray())
            foreach (var field in new[] { "class", "name", "precision", "recall", "f1", "support", "roc_auc" })
                Assert.That(c.TryGetProperty(field, out _), $"per_class lacks {field}");
        Assert.That(File.ReadAllLines(Path.Combine(run, "history.csv")), Has.Length.EqualTo(1 + m.GetProperty("epochs_run").GetInt32()));
        Assert.That(SvgCount(ParseHtml(Path.Combine(run, "report.html"))), Is.GreaterThanOrEqualTo(5), "loss, accuracy, two confusion heatmaps, ROC");

        // evaluate with the stored weights (and the IG-60 + StandardScaler preprocessing stored with them) gives the same accuracy.
        var evaluated = Path.Combine(_dir, "evaluated");
        Assert.That(Ecg($"evaluate --weights {run}/model.safetensors --backend cpu --out {evaluated}"), Is.EqualTo(0));
        using var again = JsonDocument.Parse(File.ReadAllText(Path.Combine(evaluated, "metrics.json")));
        Assert.That(again.RootElement.GetProperty("accuracy").GetDouble(), Is.EqualTo(m.GetProperty("accuracy").GetDouble()).Within(1e-9));

        // predict on raw 187-sample rows without labels.
        var test = SyntheticBeats.Generate(SyntheticTestRows, seed: 1001, [0.4, 0.15, 0.15, 0.15, 0.15]);
        var input = Path.Combine(_dir, "input.csv");
        File.WriteAllLines(input, Enumerable.Range(0, 20).Select(r => string.Join(",", test.Row(r).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))));
        var output = Path.Combine(_dir, "predictions.csv");
        Assert.That(Ecg($"predict --weights {run}/model.safetensors --input {input} --output {output} --backend cpu"), Is.EqualTo(0));
        var lines = File.ReadAllLines(output);
        Assert.That(lines[0], Is.EqualTo("row,label,class,name,p0,p1,p2,p3,p4"));
        Assert.That(lines, Has.Length.EqualTo(21));
        foreach (var line in lines.Skip(1))
        {
            var p = line.Split(',')[4..].Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.That(p.Sum(), Is.EqualTo(1).Within(1e-4), line);
        }

        // evaluate --predictions on predictions made elsewhere.
        var external = Path.Combine(_dir, "external.csv");
        File.WriteAllText(external, "label,p0,p1,p2,p3,p4\n0,0.9,0.1,0,0,0\n1,0.2,0.8,0,0,0\n2,0,0,1,0,0\n3,0,0,0.6,0.4,0\n4,0,0,0,0,1\n");
        Assert.That(Ecg($"evaluate --predictions {external} --out {Path.Combine(_dir, "external")}"), Is.EqualTo(0));
        using var ext = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "external", "metrics.json")));
        Assert.That(ext.RootElement.GetProperty("accuracy").GetDouble(), Is.EqualTo(0.8).Within(1e-12));
    }

    private const int SyntheticTestRows = 100;

    [Test]
    public void Train_resumes_from_last_checkpoint_as_if_never_interrupted()
    {
        // Patience 10: no early stop and no learning-rate cut within 4 epochs (those counters restart on resume).
        var straight = Path.Combine(_dir, "straight");
        var resumed = Path.Combine(_dir, "resumed");
        Assert.That(Ecg($"train --model cnn-ig --epochs 4 --patience 10 --backend cpu --out {straight}"), Is.EqualTo(0));
        Assert.That(Ecg($"train --model cnn-ig --epochs 2 --patience 10 --backend cpu --out {resumed}"), Is.EqualTo(0));
        Assert.That(Ecg($"train --model cnn-ig --epochs 2 --patience 10 --backend cpu --out {resumed} --resume {resumed}"), Is.EqualTo(2), "nothing left to do");
        Assert.That(Ecg($"train --model cnn --epochs 4 --backend cpu --out {resumed} --resume {resumed}"), Is.EqualTo(2), "another model");
        Assert.That(Ecg($"train --model cnn-ig --epochs 4 --patience 10 --backend cpu --out {resumed} --resume {resumed}"), Is.EqualTo(0));

        Assert.That(File.ReadAllBytes(Path.Combine(resumed, "last.safetensors")), Is.EqualTo(File.ReadAllBytes(Path.Combine(straight, "last.safetensors"))),
            "weights, Adam's moments, dropout streams and epoch after 2 + 2 epochs equal those after 4");
        static string[] WithoutSeconds(string file) => File.ReadAllLines(file).Select(l => l[..l.LastIndexOf(',')]).ToArray();
        Assert.That(WithoutSeconds(Path.Combine(resumed, "history.csv")), Is.EqualTo(WithoutSeconds(Path.Combine(straight, "history.csv"))));
        using var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(resumed, "metrics.json")));
        using var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(straight, "metrics.json")));
        foreach (var field in new[] { "accuracy", "macro_f1", "epochs_run", "best_epoch" })
            Assert.That(a.RootElement.GetProperty(field).ToString(), Is.EqualTo(b.RootElement.GetProperty(field).ToString()), field);
    }

    [Test]
    public void Compare_writes_a_table_json_and_html_with_the_charts()
    {
        var out_ = Path.Combine(_dir, "compare");
        Assert.That(Ecg($"compare --models cnn,cnn-ig --epochs 1 --backend cpu --out {out_}"), Is.EqualTo(0));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(out_, "comparison.json")));
        Assert.That(json.RootElement.GetProperty("models").EnumerateArray().Select(e => e.GetProperty("model").GetString()), Is.EqualTo(new[] { "cnn", "cnn-ig" }));
        Assert.That(File.ReadAllText(Path.Combine(out_, "comparison.md")), Does.Contain("| cnn | cpu |"));
        Assert.That(SvgCount(ParseHtml(Path.Combine(out_, "comparison.html"))), Is.EqualTo(5), "accuracy, macro-F1, ROC-AUC, time, val_accuracy");
        Assert.That(File.Exists(Path.Combine(out_, "cnn", "model.safetensors")) && File.Exists(Path.Combine(out_, "cnn-ig", "report.html")));
    }

    [TestCase("train --model cnn --data /nonexistent/dir --out x", "--data /nonexistent/dir: no such folder")]
    [TestCase("compare --models cnn,resnet --out x", "unknown model(s) resnet")]
    [TestCase("evaluate --out x", "exactly one of --weights and --predictions")]
    [TestCase("evaluate --weights /nonexistent.safetensors --out x", "no such file")]
    [TestCase("train --model cnn --epochs 0 --out x", "--epochs 0: must be at least 1")]
    [TestCase("train --model cnn-ig --features all --out x", "--features all: model 'cnn-ig' takes the 60 information-gain samples")]
    public void Bad_arguments_exit_two_with_a_message_naming_them(string line, string message)
    {
        var saved = Console.Error;
        using var capture = new StringWriter();
        Console.SetError(capture);
        try { Assert.That(Ecg(line), Is.EqualTo(2)); }
        finally { Console.SetError(saved); }
        Assert.That(capture.ToString(), Does.Contain(message));
    }

    [Test]
    public void Data_of_the_wrong_shape_is_refused_naming_file_and_line()
    {
        var data = Path.Combine(_dir, "badshape");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "mitbih_train.csv"), "0.1,0.2,0.3,1\n");
        File.WriteAllText(Path.Combine(data, "mitbih_test.csv"), "0.1,0.2,0.3,1\n");
        var saved = Console.Error;
        using var capture = new StringWriter();
        Console.SetError(capture);
        try { Assert.That(Ecg($"train --model cnn --data {data} --out {Path.Combine(_dir, "never")}"), Is.EqualTo(2)); }
        finally { Console.SetError(saved); }
        Assert.That(capture.ToString(), Does.Contain("mitbih_train.csv, line 1: 4 columns"));
        Assert.That(Directory.Exists(Path.Combine(_dir, "never")), Is.False, "nothing written when the data is refused");
    }

    [Test]
    public void A_tampered_preprocessing_entry_is_refused()
    {
        var meta = new Preprocessing(187, [3, 4, 5], FeatureScaler.FitStandard(SyntheticBeats.Generate(50, 1).SelectColumns([3, 4, 5]))).ToMetadata();
        var back = Preprocessing.FromMetadata(meta, 187, "f");
        Assert.That(back.Features, Is.EqualTo(new[] { 3, 4, 5 }));
        meta["preprocessing"] = meta["preprocessing"].Replace("[3,4,5]", "[3,4,6]");
        Assert.That(() => Preprocessing.FromMetadata(meta, 187, "f.safetensors"), Throws.TypeOf<InvalidDataException>().With.Message.Contains("f.safetensors"));
    }
}
