using EcgGpu.Runtime.Ilgpu;

namespace EcgGpu.Kernels;

/// <summary>How many thread groups a launch takes.</summary>
internal static class GridSize
{
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
}
