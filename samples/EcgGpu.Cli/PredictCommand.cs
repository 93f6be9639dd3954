using System.CommandLine;
using System.Globalization;
using System.Text;
using EcgGpu.Data;
using EcgGpu.Evaluation;

namespace EcgGpu.Cli;

/// <summary><c>ecg predict</c>: class and probabilities for every beat of a CSV, with the preprocessing stored in the weight file.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "A model.safetensors written by `ecg train`.", Required = true };
        var input = new Option<string>("--input") { Description = "Beats as CSV: 187 samples per row, with or without the label column (.csv or .csv.gz); for the -rr models, with the _rr.csv that ecg prepare writes beside it.", Required = true };
        var output = new Option<string?>("--output") { Description = "Where to write row,class,name,p0..p4 (default: standard output)." };
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var command = new Command("predict", "Predict the class of every beat in --input with a trained model.") { weights, input, output, backend, device };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            var w = r.GetValue(weights)!;
            if (Directory.Exists(w)) throw new ArgumentException($"--weights {w} is a folder; give a model.safetensors");
            if (!File.Exists(w)) throw new FileNotFoundException($"--weights {w}: no such file");
            var path = r.GetValue(output);
            // The output is checked before any work, and never overwrites what is read.
            if (path is not null) CliCommon.CheckOutputFile(path, "--output", ("--input", r.GetValue(input)!), ("--weights", w));
            var beats = RrFeatures.AttachBesideIfPresent(r.GetValue(input)!, KaggleCsv.ReadForPrediction(r.GetValue(input)!));
            using var accelerator = CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            var (model, preprocessing) = Experiment.Load(w, accelerator);
            using (model)
            {
                var p = model.Predict(preprocessing.Apply(beats).Samples);
                Predictions.RequireFinite(p, model.Classes, model.Name);
                var text = Format(p, model.Classes, beats.Labels);
                if (path is null) Console.Write(text);
                else
                {
                    Reports.WriteAtomic(path, text);
                    CliCommon.Status($"wrote {beats.Count} predictions to {path}");
                }
            }
            return 0;
        }));
        return command;
    }

    public static string Format(float[] probabilities, int classes, int[] labels)
    {
        var sb = new StringBuilder("row,label,class,name," + string.Join(",", Enumerable.Range(0, classes).Select(c => $"p{c}")) + "\n");
        for (int row = 0; row < labels.Length; row++)
        {
            var p = probabilities.AsSpan(row * classes, classes);
            int best = 0;
            for (int c = 1; c < classes; c++) if (p[c] > p[best]) best = c;
            sb.Append(row).Append(',').Append(labels[row] >= 0 ? labels[row].ToString(CultureInfo.InvariantCulture) : "").Append(',')
              .Append(best).Append(',').Append(BeatFormat.ClassNames[best]);
            foreach (var v in p) sb.Append(',').Append(v.ToString("G6", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }
}
