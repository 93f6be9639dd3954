using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Runtime.Cpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>Weight files a hostile user would hand over: every one refused naming the file and what is wrong, the model unchanged.</summary>
public sealed class HostileWeightFileTests
{
    private string _dir = "";
    private string _good = "";
    private Sequential _model = null!;

    [SetUp]
    public void SaveAGoodFile()
    {
        _dir = Directory.CreateTempSubdirectory("ecg-hostile-weights-").FullName;
        _model = Zoo.Create("cnn-ig").Compile(CpuAccelerator.Create(), batchSize: 8, seed: 3);
        _good = Path.Combine(_dir, "good.safetensors");
        WeightFile.Save(_model, _good);
    }

    [TearDown]
    public void Remove()
    {
        _model.Dispose();
        Directory.Delete(_dir, true);
    }

    /// <summary>The good file with its header replaced by <paramref name="header"/> (the data left as it is).</summary>
    private string WithHeader(string name, string header)
    {
        var bytes = File.ReadAllBytes(_good);
        long oldLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var json = Encoding.UTF8.GetBytes(header);
        var result = new byte[8 + json.Length + bytes.Length - 8 - oldLength];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)json.Length);
        json.CopyTo(result, 8);
        bytes.AsSpan((int)(8 + oldLength)).CopyTo(result.AsSpan(8 + json.Length));
        var path = Path.Combine(_dir, name + ".safetensors");
        File.WriteAllBytes(path, result);
        return path;
    }

    private JsonObject GoodHeader()
    {
        var bytes = File.ReadAllBytes(_good);
        long length = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        return JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)length).TrimEnd(' '))!.AsObject();
    }

    private string Edited(string name, Action<JsonObject> edit)
    {
        var header = GoodHeader();
        edit(header);
        return WithHeader(name, header.ToJsonString());
    }

    private void AssertRefused(string path, params string[] mentions)
    {
        var before = _model.Parameters.Select(p => p.Value.ToArray()).ToList();
        var e = Assert.Catch<Exception>(() => WeightFile.Load(_model, path))!;
        TestContext.Out.WriteLine(e.Message);
        Assert.That(e, Is.TypeOf<WeightFileException>(), e.ToString());
        Assert.That(e.Message, Does.Contain(path));
        foreach (var m in mentions) Assert.That(e.Message, Does.Contain(m));
        Assert.That(e.Message, Does.Not.Contain("\n"), "one line");
        var after = _model.Parameters.Select(p => p.Value.ToArray()).ToList();
        for (int i = 0; i < before.Count; i++) Assert.That(after[i], Is.EqualTo(before[i]), "a refused file changes nothing");
        // The metadata reader refuses it as well, or reads it without a crash.
        try { WeightFile.ReadMetadata(path); } catch (WeightFileException) { }
    }

    private static string FirstTensor(JsonObject h) => h.Select(kv => kv.Key).First(k => k != "__metadata__");

    [TestCase("[]", "array")]
    [TestCase("\"weights\"", "string")]
    [TestCase("3", "number")]
    [TestCase("null", "null")]
    [TestCase("true", "boolean")]
    [TestCase("{\"a\": ", "corrupted header")]
    public void A_header_that_is_not_an_object_is_refused(string header, string mention)
        => AssertRefused(WithHeader("h", header), mention);

    [Test]
    public void Metadata_as_an_array_or_nested_object_is_refused_naming_the_key()
    {
        AssertRefused(Edited("meta-array", h => h["__metadata__"] = new JsonArray(1, 2)), "'__metadata__'", "array");
        AssertRefused(Edited("meta-nested", h => h["__metadata__"]!["model"] = new JsonObject { ["name"] = "cnn-ig" }), "'__metadata__.model'", "object");
        AssertRefused(Edited("meta-number", h => h["__metadata__"]!["model"] = 5), "'__metadata__.model'", "number");
    }

    [Test]
    public void Malformed_tensor_entries_are_refused_naming_the_key()
    {
        var name = FirstTensor(GoodHeader());
        AssertRefused(Edited("tensor-string", h => h[name] = "F32"), $"'{name}'", "string");
        AssertRefused(Edited("no-shape", h => h[name]!.AsObject().Remove("shape")), $"'{name}'", "'shape'");
        AssertRefused(Edited("no-dtype", h => h[name]!.AsObject().Remove("dtype")), $"'{name}'", "'dtype'");
        AssertRefused(Edited("no-offsets", h => h[name]!.AsObject().Remove("data_offsets")), $"'{name}'", "'data_offsets'");
        AssertRefused(Edited("dtype-number", h => h[name]!["dtype"] = 32), "'dtype'");
        AssertRefused(Edited("dtype-unknown", h => h[name]!["dtype"] = "F33"), "F33");
        AssertRefused(Edited("shape-text", h => h[name]!["shape"] = "3,3"), "'shape'");
        AssertRefused(Edited("shape-negative", h => h[name]!["shape"] = new JsonArray(-3, 4)), "'shape'");
        AssertRefused(Edited("shape-float", h => h[name]!["shape"] = new JsonArray(2.5, 4)), "'shape'");
        AssertRefused(Edited("shape-huge", h => h[name]!["shape"] = new JsonArray(2_000_000_000, 2_000_000_000, 8)), "too large");
        AssertRefused(Edited("offsets-strings", h => h[name]!["data_offsets"] = new JsonArray("0", "8")), "'data_offsets'");
        AssertRefused(Edited("offsets-floats", h => h[name]!["data_offsets"] = new JsonArray(0.5, 8.5)), "'data_offsets'");
        AssertRefused(Edited("offsets-three", h => h[name]!["data_offsets"] = new JsonArray(0, 4, 8)), "'data_offsets'");
        AssertRefused(Edited("offsets-negative", h => h[name]!["data_offsets"] = new JsonArray(-4, 0)), "'data_offsets'");
        AssertRefused(Edited("offsets-beyond", h => h[name]!["data_offsets"] = new JsonArray(1L << 40, (1L << 40) + h[name]!["data_offsets"]![1]!.GetValue<long>())), "truncated");
        AssertRefused(Edited("offsets-mismatch", h => h[name]!["data_offsets"] = new JsonArray(0, 4)), "'data_offsets'", "needs");
    }

    [Test]
    public void Contradictory_metadata_is_refused_naming_the_key()
    {
        AssertRefused(Edited("classes-7", h => h["__metadata__"]!["classes"] = "7"), "'__metadata__.classes' is 7");
        AssertRefused(Edited("classes-text", h => h["__metadata__"]!["classes"] = "five"), "'__metadata__.classes'");
        AssertRefused(Edited("format", h => h["__metadata__"]!["format"] = "pytorch-pickle/9"), "'__metadata__.format'");
        AssertRefused(Edited("input-text", h => h["__metadata__"]!["input_shape"] = "sixty"), "'__metadata__.input_shape'");
        AssertRefused(Edited("input-other", h => h["__metadata__"]!["input_shape"] = "187"), "'__metadata__.input_shape' is 187");
        AssertRefused(Edited("sha-short", h => h["__metadata__"]!["sha256"] = "abc"), "'__metadata__.sha256'");
    }

    [Test]
    public void A_truncated_file_says_how_long_it_is_and_how_long_the_header_says()
    {
        var bytes = File.ReadAllBytes(_good);
        foreach (int keep in new[] { 0, 7, 8, 20, bytes.Length / 2, bytes.Length - 1 })
        {
            var cut = Path.Combine(_dir, $"cut{keep}.safetensors");
            File.WriteAllBytes(cut, bytes[..keep]);
            if (keep >= 20) AssertRefused(cut, "truncated", $"{keep} bytes", "header");
            else AssertRefused(cut, "truncated");
        }
    }

    [Test]
    public void A_missing_file_and_a_folder_are_told_apart()
    {
        var missing = Path.Combine(_dir, "absent.safetensors");
        Assert.That(() => WeightFile.Load(_model, missing), Throws.TypeOf<FileNotFoundException>().With.Message.Contains("does not exist"));
        Assert.That(() => WeightFile.Load(_model, _dir), Throws.TypeOf<WeightFileException>().With.Message.Contains("is a folder"));
    }

    [Test]
    public void Non_finite_weights_with_a_valid_checksum_are_refused_and_never_written()
    {
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity })
        {
            // A diverged run as it would be written: NaN in the data, the checksum recomputed over it.
            var header = GoodHeader();
            var bytes = File.ReadAllBytes(_good);
            int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            MemoryMarshal.Write(bytes.AsSpan(dataStart + 4 * 17), bad);
            header["__metadata__"]!["sha256"] = Convert.ToHexString(SHA256.HashData(bytes.AsSpan(dataStart))).ToLowerInvariant();
            var path = WithHeader($"diverged-{bad}", header.ToJsonString());
            var withData = File.ReadAllBytes(path);
            bytes.AsSpan(dataStart).CopyTo(withData.AsSpan(withData.Length - (bytes.Length - dataStart)));
            File.WriteAllBytes(path, withData);
            AssertRefused(path, "diverged", bad.ToString());
        }

        var parameter = _model.Parameters.First();
        var values = parameter.Value.ToArray();
        values[3] = float.NaN;
        parameter.Value.Upload(values);
        var target = Path.Combine(_dir, "nan.safetensors");
        var e = Assert.Throws<NonFiniteWeightsException>(() => WeightFile.Save(_model, target))!;   // a WeightFileException, told apart for training
        Assert.That(e.Message, Does.Contain("not written").And.Contain("NaN"));
        Assert.That(Directory.GetFiles(_dir, "nan*"), Is.Empty, "nothing written, no temporary file left");
    }

    [Test]
    public void Resume_metadata_that_is_not_numbers_is_refused_naming_the_key()
    {
        using var model = Zoo.Create("cnn-ig").Compile(CpuAccelerator.Create(), new AdamOptimizer(1e-3f), batchSize: 8, seed: 3);
        var checkpoint = Path.Combine(_dir, "last.safetensors");
        WeightFile.Save(model, checkpoint, includeTrainingState: true, epoch: 2);
        File.Copy(checkpoint, _good, overwrite: true);
        foreach (var (key, value) in new[] { ("epoch", "two"), ("optimizer_iterations", "1e99"), ("learning_rate", "-1"), ("dropout", "x:y") })
        {
            var path = Edited($"resume-{key}", h => h["__metadata__"]![key] = value);
            var e = Assert.Throws<WeightFileException>(() => WeightFile.Resume(model, path))!;
            TestContext.Out.WriteLine(e.Message);
            Assert.That(e.Message, Does.Contain(path).And.Contain($"'__metadata__.{key}'"));
        }
    }

    [Test]
    public void Impossible_preprocessing_consistent_with_its_checksum_is_refused_naming_the_file()
    {
        var cases = new (string Name, Preprocessing Preprocessing, string Mention)[]
        {
            ("column-999", new Preprocessing(187, [.. Enumerable.Range(0, 59), 999], new FeatureScaler(FeatureScaler.Standard, new float[60], Enumerable.Repeat(1f, 60).ToArray())), "column 999"),
            ("ten-features", new Preprocessing(187, Enumerable.Range(0, 10).ToArray()), "10 features"),
            ("scaler-short", new Preprocessing(187, Enumerable.Range(0, 60).ToArray(), new FeatureScaler(FeatureScaler.Standard, new float[3], new float[3])), "offsets"),
            ("scaler-zero", new Preprocessing(187, Enumerable.Range(0, 60).ToArray(), new FeatureScaler(FeatureScaler.MinMax, new float[60], new float[60])), "scale"),
            ("scaler-unknown", new Preprocessing(187, Enumerable.Range(0, 60).ToArray(), new FeatureScaler("robust", new float[60], Enumerable.Repeat(1f, 60).ToArray())), "robust"),
        };
        foreach (var (name, preprocessing, mention) in cases)
        {
            var path = Path.Combine(_dir, name + ".safetensors");
            WeightFile.Save(_model, path, preprocessing.ToMetadata());
            var e = Assert.Throws<InvalidDataException>(() => Experiment.Load(path, CpuAccelerator.Create()))!;
            TestContext.Out.WriteLine(e.Message);
            Assert.That(e.Message, Does.Contain(path).And.Contain("preprocessing").And.Contain(mention));
        }
    }
}
