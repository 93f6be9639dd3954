using System.CommandLine;
using System.Text.Json;
using EcgGpu.Cli;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>The <c>ecg</c> commands through their real parsers.</summary>
[NonParallelizable]
public sealed class CliTests
{
    private static RootCommand Root() => Cli.Cli.Root();

    [Test]
    public void Devices_json_lists_every_device_with_the_documented_fields()
    {
        using var stream = new MemoryStream();
        DevicesCommand.WriteJson(Backends.Context, stream);
        using var doc = JsonDocument.Parse(stream.ToArray());
        var devices = doc.RootElement.EnumerateArray().ToList();
        Assert.That(devices, Has.Count.EqualTo(Backends.Context.Devices.Count));
        foreach (var d in devices)
            foreach (var field in new[] { "index", "kind", "name", "vendor", "memoryBytes", "computeUnits" })
                Assert.That(d.TryGetProperty(field, out _), $"missing {field}");
        Assert.That(devices[0].GetProperty("kind").GetString(), Is.EqualTo("cpu"));
        Assert.That(devices.Select(d => d.GetProperty("kind").GetString()), Is.SubsetOf(new[] { "cpu", "opencl", "cuda" }));
    }

    [Test]
    public void Verify_passes_on_the_cpu_and_exits_zero()
        => Assert.That(Root().Parse("verify --backend cpu --family gemm reduce").Invoke(), Is.EqualTo(0));

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
