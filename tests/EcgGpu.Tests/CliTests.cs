using System.CommandLine;
using System.Text.Json;
using EcgGpu.Nn;
using EcgGpu.Cli;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The <c>ecg</c> commands through their real parsers.</summary>
[NonParallelizable]
public sealed class CliTests
{
    private static RootCommand Root() => Cli.EcgTool.Root();

    [Test]
    public void Devices_json_lists_every_device_with_the_documented_fields()
    {
        using var stream = new MemoryStream();
        DevicesCommand.WriteJson(Backends.Context, stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var devices = doc.RootElement.EnumerateArray().ToList();
        Assert.That(devices, Has.Count.EqualTo(Backends.Context.Devices.Count + Backends.Context.Unusable.Count));
        foreach (var u in devices.Where(d => !d.GetProperty("usable").GetBoolean()))
            Assert.That(u.GetProperty("reason").GetString(), Is.Not.Empty);
        foreach (var d in devices.Where(d => d.GetProperty("usable").GetBoolean()))
            foreach (var field in new[] { "index", "kind", "name", "vendor", "memoryBytes", "computeUnits" })
                Assert.That(d.TryGetProperty(field, out _), $"missing {field}");
        Assert.That(devices[0].GetProperty("kind").GetString(), Is.EqualTo("cpu"));
        Assert.That(devices.Select(d => d.GetProperty("kind").GetString()), Is.SubsetOf(new[] { "cpu", "ilgpu-cpu", "opencl", "cuda" }));
    }

    [Test]
    public void Verify_passes_on_the_cpu_and_exits_zero()
        => Assert.That(Root().Parse("verify --backend cpu --family gemm reduce").Invoke(), Is.EqualTo(0));

    [Test]
    public void Verify_passes_on_ilgpus_cpu_accelerator_and_exits_zero()
        => Assert.That(Root().Parse("verify --backend ilgpu-cpu --family gemm").Invoke(), Is.EqualTo(0));

    [Test]
    public void Bench_writes_figures_memory_and_a_layer_profile()
    {
        string json = Path.Combine(Path.GetTempPath(), $"ecg-bench-{Guid.NewGuid():N}.json");
        try
        {
            Assert.That(Root().Parse($"bench --backend cpu --models cnn-ig --steps 2 --batch 16 --profile --json {json}").Invoke(), Is.EqualTo(0));
            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var model = doc.RootElement.GetProperty("models")[0];
            Assert.That(model.GetProperty("model").GetString(), Is.EqualTo("cnn-ig"));
            Assert.That(model.GetProperty("peak_device_bytes").GetInt64(), Is.GreaterThan(0));
            Assert.That(model.GetProperty("allocations_per_step_after_warmup").GetDouble(), Is.EqualTo(0));
            Assert.That(model.GetProperty("profile_ms").GetArrayLength(), Is.EqualTo(Zoo.Create("cnn-ig").Layers.Count));
            Assert.That(model.GetProperty("train_beats_per_second").GetDouble(), Is.GreaterThan(0));
            Assert.That(model.GetProperty("exported").GetProperty("batch1024_beats_per_second").GetDouble(), Is.GreaterThan(0));
        }
        finally { File.Delete(json); }
    }

    [Test]
    public void Verify_on_an_absent_backend_exits_two()
    {
        var absent = new[] { "opencl", "cuda" }.FirstOrDefault(b => !Backends.Context.OfKind(b == "cuda" ? Runtime.AcceleratorKind.Cuda : Runtime.AcceleratorKind.OpenCL).Any());
        if (absent is null) Assert.Ignore("every backend is present here");
        Assert.That(Root().Parse($"verify --backend {absent}").Invoke(), Is.EqualTo(2));
    }

    [Test]
    public void Verify_rejects_unknown_families_and_backends()
    {
        Assert.That(Root().Parse("verify --backend cpu --family nosuch").Invoke(), Is.EqualTo(2));
        Assert.That(Root().Parse("verify --backend tpu").Invoke(), Is.Not.EqualTo(0));
    }
}
