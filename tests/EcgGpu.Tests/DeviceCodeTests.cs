using System.Diagnostics;
using System.Text.RegularExpressions;
using EcgGpu.Kernels;
using EcgGpu.Runtime.Ilgpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Every ILGPU kernel compiled without a GPU: ILGPU's PTX backend for sm_80 and sm_90 (assembled by ptxas for
/// sm_90 with its register, shared-memory and spill report where the CUDA toolkit is installed), and its
/// OpenCL C backend.
/// </summary>
public sealed partial class DeviceCodeTests
{
    public static IEnumerable<TestCaseData> Kernels => KernelCatalog.All.Select(e => new TestCaseData(e).SetName($"{{m}}({e.Name})"));

    [Test]
    public void Every_family_folder_with_device_code_is_in_the_catalog()
    {
        Assert.That(KernelCatalog.All, Is.Not.Empty);
        Assert.That(KernelCatalog.All.Select(e => e.Family), Does.Contain("Gemm"));
    }

    [TestCaseSource(nameof(Kernels))]
    public void Compiles_to_ptx_for_sm80_and_sm90(KernelCatalog.Entry kernel)
    {
        foreach (var (major, minor) in new[] { (8, 0), (9, 0) })
        {
            var ptx = DeviceCode.Ptx(kernel.Method, kernel.ExplicitlyGrouped, major, minor);
            Assert.That(ptx, Does.Contain(".entry"), $"{kernel} sm_{major}{minor}");
            if (major == 9) AssembleWithPtxas(kernel, ptx);
        }
    }

    [TestCaseSource(nameof(Kernels))]
    public void Compiles_to_opencl_c(KernelCatalog.Entry kernel)
    {
        var source = DeviceCode.OpenCLSource(kernel.Method, kernel.ExplicitlyGrouped);
        Assert.That(source, Does.Contain("kernel"), kernel.Name);
    }

    private static void AssembleWithPtxas(KernelCatalog.Entry kernel, string ptx)
    {
        var ptxas = FindPtxas();
        if (ptxas is null) return;
        var file = Path.Combine(Path.GetTempPath(), $"ecggpu-{Environment.ProcessId}-{kernel.Name}.ptx");
        File.WriteAllText(file, ptx);
        try
        {
            var psi = new ProcessStartInfo(ptxas, ["-arch=sm_90", "-v", "-o", "/dev/null", file]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using var p = Process.Start(psi)!;
            var output = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Assert.That(p.ExitCode, Is.EqualTo(0), $"ptxas rejected {kernel}:\n{output}");
            var usage = UsageLine().Match(output);
            TestContext.Out.WriteLine($"ptxas sm_90 {kernel}: {(usage.Success ? usage.Value.Trim() : output.Trim())}");
            var spills = SpillLine().Match(output);
            if (spills.Success && (spills.Groups[1].Value != "0" || spills.Groups[2].Value != "0"))
                TestContext.Out.WriteLine($"  spills: {spills.Value.Trim()}");
        }
        finally { File.Delete(file); }
    }

    private static string? FindPtxas()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/local/cuda/bin").Append("/usr/lib/nvidia-cuda-toolkit/bin"))
        {
            var path = Path.Combine(dir, "ptxas");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    [GeneratedRegex(@"Used \d+ registers[^\n]*")]
    private static partial Regex UsageLine();

    [GeneratedRegex(@"(\d+) bytes spill stores, (\d+) bytes spill loads")]
    private static partial Regex SpillLine();
}
