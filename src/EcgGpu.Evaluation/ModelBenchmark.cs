using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;

namespace EcgGpu.Evaluation;

/// <summary>What <see cref="ModelBenchmark.Measure"/> finds for one zoo model on one device.</summary>
public sealed record BenchmarkFigures(string Model, long Params, int Batch, double TrainBeatsPerSecond, double StepMilliseconds,
    double SingleBeatMicroseconds, double Batch1024BeatsPerSecond, StepProfile Profile)
{
    /// <summary>The same model exported and served by another runtime (ONNX Runtime in <c>ecg bench</c>), when it was measured.</summary>
    public InferenceFigures? Exported { get; init; }
}

/// <summary>Inference speed of a model under another runtime: single-beat latency and batch-1024 throughput, on <paramref name="Threads"/> CPU threads.</summary>
public sealed record InferenceFigures(string Runtime, int Threads, double SingleBeatMicroseconds, double Batch1024BeatsPerSecond);

/// <summary>
/// Speed of a zoo model on one accelerator, on synthetic beats: training throughput in steady state (whole
/// epochs of Fit: gather, forward, loss, backward, Adam; after a warm-up epoch), the step profile with peak
/// device memory, single-beat inference latency (median of repeated Predict calls, upload and download
/// included) and inference throughput at batch 1024. What <c>ecg bench</c> prints.
/// </summary>
public static class ModelBenchmark
{
    /// <summary>Measures zoo model <paramref name="name"/> at batch size <paramref name="batch"/>, timing epochs of <paramref name="steps"/> steps.</summary>
    public static BenchmarkFigures Measure(Accelerator accelerator, string name, int batch, int steps)
    {
        if (batch < 1 || steps < 1) throw new ArgumentOutOfRangeException(batch < 1 ? nameof(batch) : nameof(steps), "the batch size and the steps per timed epoch must be at least 1");
        int width = Zoo.InputLength(name);
        var beats = SyntheticBeats.Generate(batch * steps, seed: 1);
        var x = beats.Width(width);
        var data = new LabeledRows(x, beats.Labels, width);
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
        return new BenchmarkFigures(name, parameters, batch, data.Rows / trainSeconds, trainSeconds / steps * 1000, latencies[latencies.Count / 2], 1024 / bigTimes[bigTimes.Count / 2], stepProfile);
    }

    /// <summary>
    /// Rows of the model's input width: the first columns of the beat, and for a two-input model RR ratios of 1
    /// after it (timing depends only on the shape).
    /// </summary>
    private static float[] Width(this BeatSet beats, int width)
    {
        if (width == beats.Length) return beats.Samples;
        if (width < beats.Length) return beats.SelectColumns(Enumerable.Range(0, width).ToArray()).Samples;
        var rows = new float[beats.Count * width];
        for (int r = 0; r < beats.Count; r++)
        {
            beats.Row(r).CopyTo(rows.AsSpan(r * width));
            rows.AsSpan(r * width + beats.Length, width - beats.Length).Fill(1f);
        }
        return rows;
    }

    public static void WriteJson(string path, Accelerator accelerator, int batch, int steps, IReadOnlyList<BenchmarkFigures> results)
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
            if (f.Exported is { } e)
            {
                w.WriteStartObject("exported");
                w.WriteString("runtime", e.Runtime);
                w.WriteNumber("threads", e.Threads);
                w.WriteNumber("single_beat_latency_us", Math.Round(e.SingleBeatMicroseconds, 1));
                w.WriteNumber("batch1024_beats_per_second", Math.Round(e.Batch1024BeatsPerSecond, 1));
                w.WriteEndObject();
            }
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
