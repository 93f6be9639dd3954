using EcgGpu.Runtime;
using EcgGpu.Runtime.Cpu;
using EcgGpu.Runtime.Ilgpu;
using ILGPU;

namespace EcgGpu.Kernels;

/// <summary>Helpers the launchers share: which implementation an accelerator takes, buffer access, argument checks.</summary>
internal static class Launch
{
    /// <summary>Threads per group for simple element-wise kernels.</summary>
    public const int Group1D = 256;

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
    /// Groups for a grid-stride loop sized to what the device holds at once (multiprocessors × resident threads
    /// each) for groups of <paramref name="threads"/>, fewer when <paramref name="n"/> items at
    /// <paramref name="perGroup"/> a group need fewer: more groups than that only add scheduling overhead
    /// (large on ILGPU's CPU accelerator, which holds 1,024 threads).
    /// </summary>
    public static int ResidentGroups(IlgpuAccelerator device, long n, int perGroup, int threads)
    {
        long resident = Math.Max(1, (long)device.Native.NumMultiprocessors * device.Native.MaxNumThreadsPerMultiprocessor / threads);
        return (int)Math.Clamp((n + perGroup - 1) / perGroup, 1, Math.Min(resident, 65_535));
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

    public static void Require(bool condition, string message, string argument)
    {
        if (!condition) throw new ArgumentException(message, argument);
    }

    public static void AtLeast<T>(DeviceBuffer<T> buffer, long length, string argument) where T : unmanaged
    {
        if (buffer.Length < length) throw new ArgumentException($"{argument} holds {buffer.Length} elements, needs {length}", argument);
    }
}
