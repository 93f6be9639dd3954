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
        var models = new Option<string>("--models") { Description = $"Comma-separated models (default: the nine seeds, {string.Join(", ", Zoo.Names)}; also {string.Join(", ", Zoo.RrNames)}, which take the beats' RR features).", DefaultValueFactory = _ => string.Join(",", Zoo.Names) };
        var data = CliCommon.Data();
        var mitdb = CliCommon.Mitdb();
        var split = CliCommon.Split();
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var epochs = new Option<int>("--epochs") { Description = "Most epochs per model.", DefaultValueFactory = _ => 10 };
        var batch = CliCommon.Batch();
        var lr = CliCommon.LearningRate();
        var seed = CliCommon.Seed();
        var patience = new Option<int>("--patience") { Description = "Early-stopping patience.", DefaultValueFactory = _ => 3 };
        var balance = CliCommon.Balance();
        var validationPart = CliCommon.Validation();
        var startFrom = CliCommon.StartFromEpoch();
        var lrPatience = CliCommon.LrPatience();
        var clipNorm = CliCommon.ClipNorm();
        var outDir = CliCommon.Out();
        var distributed = DistributedRun.Option();
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the runs already in --out; without it such a --out is refused." };
        var command = new Command("compare", "Train each model on the same data and compare them: one folder per model, plus comparison.json, .md and .html. Without data it runs on synthetic beats in a few minutes.")
        {
            models, data, mitdb, split, backend, device, epochs, batch, lr, seed, patience, lrPatience, clipNorm, balance, validationPart, startFrom, outDir, overwrite, distributed,
        };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            using var job = DistributedRun.Start(r.GetValue(distributed));
            var outRoot = CliCommon.CheckOutFolder(r.GetValue(outDir));
            var names = Zoo.ParseNames(r.GetValue(models)!);
            ExperimentOptions Options(string name) => new(name, r.GetValue(epochs), r.GetValue(batch), r.GetValue(lr), Seed: r.GetValue(seed), Patience: r.GetValue(patience))
            {
                Balance = ClassBalanceExtensions.Parse(r.GetValue(balance)!), Validation = ValidationPartExtensions.Parse(r.GetValue(validationPart)!), StartFromEpoch = r.GetValue(startFrom), LrPatience = r.GetValue(lrPatience), ClipNorm = r.GetValue(clipNorm), Overwrite = r.GetValue(overwrite),
            };
            foreach (var name in names)
            {
                Options(name).Validate();
                if (job?.IsRoot ?? true) TrainCommand.Translated(outRoot, () => { Experiment.CheckOutputFolder(Path.Combine(outRoot, name), Options(name)); return 0; });
            }
            using var accelerator = job?.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device)) ?? CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            var (train, test, description) = CliCommon.LoadData(r.GetValue(data), r.GetValue(mitdb), r.GetValue(split)!, r.GetValue(seed));
            if (names.Select(n => Options(n).EffectiveBatchSize).Max() is var largest && largest > train.Count)
                throw new ArgumentException($"--batch {largest} is larger than the {train.Count} training beats");
            var results = new List<ModelResult>();
            var diverged = new List<string>();
            var plan = job is null ? null : CompareDistribution.Choose(names, job.Size);
            if (plan is not null) CliCommon.Status(plan.Why);
            bool speaks = job?.IsRoot ?? true;
            for (int i = 0; i < names.Count; i++)
            {
                var name = names[i];
                if (plan is { Sweep: true } && plan.Owner[i] != job!.Rank) continue;
                var options = Options(name);
                if (plan is { Sweep: false }) options = options with { DataParallel = job!.DataParallel(accelerator) };
                // In a sweep every rank trains (and writes) its own models; it reports them on its own lines.
                bool reports = speaks || plan is { Sweep: true };
                if (reports) Console.Error.WriteLine($"{(job is null ? "" : $"rank {job.Rank}: ")}[{i + 1}/{names.Count}] {name} on {accelerator.Device.Kind.ToCliName()} ({accelerator.Device.Name})");
                var progress = new CliCommon.ProgressLine(name, options.Epochs, options.DataParallel is { } dp ? () => dp.Describe(options.EffectiveBatchSize) : null);
                try { results.Add(Experiment.Run(accelerator, train, test, options, Path.Combine(outRoot, name), reports ? progress.Epochs : null, speaks ? progress.Steps : null)); }
                catch (TrainingDivergedException e) when (job is null)
                {
                    // One model's divergence does not cost the others their training: said now, and in the exit code.
                    Console.Error.WriteLine($"ecg: {e.Message}; going on with the other models");
                    diverged.Add(name);
                    continue;
                }
                if (plan is not { Sweep: true } && speaks) Reports.WriteComparison(outRoot, results, description);   // after each model, so an interrupted run keeps what finished
            }
            if (plan is { Sweep: true })
            {
                job!.WaitForAll();
                if (!speaks) return job.Complete();
                // Rank 0 reads back the models the other ranks trained, in the order asked for.
                results = names.Select(n => results.FirstOrDefault(x => x.Model == n) ?? SavedResult.Read(Path.Combine(outRoot, n), test, accelerator)).ToList();
                Reports.WriteComparison(outRoot, results, description);
            }
            if (!speaks) return job!.Complete();
            if (diverged.Count > 0 && results.Count == 0)
                throw new TrainingDivergedException($"every model's training diverged ({string.Join(", ", diverged)}); no comparison written");
            CliCommon.PrintComparison(results);
            Console.WriteLine($"wrote {Path.Combine(outRoot, "comparison.html")}");
            if (diverged.Count > 0)
            {
                Console.Error.WriteLine($"ecg: training diverged for {string.Join(", ", diverged)} (left out of the comparison; --clip-norm may steady it)");
                return 1;
            }
            return job?.Complete() ?? 0;
        }));
        return command;
    }
}
