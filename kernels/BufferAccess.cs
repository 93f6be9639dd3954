using EcgGpu.Runtime;
using EcgGpu.Runtime.Cpu;
using EcgGpu.Runtime.Ilgpu;
using ILGPU;

namespace EcgGpu.Kernels;

/// <summary>A device buffer as a launcher passes it on: an ILGPU view for a kernel, a span or array for managed code.</summary>
internal static class BufferAccess
{
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
}
