using EcgGpu.Nn;
using EcgGpu.Runtime.Cpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

public sealed class WeightFileTests
{
    private string _dir = "";

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("ecg-weights-").FullName;

    [TearDown]
    public void RemoveDir() => Directory.Delete(_dir, true);

    private static Sequential Trained(string name, out LabeledRows data)
    {
        var acc = CpuAccelerator.Create();
        data = ToyBeats.Make(64, Zoo.InputLength(name), 1);
        var model = Zoo.Create(name).Compile(acc, batchSize: 16, seed: 4);
        model.Fit(data, options: new FitOptions(Epochs: 1));
        return model;
    }

    [TestCase("cnn-ig")]
    [TestCase("kachuee")]
    [TestCase("lstm")]
    public void Round_trip_gives_the_same_predictions_on_another_backend(string name)
    {
        using var model = Trained(name, out var data);
        var path = Path.Combine(_dir, "model.safetensors");
        WeightFile.Save(model, path);
        var expected = model.Predict(data.X);
        using var cl = Backends.Open("opencl");
        using var copy = Zoo.Create(name).Compile(cl, batchSize: 16, seed: 99);
        WeightFile.Load(copy, path);
        Assert.That(copy.Predict(data.X), Is.EqualTo(expected).Within(1e-4f));
        var meta = WeightFile.ReadMetadata(path);
        Assert.That(meta["model"], Is.EqualTo(name));
        Assert.That(meta["sha256"], Has.Length.EqualTo(64));
        Assert.That(Directory.GetFiles(_dir), Has.Length.EqualTo(1), "no temporary file is left");
    }

    [Test]
    public void A_truncated_file_is_refused_and_the_model_is_unchanged()
    {
        using var model = Trained("cnn-ig", out var data);
        var path = Path.Combine(_dir, "model.safetensors");
        WeightFile.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        using var fresh = Zoo.Create("cnn-ig").Compile(CpuAccelerator.Create(), batchSize: 16, seed: 5);
        var before = fresh.Predict(data.X);
        foreach (int keep in new[] { 0, 5, 100, bytes.Length - 4 })
        {
            var cut = Path.Combine(_dir, $"cut{keep}.safetensors");
            File.WriteAllBytes(cut, bytes[..keep]);
            var e = Assert.Throws<WeightFileException>(() => WeightFile.Load(fresh, cut));
            Assert.That(e!.Message, Does.Contain(cut));
            TestContext.Out.WriteLine(e.Message);
        }
        Assert.That(fresh.Predict(data.X), Is.EqualTo(before), "a refused file changes nothing");
    }

    [Test]
    public void A_corrupted_byte_is_caught_by_the_checksum()
    {
        using var model = Trained("cnn-ig", out _);
        var path = Path.Combine(_dir, "model.safetensors");
        WeightFile.Save(model, path);
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x40;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<WeightFileException>(() => WeightFile.Load(model, path));
        Assert.That(e!.Message, Does.Contain("corrupted").And.Contain("SHA-256"));
    }

    [Test]
    public void Weights_of_another_architecture_are_refused_naming_the_tensors()
    {
        using var model = Trained("cnn-ig", out _);
        var path = Path.Combine(_dir, "model.safetensors");
        WeightFile.Save(model, path);
        using var other = Zoo.Create("cnn-lstm").Compile(CpuAccelerator.Create(), batchSize: 16);
        var e = Assert.Throws<WeightFileException>(() => WeightFile.Load(other, path));
        TestContext.Out.WriteLine(e!.Message);
        Assert.That(e.Message, Does.Contain("does not fit model cnn-lstm").And.Contain("lstm.kernel' is missing").And.Contain("has shape"));
    }

    [Test]
    public void Model_checkpoint_keeps_the_best_epoch()
    {
        using var acc = CpuAccelerator.Create();
        var train = ToyBeats.Make(128, Zoo.SelectedFeatures, 1);
        var val = ToyBeats.Make(64, Zoo.SelectedFeatures, 2);
        var path = Path.Combine(_dir, "best.safetensors");
        using var model = Zoo.Create("cnn-ig").Compile(acc, new AdamOptimizer(0.05f), batchSize: 32, seed: 1);
        var history = model.Fit(train, val, new FitOptions(Epochs: 6), [new ModelCheckpoint(path)]);
        var best = history.Epochs.MinBy(e => e.ValLoss!.Value)!;
        Assert.That(WeightFile.ReadMetadata(path)["epoch"], Is.EqualTo(best.Epoch.ToString()));
        using var restored = Zoo.Create("cnn-ig").Compile(acc, batchSize: 32);
        WeightFile.Load(restored, path);
        Assert.That(restored.Evaluate(val).Loss, Is.EqualTo(best.ValLoss!.Value).Within(1e-4));
    }

    [TestCase("cnn")]
    [TestCase("lstm")]
    public void Resume_from_a_training_checkpoint_continues_exactly_where_training_stopped(string name)
    {
        // Uninterrupted: four epochs. Interrupted: two epochs with a training checkpoint after each, then a
        // fresh process-equivalent (new model, other seed) resumes from the file for epochs 3 and 4.
        // On the CPU backend (deterministic) the weights must be bit-identical.
        var data = ToyBeats.Make(96, Zoo.InputLength(name), 2);
        var acc = CpuAccelerator.Create();
        using var straight = Zoo.Create(name).Compile(acc, new AdamOptimizer(2e-3f), batchSize: 16, seed: 7);
        straight.Fit(data, options: new FitOptions(Epochs: 4, Seed: 3));

        var path = Path.Combine(_dir, "checkpoint.safetensors");
        using (var first = Zoo.Create(name).Compile(acc, new AdamOptimizer(2e-3f), batchSize: 16, seed: 7))
            first.Fit(data, options: new FitOptions(Epochs: 2, Seed: 3), callbacks: [new ModelCheckpoint(path, Metric.Loss, saveBestOnly: false, includeTrainingState: true)]);
        Assert.That(WeightFile.ReadMetadata(path)["epoch"], Is.EqualTo("2"));

        using var resumed = Zoo.Create(name).Compile(acc, new AdamOptimizer(2e-3f), batchSize: 16, seed: 123);
        int epoch = WeightFile.Resume(resumed, path);
        Assert.That(epoch, Is.EqualTo(2));
        Assert.That(resumed.Optimizer!.Iterations, Is.EqualTo(2 * 96 / 16));
        var history = resumed.Fit(data, options: new FitOptions(Epochs: 4, Seed: 3) { InitialEpoch = epoch });
        Assert.That(history.Epochs.Select(e => e.Epoch), Is.EqualTo(new[] { 3, 4 }));
        var expected = straight.Parameters.Select(p => p.Value.ToArray()).ToList();
        var actual = resumed.Parameters.Select(p => p.Value.ToArray()).ToList();
        for (int i = 0; i < expected.Count; i++) Assert.That(actual[i], Is.EqualTo(expected[i]), $"parameter {i}");

        // The checkpoint still loads as plain weights, and a weights-only file is refused for resuming.
        using var plain = Zoo.Create(name).Compile(acc, batchSize: 16);
        WeightFile.Load(plain, path);
        var weightsOnly = Path.Combine(_dir, "weights.safetensors");
        WeightFile.Save(straight, weightsOnly);
        Assert.That(() => WeightFile.Resume(resumed, weightsOnly), Throws.TypeOf<WeightFileException>().With.Message.Contains("not a training checkpoint"));
    }
}
