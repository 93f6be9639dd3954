using EcgGpu.Kernels;
using EcgGpu.Runtime;
using EcgGpu.Runtime.Cuda;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>Host-side runtime behaviour that needs no device (CUDA host code included).</summary>
public sealed class RuntimeTests
{
    [Test]
    public void Context_always_lists_the_cpu_first()
    {
        var ctx = Backends.Context;
        Assert.That(ctx.Devices[0].Kind, Is.EqualTo(AcceleratorKind.Cpu));
        Assert.That(ctx.Devices.Select(d => d.Index), Is.EqualTo(Enumerable.Range(0, ctx.Devices.Count)));
        Assert.That(ctx.Devices[0].ComputeUnits, Is.EqualTo(Environment.ProcessorCount));
    }

    [Test]
    public void A_backend_without_devices_says_why_and_what_is_available()
    {
        var ctx = Backends.Context;
        foreach (var kind in new[] { AcceleratorKind.OpenCL, AcceleratorKind.Cuda }.Where(k => !ctx.OfKind(k).Any()))
        {
            var e = Assert.Throws<BackendUnavailableException>(() => ctx.Select(kind));
            Assert.That(e!.Message, Does.Contain(kind.ToCliName()).And.Contain("Available:").And.Contain("cpu"));
            Assert.That(ctx.Unavailable.ContainsKey(kind));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Select(AcceleratorKind.Cpu, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ctx.Select(null, ctx.Devices.Count));
    }

    [Test]
    public void Default_prefers_a_gpu_and_never_picks_an_opencl_cpu()
    {
        var d = Backends.Context.Default;
        Assert.That(d.Kind == AcceleratorKind.Cpu || d.IsGpu, $"default {d} is an OpenCL CPU device");
    }

    [Test]
    public void Versioned_runtime_names_are_probed_in_order()
    {
        if (OperatingSystem.IsWindows()) Assert.Ignore("Linux probe lists");
        var nvrtc = NativeLibraries.Candidates(NativeLibraries.Nvrtc);
        Assert.That(nvrtc.Take(4), Is.EqualTo(new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so" }));
        Assert.That(NativeLibraries.Candidates(NativeLibraries.OpenCL)[0], Is.EqualTo("libOpenCL.so.1"), "the ICD loader's SONAME, not the -dev symlink");
        Assert.That(NativeLibraries.Candidates(NativeLibraries.Cuda)[0], Is.EqualTo("libcuda.so.1"));
    }

    [Test]
    public void A_missing_library_is_reported_not_thrown()
    {
        Assert.That(NativeLibraries.TryLoad("no-such-runtime", out var handle, out var error), Is.False);
        Assert.That(handle, Is.EqualTo((nint)0));
        Assert.That(error, Does.Contain("no-such-runtime"));
    }

    [TestCase(90, new[] { 50, 60, 70, 75, 80, 86, 87, 89, 90 }, 90)]
    [TestCase(100, new[] { 75, 80, 86, 89, 90 }, 90)]
    [TestCase(52, new[] { 60, 70 }, 60)]
    [TestCase(86, new[] { 75, 80, 89, 90 }, 80)]
    public void Nvrtc_targets_the_newest_architecture_not_above_the_device(int device, int[] supported, int expected)
        => Assert.That(Nvrtc.ChooseArchitecture(device, supported), Is.EqualTo(expected));

    [Test]
    public void Programs_put_a_line_directive_after_prelude_and_defines()
    {
        var program = KernelSources.Program(AcceleratorKind.OpenCL, "gemm/gemm.cl", new Dictionary<string, string> { ["TS"] = "16" });
        var text = program.FullText();
        Assert.That(text, Does.Contain("#define TS 16\n#line 1 \"gemm/gemm.cl\"\n"));
        Assert.That(text.IndexOf("__kernel", StringComparison.Ordinal), Is.LessThan(text.IndexOf("#line", StringComparison.Ordinal)));
    }

    [Test]
    public void The_cache_key_changes_with_source_device_driver_and_options()
    {
        var a = KernelSources.Program(AcceleratorKind.OpenCL, "gemm/gemm.cl", new Dictionary<string, string> { ["TS"] = "16" });
        var b = a with { Defines = new Dictionary<string, string> { ["TS"] = "8" } };
        var key = KernelDiskCache.Key(a, "dev", "1.0", "-O3");
        Assert.That(KernelDiskCache.Key(a, "dev", "1.0", "-O3"), Is.EqualTo(key));
        Assert.That(new[] { KernelDiskCache.Key(b, "dev", "1.0", "-O3"), KernelDiskCache.Key(a, "dev2", "1.0", "-O3"), KernelDiskCache.Key(a, "dev", "1.1", "-O3"), KernelDiskCache.Key(a, "dev", "1.0", "") },
            Has.None.EqualTo(key));
    }

    [Test]
    public void Every_device_source_is_embedded_with_both_preludes()
    {
        var all = KernelSources.All().ToList();
        Assert.That(all, Is.SupersetOf(new[] { "elementwise/elementwise.cl", "gemm/gemm.cl", "conv1d/conv1d.cl", "pool/pool.cl", "dropout/dropout.cl",
            "softmax/softmax.cl", "adam/adam.cl", "gather/gather.cl", "reduce/reduce.cl", "infogain/infogain.cl" }));
        Assert.That(KernelSources.Prelude(AcceleratorKind.Cuda), Does.Contain("__syncthreads"));
        Assert.That(KernelSources.Prelude(AcceleratorKind.OpenCL), Does.Contain("barrier(CLK_LOCAL_MEM_FENCE)"));
        // Only the preludes name backend built-ins.
        foreach (var path in all)
            Assert.That(KernelSources.Read(path), Does.Not.Contain("__syncthreads").And.Not.Contain("get_global_id").And.Not.Contain("threadIdx").And.Not.Contain("__kernel"), path);
    }

    [Test]
    public void The_cpu_backend_compiles_no_device_code()
    {
        using var cpu = Runtime.Cpu.CpuAccelerator.Create();
        Assert.Throws<NotSupportedException>(() => KernelSources.Kernel(cpu, "gemm/gemm.cl", "gemm_tiled"));
    }

    [Test]
    public void A_compile_error_carries_the_log_with_kernel_line_numbers()
    {
        using var acc = Backends.Open("opencl");
        var bad = new KernelProgram("test/broken.cl", KernelSources.Prelude(AcceleratorKind.OpenCL),
            "KERNEL broken(GLOBAL float* x)\n{\n    x[0] = undefined_name;\n}\n", new Dictionary<string, string>());
        var e = Assert.Throws<KernelCompileException>(() => acc.GetKernel(bad, "broken"));
        Assert.That(e!.BuildLog, Does.Contain("undefined_name"));
        Assert.That(e.BuildLog, Does.Contain("broken.cl:3"), "the log's line numbers refer to the kernel file, past the prelude");
        Assert.That(e.NumberedSource, Does.Contain("   3:     x[0] = undefined_name;"));
    }

    [Test]
    public void Buffers_of_another_accelerator_are_refused()
    {
        using var a = Runtime.Cpu.CpuAccelerator.Create();
        using var b = Runtime.Cpu.CpuAccelerator.Create();
        using var x = a.Allocate<float>(4);
        using var y = b.Allocate<float>(4);
        Assert.Throws<ArgumentException>(() => Kernels.Elementwise.Add(x, y, x));
        Assert.Throws<ArgumentException>(() => x.CopyFrom(y));
    }
}

/// <summary>OpenCL-specific runtime behaviour, on PoCL in CI.</summary>
public sealed class OpenClRuntimeTests
{
    [Test]
    public void A_native_failure_names_the_call_and_the_decoded_error()
    {
        using var acc = Backends.Open("opencl");
        var kernel = KernelSources.Kernel(acc, "elementwise/elementwise.cl", "ew_add", new Dictionary<string, string> { ["REDUCE_WG"] = "256" });
        using var x = acc.Allocate<float>(8);
        // A work-group larger than the device allows is refused by the driver.
        var tooLarge = acc.MaxWorkGroupSize * 2;
        var e = Assert.Throws<NativeCallException>(() => kernel.Launch(tooLarge, tooLarge, 8, x, x, x));
        Assert.That(e!.Call, Is.EqualTo("clEnqueueNDRangeKernel"));
        Assert.That(e.ErrorName, Does.StartWith("CL_INVALID_WORK_"));
        Assert.That(e.Message, Does.Contain("ew_add"));
    }

    [Test]
    public void Compiled_programs_are_cached_on_disk_and_reused()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-cache-");
        var previous = Environment.GetEnvironmentVariable("ECG_KERNEL_CACHE");
        try
        {
            Environment.SetEnvironmentVariable("ECG_KERNEL_CACHE", dir.FullName);
            // A program text no other test compiles, so the entry is this test's own.
            var defines = new Dictionary<string, string> { ["REDUCE_WG"] = "256", ["CACHE_TEST"] = Guid.NewGuid().ToString("N") };
            using (var first = Backends.Open("opencl"))
                KernelSources.Kernel(first, "elementwise/elementwise.cl", "ew_add", defines);
            var entries = Directory.GetFiles(dir.FullName, "*.clbin");
            Assert.That(entries, Has.Length.EqualTo(1));
            var written = File.GetLastWriteTimeUtc(entries[0]);
            using var second = Backends.Open("opencl");
            var kernel = KernelSources.Kernel(second, "elementwise/elementwise.cl", "ew_add", defines);
            using var a = second.Upload<float>([1, 2, 3]);
            using var c = second.Allocate<float>(3);
            kernel.Launch(3, 3, 3, a, a, c);
            Assert.That(c.ToArray(), Is.EqualTo(new[] { 2f, 4f, 6f }), "the program loaded from the cached binary runs");
            Assert.That(File.GetLastWriteTimeUtc(entries[0]), Is.EqualTo(written), "a hit does not rewrite the entry");
            Assert.That(Directory.GetFiles(dir.FullName, "*.tmp"), Is.Empty, "no temporary files left behind");
        }
        finally
        {
            Environment.SetEnvironmentVariable("ECG_KERNEL_CACHE", previous);
            dir.Delete(true);
        }
    }
}
