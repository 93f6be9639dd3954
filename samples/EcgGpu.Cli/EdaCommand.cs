using System.CommandLine;
using EcgGpu.Evaluation;
using EcgGpu.Runtime;

namespace EcgGpu.Cli;

/// <summary><c>ecg eda</c>: exploratory analysis of the beats as one HTML page and a JSON file.</summary>
internal static class EdaCommand
{
    public static Command Create()
    {
        var data = CliCommon.Data();
        var mitdb = CliCommon.Mitdb();
        var split = CliCommon.Split();
        var seed = CliCommon.Seed();
        var bins = new Option<int>("--bins") { Description = "Equal-width bins for the information gain.", DefaultValueFactory = _ => Data.FeatureSelection.DefaultBins };
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var outDir = CliCommon.Out();
        var command = new Command("eda", "Class distribution, class profiles, information gain per sample, correlation heatmap and summary statistics: eda.html and eda.json in --out.")
        {
            data, mitdb, split, seed, bins, backend, device, outDir,
        };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            CliCommon.CheckOutFolder(r.GetValue(outDir));
            int most = Kernels.InfoGainKernels.HistMax / Data.BeatFormat.Classes;
            if (r.GetValue(bins) is var b && (b < 2 || b > most)) throw new ArgumentException($"--bins must be 2 to {most} (the histogram of a work-group holds {Kernels.InfoGainKernels.HistMax} cells for {Data.BeatFormat.Classes} classes), not {b}");
            var (train, test, description) = CliCommon.LoadData(r.GetValue(data), r.GetValue(mitdb), r.GetValue(split)!, r.GetValue(seed));
            using var accelerator = CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            var result = Eda.Analyze(train, test, accelerator, description, r.GetValue(bins));
            Eda.WriteAll(r.GetValue(outDir)!, result);
            Console.WriteLine($"top 10 information-gain samples: {string.Join(", ", result.InformationGainRanking.Take(10))}");
            Console.WriteLine("seconds: " + string.Join(", ", result.Seconds.Select(kv => $"{kv.Key} {kv.Value:F2}")));
            Console.WriteLine($"wrote {Path.Combine(r.GetValue(outDir)!, "eda.html")}");
            return 0;
        }));
        return command;
    }
}
