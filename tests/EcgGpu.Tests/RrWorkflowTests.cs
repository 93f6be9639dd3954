using System.Text.Json;
using EcgGpu.Data;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>A two-input (-rr) model through <c>ecg train</c> and <c>ecg predict</c>, with the RR features in the _rr.csv beside the beats.</summary>
[NonParallelizable]
public sealed class RrWorkflowTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("ecg-rr-workflow-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    private static int Ecg(string line) => Cli.EcgTool.Root().Parse(line).Invoke();

    /// <summary>Synthetic beats with records, R-peak samples and RR features whose pre/local ratio is early for class S.</summary>
    private static BeatSet WithRr(BeatSet beats, int seed)
    {
        var rng = new Random(seed);
        var rr = new float[beats.Count * RrFeatures.Count];
        for (int r = 0; r < beats.Count; r++)
        {
            double local = 0.8 + 0.1 * rng.NextDouble(), pre = local * (beats.Labels[r] == 1 ? 0.7 : 1.0), post = local * 1.05;
            float[] row = [(float)pre, (float)post, (float)local, 0.85f, (float)(pre / local), (float)(post / local), (float)(pre / 0.85), (float)(post / 0.85), (float)(local / 0.85)];
            row.CopyTo(rr, r * RrFeatures.Count);
        }
        return beats with { Records = Enumerable.Repeat("900", beats.Count).ToArray(), SampleIndices = Enumerable.Range(0, beats.Count).Select(i => 100 + 300 * i).ToArray(), Rr = rr };
    }

    [Test]
    public void Train_and_predict_a_rr_model_with_class_weights_and_refuse_beats_without_rr()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        double[] mix = [0.4, 0.15, 0.15, 0.15, 0.15];
        var train = WithRr(SyntheticBeats.Generate(300, 1, mix), 1);
        var test = WithRr(SyntheticBeats.Generate(100, 2, mix), 2);
        foreach (var (name, beats) in new[] { (KaggleCsv.TrainFile, train), (KaggleCsv.TestFile, test) })
        {
            KaggleCsv.Write(Path.Combine(data, name), beats);
            RrFeatures.Write(RrFeatures.PathBeside(Path.Combine(data, name)), beats);
        }
        var run = Path.Combine(_dir, "run");
        Assert.That(Ecg($"train --model kachuee-rr --data {data} --epochs 1 --batch 32 --balance weights --out {run}"), Is.EqualTo(0));
        using (var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json"))))
        {
            Assert.That(metrics.RootElement.GetProperty("model").GetString(), Is.EqualTo("kachuee-rr"));
            Assert.That(metrics.RootElement.GetProperty("class_balance").GetString(), Is.EqualTo("weights"));
            Assert.That(metrics.RootElement.GetProperty("validation").GetString(), Does.StartWith("stratified 10"), "record 900 is on both sides: no record-wise validation");
        }
        var testCsv = Path.Combine(data, KaggleCsv.TestFile);
        var predictions = Path.Combine(_dir, "predictions.csv");
        Assert.That(Ecg($"predict --weights {Path.Combine(run, "model.safetensors")} --input {testCsv} --output {predictions}"), Is.EqualTo(0));
        Assert.That(File.ReadAllLines(predictions), Has.Length.EqualTo(test.Count + 1));

        File.Delete(RrFeatures.PathBeside(testCsv));
        var stderr = new StringWriter();
        var saved = Console.Error;
        Console.SetError(stderr);
        try { Assert.That(Ecg($"predict --weights {Path.Combine(run, "model.safetensors")} --input {testCsv}"), Is.EqualTo(2)); }
        finally { Console.SetError(saved); }
        Assert.That(stderr.ToString(), Does.Contain("RR features").And.Contain("_rr.csv"));
    }

    [Test]
    public void Oversampling_is_recorded_and_a_single_input_model_ignores_the_rr_file()
    {
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        double[] mix = [0.6, 0.1, 0.1, 0.1, 0.1];
        foreach (var (name, seed, n) in new[] { (KaggleCsv.TrainFile, 1, 200), (KaggleCsv.TestFile, 2, 60) })
        {
            var beats = WithRr(SyntheticBeats.Generate(n, seed, mix), seed);
            KaggleCsv.Write(Path.Combine(data, name), beats);
            RrFeatures.Write(RrFeatures.PathBeside(Path.Combine(data, name)), beats);
        }
        var run = Path.Combine(_dir, "run");
        Assert.That(Ecg($"train --model cnn-ig --data {data} --epochs 1 --balance oversample --out {run}"), Is.EqualTo(0));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        Assert.That(metrics.RootElement.GetProperty("class_balance").GetString(), Is.EqualTo("oversample"));
        Assert.That(metrics.RootElement.GetProperty("patience").GetInt32(), Is.EqualTo(3));
        Assert.That(metrics.RootElement.GetProperty("lr_patience").GetInt32(), Is.EqualTo(2), "one fewer than --patience by default");
        Assert.That(metrics.RootElement.GetProperty("batch_size").GetInt32(), Is.EqualTo(64), "cnn-ig's recipe");
        Assert.That(metrics.RootElement.GetProperty("learning_rate").GetDouble(), Is.EqualTo(1e-3));
        Assert.That(metrics.RootElement.GetProperty("clip_norm").ValueKind, Is.EqualTo(JsonValueKind.Null), "cnn-ig does not clip");
        var given = Path.Combine(_dir, "given");
        Assert.That(Ecg($"train --model cnn-ig --data {data} --epochs 1 --batch 16 --lr 0.002 --clip-norm 2.5 --out {given}"), Is.EqualTo(0));
        using (var givenMetrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(given, "metrics.json"))))
        {
            Assert.That(givenMetrics.RootElement.GetProperty("batch_size").GetInt32(), Is.EqualTo(16));
            Assert.That(givenMetrics.RootElement.GetProperty("learning_rate").GetDouble(), Is.EqualTo(0.002));
            Assert.That(givenMetrics.RootElement.GetProperty("clip_norm").GetDouble(), Is.EqualTo(2.5));
        }

        var stderr = new StringWriter();
        var saved = Console.Error;
        Console.SetError(stderr);
        try
        {
            Assert.That(Ecg($"train --model cnn-ig --data {data} --epochs 1 --validation records --out {Path.Combine(_dir, "records")}"), Is.EqualTo(2));
            Assert.That(Ecg($"train --model cnn-ig --data {data} --epochs 2 --start-from-epoch 2 --out {Path.Combine(_dir, "warmup")}"), Is.EqualTo(2));
            Assert.That(Ecg($"compare --models cnn-ig --data {data} --epochs 2 --lr-patience 0 --out {Path.Combine(_dir, "lrpatience")}"), Is.EqualTo(2));
            Assert.That(Ecg($"train --model cnn-ig --data {data} --epochs 1 --clip-norm -1 --out {Path.Combine(_dir, "clip")}"), Is.EqualTo(2));
        }
        finally { Console.SetError(saved); }
        Assert.That(stderr.ToString(), Does.Contain("2 or more records").And.Contain("--start-from-epoch").And.Contain("--lr-patience").And.Contain("--clip-norm"));
        Assert.That(new[] { "records", "warmup", "lrpatience", "clip" }.Any(d => Directory.Exists(Path.Combine(_dir, d))), Is.False, "a refused run leaves no folder");
    }

    [Test]
    public void Balanced_weights_are_n_over_classes_times_count()
    {
        var w = Evaluation.ClassBalanceExtensions.BalancedWeights([80, 10, 10, 0, 0]);
        Assert.That(w, Is.EqualTo(new[] { 100f / (3 * 80), 100f / (3 * 10), 100f / (3 * 10), 0f, 0f }).Within(1e-6));
        var capped = Evaluation.ClassBalanceExtensions.BalancedWeights([10_000, 100, 1, 0, 0]);
        Assert.That(capped[2], Is.EqualTo(Evaluation.ClassBalanceExtensions.MaxWeight), "a handful of beats does not get a weight in the thousands");
    }
}
