using EcgGpu.Runtime;
using System.CommandLine;
using EcgGpu.Evaluation;
using EcgGpu.Nn;

namespace EcgGpu.Cli;

/// <summary><c>ecg compare</c>: trains several models on the same data and writes the comparison.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = $"Comma-separated models (default: all of {string.Join(", ", Zoo.Names)}).", DefaultValueFactory = _ => string.Join(",", Zoo.Names) };
        var data = CliCommon.Data();
        var mitdb = CliCommon.Mitdb();
        var split = CliCommon.Split();
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var epochs = new Option<int>("--epochs") { Description = "Most epochs per model.", DefaultValueFactory = _ => 10 };
        var batch = new Option<int>("--batch") { Description = "Batch size.", DefaultValueFactory = _ => 64 };
        var seed = CliCommon.Seed();
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience.", DefaultValueFactory = _ => 3 };
        var outDir = CliCommon.Out();
        var command = new Command("compare", "Train each model on the same data and compare them: one folder per model, plus comparison.json, .md and .html. Without data it runs on synthetic beats in a few minutes.")
        {
            models, data, mitdb, split, backend, device, epochs, batch, seed, patience, outDir,
        };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            var names = Zoo.ParseNames(r.GetValue(models)!);
            var (train, test, description) = CliCommon.LoadData(r.GetValue(data), r.GetValue(mitdb), r.GetValue(split)!, r.GetValue(seed));
            using var accelerator = CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            var outRoot = r.GetValue(outDir)!;
            var results = new List<ModelResult>();
            foreach (var name in names)
            {
                var options = new ExperimentOptions(name, r.GetValue(epochs), r.GetValue(batch), Seed: r.GetValue(seed), Patience: r.GetValue(patience));
                options.Validate();
                CliCommon.Status($"[{results.Count + 1}/{names.Count}] {name} on {accelerator.Device.Kind.ToCliName()} ({accelerator.Device.Name})");
                var progress = new CliCommon.ProgressLine(name, options.Epochs);
                results.Add(Experiment.Run(accelerator, train, test, options, Path.Combine(outRoot, name), progress.Epochs, progress.Steps));
                Reports.WriteComparison(outRoot, results, description);   // after each model, so an interrupted run keeps what finished
            }
            CliCommon.PrintComparison(results);
            Console.WriteLine($"wrote {Path.Combine(outRoot, "comparison.html")}");
            return 0;
        }));
        return command;
    }
}
