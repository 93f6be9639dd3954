using System.CommandLine;
using EcgGpu.Data;

namespace EcgGpu.Cli;

/// <summary><c>ecg prepare</c>: raw MIT-BIH records to the Kaggle files and a manifest.</summary>
internal static class PrepareCommand
{
    public static Command Create()
    {
        var mitdb = new Option<string?>("--mitdb") { Description = "Folder of raw MIT-BIH records (default: $ECG_MITDB or ../shared/data/mitdb)." };
        var split = CliCommon.Split();
        var seed = CliCommon.Seed();
        var outDir = CliCommon.Out();
        var command = new Command("prepare", "Extract Kaggle-format beats from raw MIT-BIH records: mitbih_train.csv, mitbih_test.csv and manifest.json in --out.")
        {
            mitdb, split, seed, outDir,
        };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            CliCommon.CheckOutFolder(r.GetValue(outDir));
            var dir = r.GetValue(mitdb) ?? Mitdb.FindDirectory() ?? throw new DirectoryNotFoundException("no --mitdb given and none found ($ECG_MITDB or ../shared/data/mitdb)");
            if (File.Exists(dir)) throw new ArgumentException($"--mitdb {dir} is a file; give the folder of MIT-BIH records (100.hea, 100.dat, 100.atr, ...)");
            var prepared = MitdbPreparation.Run(dir, r.GetValue(outDir)!, CliCommon.ParseSplit(r.GetValue(split)!), r.GetValue(seed), new SyncStatus());
            Console.WriteLine($"train: {prepared.Train.Count} beats ({Counts(prepared.Train)}) -> {prepared.TrainPath}");
            Console.WriteLine($"test:  {prepared.Test.Count} beats ({Counts(prepared.Test)}) -> {prepared.TestPath}");
            Console.WriteLine($"manifest: {prepared.ManifestPath}");
            Console.WriteLine("seconds: " + string.Join(", ", prepared.Seconds.Select(kv => $"{kv.Key} {kv.Value:F1}")));
            return 0;
        }));
        return command;
    }

    private static string Counts(BeatSet s) => string.Join(" ", s.ClassCounts().Select((n, c) => $"{(BeatClass)c} {n}"));

    private sealed class SyncStatus : IProgress<string>
    {
        public void Report(string value) => CliCommon.Status(value);
    }
}
