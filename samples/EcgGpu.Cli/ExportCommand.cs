using System.CommandLine;
using EcgGpu.Evaluation;
using EcgGpu.Onnx;

namespace EcgGpu.Cli;

/// <summary><c>ecg export</c>: a trained model, with its stored preprocessing, as a file another runtime serves.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var weights = new Option<string>("--weights") { Description = "A model.safetensors written by `ecg train`.", Required = true };
        var format = new Option<string>("--format") { Description = "onnx: an ONNX model (opset 17) from raw 187-sample beats to class probabilities, preprocessing included.", DefaultValueFactory = _ => "onnx" };
        format.AcceptOnlyFromAmong("onnx");
        var output = new Option<string>("--out") { Description = "Where to write the exported model (e.g. model.onnx).", Required = true };
        var command = new Command("export", "Export a trained model for ONNX Runtime and other ONNX runtimes: feed it what you feed `ecg predict`.") { weights, format, output };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            var w = r.GetValue(weights)!;
            if (!File.Exists(w)) throw new FileNotFoundException($"--weights {w}: no such file");
            // The weights are only read back from the accelerator, so the host backend serves whatever trained them.
            using var accelerator = CliCommon.OpenAccelerator("cpu", null);
            var (model, preprocessing) = Experiment.Load(w, accelerator);
            using (model)
            {
                var path = r.GetValue(output)!;
                var summary = OnnxExporter.Export(model, path, preprocessing);
                CliCommon.Status($"wrote {path}: {model.Name}, opset {summary.Opset}, input '{summary.Input}' [batch, {summary.InputLength}]{(summary.RrInputLength > 0 ? $" and '{OnnxExporter.RrInputName}' [batch, {summary.RrInputLength}]" : "")}, output '{summary.Output}' [batch, {summary.Classes}]; operators: {string.Join(", ", summary.Operators)}");
            }
            return 0;
        }));
        return command;
    }
}
