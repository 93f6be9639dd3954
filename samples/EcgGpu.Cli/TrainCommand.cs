using EcgGpu.Runtime;
using System.CommandLine;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;

namespace EcgGpu.Cli;

/// <summary><c>ecg train</c>: one zoo model, with early stopping, LR reduction and a best-model checkpoint, then its report.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = $"Architecture: {string.Join(", ", Zoo.Names)}.", Required = true };
        model.AcceptOnlyFromAmong([.. Zoo.Names]);
        var data = CliCommon.Data();
        var mitdb = CliCommon.Mitdb();
        var split = CliCommon.Split();
        var features = new Option<string>("--features") { Description = $"auto (the model's own input), all ({BeatFormat.Length} samples) or ig60 (information-gain top 60, standardised).", DefaultValueFactory = _ => "auto" };
        features.AcceptOnlyFromAmong("auto", "all", "ig60");
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var epochs = new Option<int>("--epochs") { Description = "Most epochs to train (early stopping may end sooner).", DefaultValueFactory = _ => 20 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var lr = new Option<float>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => 1e-3f };
        var seed = CliCommon.Seed();
        var patience = new Option<int>("--patience") { Description = "Epochs without a better val_loss before stopping (the best weights are restored).", DefaultValueFactory = _ => 3 };
        var outDir = CliCommon.Out();
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue an interrupted run from its last.safetensors (a file, or the run's --out folder) with the same options; --epochs counts all epochs.",
        };
        var command = new Command("train", "Train one model; writes model.safetensors (best), last.safetensors (to resume), history.csv, metrics.json, report.md and report.html to --out.")
        {
            model, data, mitdb, split, features, backend, device, epochs, batch, lr, seed, patience, outDir, resume,
        };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            var resumeFrom = r.GetValue(resume) is { } path && Directory.Exists(path) ? Path.Combine(path, "last.safetensors") : r.GetValue(resume);
            var options = new ExperimentOptions(r.GetValue(model)!, r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr), r.GetValue(seed), r.GetValue(patience), r.GetValue(features)!)
            {
                Resume = resumeFrom,
            };
            options.Validate();
            var (train, test, _) = CliCommon.LoadData(r.GetValue(data), r.GetValue(mitdb), r.GetValue(split)!, options.Seed);
            using var accelerator = CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            CliCommon.Status($"training {options.Model} on {accelerator.Device.Kind.ToCliName()} ({accelerator.Device.Name}): {train.Count} training beats, {test.Count} test beats");
            var progress = new CliCommon.ProgressLine(options.Model, options.Epochs);
            var result = Experiment.Run(accelerator, train, test, options, r.GetValue(outDir)!, progress.Epochs, progress.Steps);
            CliCommon.PrintMetrics(result);
            Console.WriteLine($"wrote {Path.Combine(r.GetValue(outDir)!, "report.html")}");
            return 0;
        }));
        return command;
    }
}
