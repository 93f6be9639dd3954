using EcgGpu.Runtime;
using System.CommandLine;
using System.Globalization;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;

namespace EcgGpu.Cli;

/// <summary><c>ecg evaluate</c>: metrics and report for a weight file on test data, or for predictions made elsewhere.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var weights = new Option<string?>("--weights") { Description = "A model.safetensors written by `ecg train`." };
        var predictions = new Option<string?>("--predictions") { Description = "CSV of predictions made elsewhere: label,p0,p1,p2,p3,p4 per row (header optional)." };
        var data = CliCommon.Data();
        var mitdb = CliCommon.Mitdb();
        var split = CliCommon.Split();
        var seed = CliCommon.Seed();
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var outDir = CliCommon.Out();
        var command = new Command("evaluate", "Evaluate a trained model on the test file (or given predictions): metrics.json, report.md, report.html.")
        {
            weights, predictions, data, mitdb, split, seed, backend, device, outDir,
        };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            CliCommon.CheckOutFolder(r.GetValue(outDir));
            string? w = r.GetValue(weights), p = r.GetValue(predictions);
            if ((w is null) == (p is null)) throw new ArgumentException("give exactly one of --weights and --predictions");
            ModelResult result;
            if (p is not null)
            {
                var (labels, scores) = ReadPredictions(p);
                var metrics = ClassificationMetrics.FromScores(labels, scores, BeatFormat.ClassNames);
                result = new ModelResult(Path.GetFileNameWithoutExtension(p), "external", "predictions file", metrics, 0, [], 0, 0, null);
            }
            else
            {
                if (Directory.Exists(w)) throw new ArgumentException($"--weights {w} is a folder; give a model.safetensors");
                if (!File.Exists(w)) throw new FileNotFoundException($"--weights {w}: no such file");
                var (_, test, _) = CliCommon.LoadData(r.GetValue(data), r.GetValue(mitdb), r.GetValue(split)!, r.GetValue(seed));
                using var accelerator = CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
                var (model, preprocessing) = Experiment.Load(w!, accelerator);
                using (model)
                {
                    var metrics = Experiment.Score(model, preprocessing.Apply(test));
                    result = new ModelResult(model.Name, accelerator.Device.Kind.ToCliName(), accelerator.Device.Name, metrics, model.ParameterCount, [], 0, 0, null);
                }
            }
            Reports.WriteAll(r.GetValue(outDir)!, result);
            CliCommon.PrintMetrics(result);
            Console.WriteLine($"wrote {Path.Combine(r.GetValue(outDir)!, "report.html")}");
            return 0;
        }));
        return command;
    }

    /// <summary>Rows of <c>label,p0,...,p4</c>; a first line that is not numbers is a header.</summary>
    public static (int[] Labels, double[][] Scores) ReadPredictions(string path)
    {
        if (Directory.Exists(path)) throw new ArgumentException($"--predictions {path} is a folder; give a CSV file");
        if (!File.Exists(path)) throw new FileNotFoundException($"--predictions {path}: no such file");
        var labels = new List<int>();
        var scores = new List<double[]>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (lineNumber == 1 && !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) continue;
            if (fields.Length != 1 + BeatFormat.Classes)
                throw new DataFormatException(path, lineNumber, 0, $"{fields.Length} columns; expected label and {BeatFormat.Classes} probabilities");
            var values = new double[fields.Length];
            for (int i = 0; i < fields.Length; i++)
                if (!double.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]) || !double.IsFinite(values[i]))
                    throw new DataFormatException(path, lineNumber, i + 1, $"'{fields[i]}' is not a finite number");
            if (values[0] != Math.Floor(values[0]) || values[0] < 0 || values[0] >= BeatFormat.Classes)
                throw new DataFormatException(path, lineNumber, 1, $"label '{fields[0]}' is not a whole class 0-{BeatFormat.Classes - 1}");
            labels.Add((int)values[0]);
            scores.Add(values[1..]);
        }
        if (labels.Count == 0) throw new DataFormatException(path, 0, 0, "no prediction rows");
        return (labels.ToArray(), scores.ToArray());
    }
}
