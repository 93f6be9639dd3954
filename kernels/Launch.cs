using EcgGpu.Runtime;
using EcgGpu.Runtime.Cpu;
using EcgGpu.Runtime.Ilgpu;
using ILGPU;

namespace EcgGpu.Kernels;

/// <summary>Helpers the launchers share: which implementation an accelerator takes, buffer access, argument checks.</summary>
internal static class Launch
{
    public static bool IsCpu(Accelerator a) => a.Kind == AcceleratorKind.Cpu;

    /// <summary>The ILGPU accelerator behind <paramref name="a"/> (every backend but the managed <c>cpu</c>).</summary>
    public static IlgpuAccelerator Device(Accelerator a)
        => a as IlgpuAccelerator ?? throw new InvalidOperationException($"{a} does not run device kernels");

    /// <summary>The dense view of a device buffer, for a kernel argument.</summary>
    public static ArrayView<T> View<T>(DeviceBuffer<T> buffer) where T : unmanaged
        => buffer is IlgpuBuffer<T> b ? b.View : throw new InvalidOperationException($"not an ILGPU buffer ({buffer.Accelerator})");

    /// <summary>The view of an optional buffer; an empty view stands for "absent" (kernels test Length).</summary>
    public static ArrayView<T> ViewOrEmpty<T>(DeviceBuffer<T>? buffer) where T : unmanaged
        => buffer is null ? default : View(buffer);

    public static Span<T> Span<T>(DeviceBuffer<T> buffer) where T : unmanaged
        => buffer is CpuBuffer<T> cpu ? cpu.Span : throw new InvalidOperationException("not a CPU buffer");

    public static T[] Array<T>(DeviceBuffer<T> buffer) where T : unmanaged
        => buffer is CpuBuffer<T> cpu ? cpu.Array : throw new InvalidOperationException("not a CPU buffer");

    public static ParallelOptions Parallel(Accelerator a)
        => a is CpuAccelerator cpu ? cpu.ParallelOptions : new ParallelOptions();

    /// <summary>Groups needed to cover <paramref name="n"/> items with <paramref name="group"/> per group.</summary>
    public static int Groups(long n, int group) => (int)Math.Max(1, (n + group - 1) / group);

    /// <summary>
    /// Groups for a grid-stride loop over <paramref name="n"/> items: enough to fill the device, capped so the
    /// grid stays within every device's X limit; the kernel loops over the rest.
    /// </summary>
    public static int StrideGroups(long n, int group) => (int)Math.Clamp((n + group - 1) / group, 1, 65_535);

    /// <summary>
    /// Groups of <paramref name="threads"/> for a grid-stride loop over <paramref name="groups"/> groups' worth of
    /// work: at most what fills the device once (every multiprocessor at its thread limit). A GPU loses nothing
    /// against one group per item, and ILGPU's CPU accelerator, which pays per group, runs a handful.
    /// </summary>
    public static int WaveGroups(IlgpuAccelerator device, long groups, int threads)
    {
        long wave = (long)Math.Max(1, device.Native.NumMultiprocessors) * Math.Max(1, device.Native.MaxNumThreadsPerMultiprocessor / threads);
        return (int)Math.Clamp(Math.Min(groups, wave), 1, 65_535);
    }

    /// <summary>All buffers must live on one accelerator; returns it.</summary>
    public static Accelerator Same(params ReadOnlySpan<DeviceMemory> buffers)
    {
        var a = buffers[0].Accelerator;
        foreach (var b in buffers)
            if (!ReferenceEquals(b.Accelerator, a))
                throw new ArgumentException($"buffers belong to different accelerators ({a} and {b.Accelerator})");
        return a;
    }

    public static void AtLeast<T>(DeviceBuffer<T> buffer, long length, string argument) where T : unmanaged
    {
        if (buffer.Length < length) throw new ArgumentException($"{argument} holds {buffer.Length} elements, needs {length}", argument);
    }
}
