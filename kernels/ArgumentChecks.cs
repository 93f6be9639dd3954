using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The checks every launcher makes on its buffers before it launches.</summary>
internal static class ArgumentChecks
{
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
