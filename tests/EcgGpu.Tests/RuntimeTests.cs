using EcgGpu.Kernels;
using EcgGpu.Runtime;
using EcgGpu.Runtime.Ilgpu;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>Host-side runtime behaviour: device discovery, selection, launch limits, buffers.</summary>
public sealed class RuntimeTests
{
    [Test]
    public void Context_lists_the_managed_cpu_first_and_ilgpus_cpu_accelerator()
    {
        var ctx = Backends.Context;
        Assert.That(ctx.Devices[0].Kind, Is.EqualTo(AcceleratorKind.Cpu));
        Assert.That(ctx.Devices.Select(d => d.Index), Is.EqualTo(Enumerable.Range(0, ctx.Devices.Count)));
        Assert.That(ctx.Devices[0].ComputeUnits, Is.EqualTo(Environment.ProcessorCount));
        var ilgpuCpu = ctx.OfKind(AcceleratorKind.IlgpuCpu).Single();
        Assert.That(ilgpuCpu.IsGpu, Is.False);
        Assert.That(ilgpuCpu.Name, Does.Contain("ILGPU CPU accelerator"));
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
    public void An_opencl_device_ilgpu_cannot_drive_is_listed_with_the_reason()
    {
        foreach (var u in Backends.Context.Unusable)
        {
            Assert.That(u.Reason, Is.Not.Empty);
            Assert.That(Backends.Context.OfKind(u.Kind).Any(d => d.Name == u.Name && d.Vendor == u.Vendor), Is.False, $"{u.Name} is both usable and unusable");
        }
        if (Backends.Context.Unusable.Count == 0) Assert.Pass("no unusable device here (PoCL absent)");
    }

    [Test]
    public void Default_prefers_a_gpu_and_never_picks_a_cpu_device_other_than_the_managed_one()
    {
        var d = Backends.Context.Default;
        Assert.That(d.Kind == AcceleratorKind.Cpu || d.IsGpu, $"default {d} is not the managed CPU backend nor a GPU");
    }

    [TestCase("cpu", AcceleratorKind.Cpu)]
    [TestCase("ilgpu-cpu", AcceleratorKind.IlgpuCpu)]
    [TestCase("OpenCL", AcceleratorKind.OpenCL)]
    [TestCase("cuda", AcceleratorKind.Cuda)]
    public void Backend_names_round_trip(string name, AcceleratorKind kind)
    {
        Assert.That(AcceleratorKindNames.TryParse(name, out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(kind));
        Assert.That(AcceleratorKindNames.TryParse(kind.ToCliName(), out var again) && again == kind);
    }

    [Test]
    public void Drivers_are_found_by_their_versioned_sonames()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Linux library names");
        Assert.That(IlgpuRuntime.VersionedNames("cuda").First(), Is.EqualTo("libcuda.so.1"));
        Assert.That(IlgpuRuntime.VersionedNames("OpenCL").First(), Is.EqualTo("libOpenCL.so.1"), "the ICD loader's SONAME, not the -dev symlink");
    }

    [Test]
    public void Ilgpus_cpu_accelerator_has_an_nvidia_gpus_limits()
    {
        using var acc = (IlgpuAccelerator)Backends.Context.OfKind(AcceleratorKind.IlgpuCpu).First().CreateAccelerator();
        Assert.That(acc.WarpSize, Is.EqualTo(32));
        Assert.That(acc.MaxWorkGroupSize, Is.EqualTo(1024));
    }

    [Test]
    public void A_launch_past_the_grid_or_group_limits_is_refused_naming_the_kernel()
    {
        using var acc = (IlgpuAccelerator)Backends.Context.OfKind(AcceleratorKind.IlgpuCpu).First().CreateAccelerator();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => acc.Config("test.kernel", new ILGPU.Index3D(1, 70_000, 1), new ILGPU.Index3D(32, 1, 1)));
        Assert.That(e!.Message, Does.Contain("test.kernel").And.Contain("grid"));
        e = Assert.Throws<ArgumentOutOfRangeException>(() => acc.Config("test.kernel", new ILGPU.Index3D(1, 1, 1), new ILGPU.Index3D(2048, 1, 1)));
        Assert.That(e!.Message, Does.Contain("test.kernel").And.Contain("2048"));
    }

    [Test]
    public void Kernel_families_load_once_per_accelerator()
    {
        using var acc = (IlgpuAccelerator)Backends.Context.OfKind(AcceleratorKind.IlgpuCpu).First().CreateAccelerator();
        Assert.That(acc.Kernels<GemmKernels.Loaded>(), Is.SameAs(acc.Kernels<GemmKernels.Loaded>()));
        using var other = (IlgpuAccelerator)Backends.Context.OfKind(AcceleratorKind.IlgpuCpu).First().CreateAccelerator();
        Assert.That(other.Kernels<GemmKernels.Loaded>(), Is.Not.SameAs(acc.Kernels<GemmKernels.Loaded>()));
    }

    [Test]
    public void Buffers_of_another_accelerator_are_refused()
    {
        using var a = Runtime.Cpu.CpuAccelerator.Create();
        using var b = Runtime.Cpu.CpuAccelerator.Create();
        using var x = a.Allocate<float>(4);
        using var y = b.Allocate<float>(4);
        Assert.Throws<ArgumentException>(() => Elementwise.Add(x, y, x));
        Assert.Throws<ArgumentException>(() => x.CopyFrom(y));
    }
}
