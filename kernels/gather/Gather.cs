using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Assembles a batch from a device-resident data set by index, without a host round trip.</summary>
public static class Gather
{
    internal const string Source = "gather/gather.cl";

    /// <summary>dst[i, :] = src[index[i], :] for i &lt; count. Indices are not range-checked on devices; the caller owns them.</summary>
    public static void Rows(int count, int rowLength, DeviceBuffer<float> src, DeviceBuffer<int> index, DeviceBuffer<float> dst, int indexOffset = 0)
    {
        var acc = Launch.Same(src, index, dst);
        Launch.AtLeast(index, (long)indexOffset + count, nameof(index));
        Launch.AtLeast(dst, (long)count * rowLength, nameof(dst));
        if (count == 0 || rowLength == 0) return;
        if (Launch.IsCpu(acc)) { GatherCpu.Rows(count, rowLength, Launch.Span(src), Launch.Span(index)[indexOffset..], Launch.Span(dst)); return; }
        KernelSources.Kernel(acc, Source, "gather_rows").Launch(new NDRange(rowLength, count), new NDRange(Math.Min(64, acc.MaxWorkGroupSize)),
            count, rowLength, src, index, indexOffset, dst);
    }

    /// <summary>dst[i] = src[index[i]] (labels of a batch).</summary>
    public static void Ints(int count, DeviceBuffer<int> src, DeviceBuffer<int> index, DeviceBuffer<int> dst, int indexOffset = 0)
    {
        var acc = Launch.Same(src, index, dst);
        Launch.AtLeast(index, (long)indexOffset + count, nameof(index));
        Launch.AtLeast(dst, count, nameof(dst));
        if (count == 0) return;
        if (Launch.IsCpu(acc)) { GatherCpu.Ints(count, Launch.Span(src), Launch.Span(index)[indexOffset..], Launch.Span(dst)); return; }
        KernelSources.Kernel(acc, Source, "gather_int").Launch(count, LegacyLaunch.Local1D(acc), count, src, index, indexOffset, dst);
    }
}
