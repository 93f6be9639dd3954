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
        var model = new Option<string>("--model") { Description = $"Architecture: {string.Join(", ", Zoo.AllNames)} (the -rr models also take the beats' RR features).", Required = true };
        model.AcceptOnlyFromAmong([.. Zoo.AllNames]);
        var data = CliCommon.Data();
        var mitdb = CliCommon.Mitdb();
        var split = CliCommon.Split();
        var features = new Option<string>("--features") { Description = $"auto (the model's own input; lstm2 and gru2 read the beat backwards, cnn-gap takes it standardised), all ({BeatFormat.Length} raw samples in their order) or ig60 (information-gain top 60, standardised).", DefaultValueFactory = _ => "auto" };
        features.AcceptOnlyFromAmong("auto", "all", "ig60");
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var epochs = new Option<int>("--epochs") { Description = "Most epochs to train (early stopping may end sooner).", DefaultValueFactory = _ => 20 };
        var batch = CliCommon.Batch();
        var lr = CliCommon.LearningRate();
        var seed = CliCommon.Seed();
        var patience = new Option<int>("--patience") { Description = "Epochs without a better val_loss before stopping (the best weights are restored).", DefaultValueFactory = _ => 3 };
        var balance = CliCommon.Balance();
        var validationPart = CliCommon.Validation();
        var startFrom = CliCommon.StartFromEpoch();
        var lrPatience = CliCommon.LrPatience();
        var clipNorm = CliCommon.ClipNorm();
        var outDir = CliCommon.Out();
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue an interrupted run from its last.safetensors (a file, or the run's --out folder) with the same options; --epochs counts all epochs.",
        };
        var distributed = DistributedRun.Option();
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace a run already in --out (its files are removed first); without it such a --out is refused." };
        var command = new Command("train", "Train one model; writes model.safetensors (best), last.safetensors (to resume), history.csv, metrics.json, report.md and report.html to --out.")
        {
            model, data, mitdb, split, features, backend, device, epochs, batch, lr, seed, patience, lrPatience, clipNorm, balance, validationPart, startFrom, outDir, resume, overwrite, distributed,
        };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            using var job = DistributedRun.Start(r.GetValue(distributed));
            bool speaks = job?.IsRoot ?? true;   // rank 0 alone checks and writes the run folder
            // Arguments and outputs are checked before any work (data loading can take minutes).
            var outPath = CliCommon.CheckOutFolder(r.GetValue(outDir));
            var resumeFrom = r.GetValue(resume) is { } path && Directory.Exists(path) ? Path.Combine(path, "last.safetensors") : r.GetValue(resume);
            var options = new ExperimentOptions(r.GetValue(model)!, r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr), r.GetValue(seed), r.GetValue(patience), r.GetValue(features)!)
            {
                Resume = resumeFrom,
                ResumeLearningRate = resumeFrom is not null ? r.GetValue(lr) : null,
                Overwrite = r.GetValue(overwrite),
                Balance = ClassBalanceExtensions.Parse(r.GetValue(balance)!), Validation = ValidationPartExtensions.Parse(r.GetValue(validationPart)!), StartFromEpoch = r.GetValue(startFrom), LrPatience = r.GetValue(lrPatience), ClipNorm = r.GetValue(clipNorm),
            };
            if (resumeFrom is not null && options.Overwrite) throw new ArgumentException("--resume continues the run in --out and --overwrite replaces it: give one of them");
            options.Validate();
            if (speaks) Translated(outPath, () => Experiment.CheckOutputFolder(outPath, options));
            if (options.ResumeLearningRate is float newRate)
                CliCommon.Status($"--lr {newRate:G6} replaces the learning rate saved in {resumeFrom} ({WeightFile.ReadMetadata(resumeFrom!).GetValueOrDefault("learning_rate", "?")}) from the next epoch on");
            // A wrong --device is told before the data is loaded.
            using var accelerator = job?.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device)) ?? CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            var (train, test, _) = CliCommon.LoadData(r.GetValue(data), r.GetValue(mitdb), r.GetValue(split)!, options.Seed);
            if (options.EffectiveBatchSize > train.Count) throw new ArgumentException($"--batch {options.EffectiveBatchSize} is larger than the {train.Count} training beats");
            if (job is not null) options = options with { DataParallel = job.DataParallel(accelerator) };
            CliCommon.Status($"training {options.Model} on {accelerator.Device.Kind.ToCliName()} ({accelerator.Device.Name}): {train.Count} training beats, {test.Count} test beats");
            var progress = new CliCommon.ProgressLine(options.Model, options.Epochs, options.DataParallel is { } dp ? () => dp.Describe(options.EffectiveBatchSize) : null);
            var result = Translated(outPath, () => Experiment.Run(accelerator, train, test, options, outPath, speaks ? progress.Epochs : null, speaks ? progress.Steps : null));
            if (!speaks) return job!.Complete();
            CliCommon.PrintMetrics(result);
            Console.WriteLine($"wrote {Path.Combine(outPath, "report.html")}");
            return job?.Complete() ?? 0;
        }));
        return command;
    }

    /// <summary>A run folder refused by the library, said with the options that resolve it.</summary>
    public static T Translated<T>(string outPath, Func<T> body)
    {
        try { return body(); }
        catch (RunFolderException e) when (e.HoldsRun)
        {
            throw new ArgumentException($"--out {e.Message.Replace("; resume it, or overwrite it explicitly", "")}; continue it with --resume {outPath}, or replace it with --overwrite");
        }
    }

    private static void Translated(string outPath, Action body) => Translated(outPath, () => { body(); return 0; });
}
