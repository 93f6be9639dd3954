using System.CommandLine;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Runtime;

namespace EcgGpu.Cli;

/// <summary><c>ecg bench</c>: <see cref="ModelBenchmark"/>'s figures for each model, as a table (and JSON with <c>--json</c>).</summary>
internal static class BenchCommand
{
    /// <summary>Most synthetic beats one timed epoch may take (about 750 MB on the host).</summary>
    public const int MaxBeats = 1_000_000;

    public static Command Create()
    {
        var models = new Option<string>("--models") { Description = "Comma-separated models.", DefaultValueFactory = _ => "cnn,kachuee,cnn-lstm,lstm2" };
        var batch = new Option<int>("--batch") { Description = "Training batch size.", DefaultValueFactory = _ => 64 };
        var steps = new Option<int>("--steps") { Description = "Training steps per timed epoch.", DefaultValueFactory = _ => 40 };
        var backend = CliCommon.Backend();
        var device = CliCommon.Device();
        var json = new Option<string?>("--json") { Description = "Also write the figures, device, settings and date to this JSON file." };
        var profile = new Option<bool>("--profile") { Description = "Also print each model's step time per layer (forward and backward), gather, loss and optimiser." };
        var onnx = new Option<bool>("--onnx")
        {
            Description = "Also time each model exported to ONNX under ONNX Runtime's CPU provider, with as many threads as the cpu backend (--onnx false to skip).",
            DefaultValueFactory = _ => true,
        };
        var command = new Command("bench", "Training beats/s, single-beat latency, batch-1024 throughput and peak device memory per model on one device; the same inference figures under ONNX Runtime.") { models, batch, steps, backend, device, json, profile, onnx };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            var names = Zoo.ParseNames(r.GetValue(models)!);
            int b = r.GetValue(batch), s = r.GetValue(steps);
            if (b < 1 || s < 1) throw new ArgumentException("--batch and --steps must be at least 1");
            // Each timed epoch is batch × steps synthetic beats, generated on the host first.
            if ((long)b * s > MaxBeats) throw new ArgumentException($"--batch {b} × --steps {s} asks for {(long)b * s:N0} synthetic beats; at most {MaxBeats:N0}");
            using var accelerator = CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            var results = new List<BenchmarkFigures>();
            Console.WriteLine($"device: {accelerator.Device.Kind.ToCliName()} {accelerator.Device.Name}; batch {b}, {s} steps per timed epoch");
            bool withOnnx = r.GetValue(onnx);
            Console.WriteLine($"{"model",-14} {"params",10} {"train beats/s",14} {"step ms",9} {"1-beat µs",10} {"b1024 beats/s",14} {"peak MiB",9} {"allocs/step",11}"
                + (withOnnx ? $" {"ORT 1-beat µs",14} {"ORT b1024 beats/s",18}" : ""));
            foreach (var name in names)
            {
                BenchmarkFigures f;
                try { f = ModelBenchmark.Measure(accelerator, name, b, s); }
                catch (Exception e) when (e is ArgumentOutOfRangeException or OutOfMemoryException or OverflowException)
                {
                    throw new ArgumentException($"--batch {b} with --steps {s} is too large for {name} on this device ({CliCommon.Bare(e)})");
                }
                if (withOnnx) f = f with { Exported = OnnxRuntimeBench.Measure(accelerator, name) };
                results.Add(f);
                Console.WriteLine($"{f.Model,-14} {f.Params,10:N0} {f.TrainBeatsPerSecond,14:F0} {f.StepMilliseconds,9:F2} {f.SingleBeatMicroseconds,10:F0} {f.Batch1024BeatsPerSecond,14:F0} {Mib(f.Profile.PeakDeviceBytes),9:F1} {(double)f.Profile.AllocationsAfterWarmup / f.Profile.Steps,11:F1}"
                    + (f.Exported is { } exported ? $" {exported.SingleBeatMicroseconds,14:F0} {exported.Batch1024BeatsPerSecond,18:F0}" : ""));
            }
            if (results.FirstOrDefault()?.Exported is { } ort) Console.WriteLine($"ORT: the model exported by `ecg export`, under {ort.Runtime} with {ort.Threads} intra-op threads");
            if (r.GetValue(profile))
                foreach (var f in results) PrintProfile(f);
            if (r.GetValue(json) is { } path) ModelBenchmark.WriteJson(path, accelerator, b, s, results);
            return 0;
        }));
        return command;
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);

    private static void PrintProfile(BenchmarkFigures f)
    {
        var p = f.Profile;
        Console.WriteLine();
        Console.WriteLine($"{f.Model}: one step, synchronised after each phase, mean of {p.Steps} steps: {p.StepMs:F2} ms (free-running {f.StepMilliseconds:F2} ms)");
        Console.WriteLine($"  {"layer",-28} {"forward ms",11} {"backward ms",12} {"share",7}");
        foreach (var l in p.Layers)
            Console.WriteLine($"  {$"{l.Layer} ({l.Type})",-28} {l.ForwardMs,11:F3} {l.BackwardMs,12:F3} {(l.ForwardMs + l.BackwardMs) / p.StepMs,7:P1}");
        Console.WriteLine($"  {"gather",-28} {p.GatherMs,11:F3} {"",12} {p.GatherMs / p.StepMs,7:P1}");
        Console.WriteLine($"  {"loss + accuracy (one read)",-28} {p.LossMs,11:F3} {"",12} {p.LossMs / p.StepMs,7:P1}");
        Console.WriteLine($"  {"optimiser",-28} {"",11} {p.OptimizerMs,12:F3} {p.OptimizerMs / p.StepMs,7:P1}");
        Console.WriteLine($"  peak device memory {Mib(p.PeakDeviceBytes):F1} MiB (the data set {Mib(p.DataBytes):F1} MiB of it); allocations after warm-up: {p.AllocationsAfterWarmup}");
    }
}
