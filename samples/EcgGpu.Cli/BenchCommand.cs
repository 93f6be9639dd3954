using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;

namespace EcgGpu.Cli;

/// <summary>
/// <c>ecg bench</c>: per model, training throughput in steady state (whole epochs of Fit: gather, forward,
/// loss, backward, Adam; after a warm-up epoch), single-beat inference latency (median of repeated
/// Predict calls, upload and download included) and inference throughput at batch 1024.
/// </summary>
internal static class BenchCommand
{
    public sealed record ModelFigures(string Model, long Params, int Batch, double TrainBeatsPerSecond, double StepMilliseconds,
        double SingleBeatMicroseconds, double Batch1024BeatsPerSecond, StepProfile Profile);

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
        var command = new Command("bench", "Training beats/s, single-beat latency, batch-1024 throughput and peak device memory per model on one device.") { models, batch, steps, backend, device, json, profile };
        command.SetAction(r => CliCommon.Guard(() =>
        {
            var names = r.GetValue(models)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var unknown = names.Where(n => !Zoo.Names.Contains(n)).ToList();
            if (unknown.Count > 0) throw new ArgumentException($"unknown model(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Zoo.Names)}");
            int b = r.GetValue(batch), s = r.GetValue(steps);
            if (b < 1 || s < 1) throw new ArgumentException("--batch and --steps must be at least 1");
            // Each timed epoch is batch × steps synthetic beats, generated on the host first.
            if ((long)b * s > MaxBeats) throw new ArgumentException($"--batch {b} × --steps {s} asks for {(long)b * s:N0} synthetic beats; at most {MaxBeats:N0}");
            using var accelerator = CliCommon.OpenAccelerator(r.GetValue(backend)!, r.GetValue(device));
            var results = new List<ModelFigures>();
            Console.WriteLine($"device: {accelerator.Device.Kind.ToCliName()} {accelerator.Device.Name}; batch {b}, {s} steps per timed epoch");
            Console.WriteLine($"{"model",-14} {"params",10} {"train beats/s",14} {"step ms",9} {"1-beat µs",10} {"b1024 beats/s",14} {"peak MiB",9} {"allocs/step",11}");
            foreach (var name in names)
            {
                ModelFigures f;
                try { f = Measure(accelerator, name, b, s); }
                catch (Exception e) when (e is ArgumentOutOfRangeException or OutOfMemoryException or OverflowException)
                {
                    throw new ArgumentException($"--batch {b} with --steps {s} is too large for {name} on this device ({CliCommon.Bare(e)})");
                }
                results.Add(f);
                Console.WriteLine($"{f.Model,-14} {f.Params,10:N0} {f.TrainBeatsPerSecond,14:F0} {f.StepMilliseconds,9:F2} {f.SingleBeatMicroseconds,10:F0} {f.Batch1024BeatsPerSecond,14:F0} {Mib(f.Profile.PeakDeviceBytes),9:F1} {(double)f.Profile.AllocationsAfterWarmup / f.Profile.Steps,11:F1}");
            }
            if (r.GetValue(profile))
                foreach (var f in results) PrintProfile(f);
            if (r.GetValue(json) is { } path) Write(path, accelerator, b, s, results);
            return 0;
        }));
        return command;
    }

    public static ModelFigures Measure(Accelerator accelerator, string name, int batch, int steps)
    {
        int width = Zoo.InputLength(name);
        var beats = SyntheticBeats.Generate(batch * steps, seed: 1);
        var x = beats.Width(width);
        var data = new Dataset(x, beats.Labels, width);
        double trainSeconds;
        long parameters;
        using (var model = Zoo.Create(name).Compile(accelerator, new AdamOptimizer(1e-3f), batch, seed: 1))
        {
            parameters = model.ParameterCount;
            model.Fit(data, options: new FitOptions(Epochs: 1));   // warm-up: kernels compiled, buffers allocated
            accelerator.Synchronize();
            var clock = Stopwatch.StartNew();
            model.Fit(data, options: new FitOptions(Epochs: 2));
            accelerator.Synchronize();
            trainSeconds = clock.Elapsed.TotalSeconds / 2;
        }
        StepProfile stepProfile;
        using (var model = Zoo.Create(name).Compile(accelerator, new AdamOptimizer(1e-3f), batch, seed: 1))
            stepProfile = model.ProfileSteps(data, steps: Math.Min(steps, 20), warmup: 2);
        using var inference = Zoo.Create(name).Compile(accelerator, batchSize: 1024, seed: 1);
        var one = x[..width];
        // Steady state: long enough for tiered compilation to promote the single-beat paths (30 calls, then a 100 ms delay).
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 50 || warm.Elapsed.TotalMilliseconds < 500; i++) inference.Predict(one);
        var latencies = new List<double>();
        var deadline = Stopwatch.StartNew();
        while (latencies.Count < 500 && (latencies.Count < 20 || deadline.Elapsed.TotalSeconds < 3))
        {
            var t = Stopwatch.StartNew();
            inference.Predict(one);
            latencies.Add(t.Elapsed.TotalMicroseconds);
        }
        latencies.Sort();
        var big = SyntheticBeats.Generate(1024, seed: 2).Width(width);
        inference.Predict(big);
        var bigTimes = new List<double>();
        for (int i = 0; i < 7; i++)
        {
            var t = Stopwatch.StartNew();
            inference.Predict(big);
            bigTimes.Add(t.Elapsed.TotalSeconds);
        }
        bigTimes.Sort();
        return new ModelFigures(name, parameters, batch, data.Rows / trainSeconds, trainSeconds / steps * 1000, latencies[latencies.Count / 2], 1024 / bigTimes[bigTimes.Count / 2], stepProfile);
    }

    private static double Mib(long bytes) => bytes / (1024.0 * 1024.0);

    private static void PrintProfile(ModelFigures f)
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

    /// <summary>Rows cut to the model's input width (the first columns; timing depends only on the shape).</summary>
    private static float[] Width(this BeatSet beats, int width)
        => width == beats.Length ? beats.Samples : beats.SelectColumns(Enumerable.Range(0, width).ToArray()).Samples;

    private static void Write(string path, Accelerator accelerator, int batch, int steps, List<ModelFigures> results)
    {
        using var stream = File.Create(path);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("date", DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
        w.WriteString("backend", accelerator.Device.Kind.ToCliName());
        w.WriteString("device", accelerator.Device.Name);
        w.WriteNumber("compute_units", accelerator.Device.ComputeUnits);
        w.WriteNumber("batch", batch);
        w.WriteNumber("steps_per_epoch", steps);
        w.WriteStartArray("models");
        foreach (var f in results)
        {
            w.WriteStartObject();
            w.WriteString("model", f.Model);
            w.WriteNumber("params", f.Params);
            w.WriteNumber("train_beats_per_second", Math.Round(f.TrainBeatsPerSecond, 1));
            w.WriteNumber("train_step_ms", Math.Round(f.StepMilliseconds, 3));
            w.WriteNumber("single_beat_latency_us", Math.Round(f.SingleBeatMicroseconds, 1));
            w.WriteNumber("batch1024_beats_per_second", Math.Round(f.Batch1024BeatsPerSecond, 1));
            w.WriteNumber("peak_device_bytes", f.Profile.PeakDeviceBytes);
            w.WriteNumber("data_set_bytes", f.Profile.DataBytes);
            w.WriteNumber("allocations_per_step_after_warmup", (double)f.Profile.AllocationsAfterWarmup / f.Profile.Steps);
            w.WriteStartArray("profile_ms");
            foreach (var l in f.Profile.Layers)
            {
                w.WriteStartObject();
                w.WriteString("layer", l.Layer);
                w.WriteString("type", l.Type);
                w.WriteNumber("forward", Math.Round(l.ForwardMs, 4));
                w.WriteNumber("backward", Math.Round(l.BackwardMs, 4));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("profile_gather_ms", Math.Round(f.Profile.GatherMs, 4));
            w.WriteNumber("profile_loss_ms", Math.Round(f.Profile.LossMs, 4));
            w.WriteNumber("profile_optimizer_ms", Math.Round(f.Profile.OptimizerMs, 4));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
