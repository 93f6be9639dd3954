using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Assembles a batch from a device-resident data set by index, without a host round trip.</summary>
public static class Gather
{
    /// <summary>dst[i, :] = src[index[i], :] for i &lt; count. Indices are not range-checked on devices; the caller owns them.</summary>
    public static void Rows(int count, int rowLength, DeviceBuffer<float> src, DeviceBuffer<int> index, DeviceBuffer<float> dst, int indexOffset = 0)
    {
        var acc = Launch.Same(src, index, dst);
        Launch.AtLeast(index, (long)indexOffset + count, nameof(index));
        Launch.AtLeast(dst, (long)count * rowLength, nameof(dst));
        if (count == 0 || rowLength == 0) return;
        if (Launch.IsCpu(acc)) { GatherCpu.Rows(count, rowLength, Launch.Span(src), Launch.Span(index)[indexOffset..], Launch.Span(dst)); return; }
        var device = Launch.Device(acc);
        device.Kernels<GatherKernels.Loaded>().Rows(device, new GatherKernels.RowsShape { Count = count, RowLength = rowLength, IndexOffset = indexOffset },
            Launch.View(src), Launch.View(index), Launch.View(dst));
    }

    /// <summary>dst[i] = src[index[i]] (labels of a batch).</summary>
    public static void Ints(int count, DeviceBuffer<int> src, DeviceBuffer<int> index, DeviceBuffer<int> dst, int indexOffset = 0)
    {
        var acc = Launch.Same(src, index, dst);
        Launch.AtLeast(index, (long)indexOffset + count, nameof(index));
        Launch.AtLeast(dst, count, nameof(dst));
        if (count == 0) return;
        if (Launch.IsCpu(acc)) { GatherCpu.Ints(count, Launch.Span(src), Launch.Span(index)[indexOffset..], Launch.Span(dst)); return; }
        var device = Launch.Device(acc);
        device.Kernels<GatherKernels.Loaded>().Ints(device, count, indexOffset, Launch.View(src), Launch.View(index), Launch.View(dst));
    }

    /// <summary>
    /// dst[i, dstOffset + j] = src[i, srcOffset + j] for i &lt; count, j &lt; width, where src rows hold
    /// <paramref name="srcStride"/> values and dst rows <paramref name="dstStride"/>: joins a beat branch's
    /// features with the RR features, and splits a row back into its parts.
    /// </summary>
    public static void Columns(int count, int width, DeviceBuffer<float> src, int srcStride, int srcOffset, DeviceBuffer<float> dst, int dstStride, int dstOffset)
    {
        var acc = Launch.Same(src, dst);
        if (srcOffset < 0 || srcOffset + width > srcStride) throw new ArgumentOutOfRangeException(nameof(srcOffset), $"columns {srcOffset}..{srcOffset + width - 1} are not within source rows of {srcStride}");
        if (dstOffset < 0 || dstOffset + width > dstStride) throw new ArgumentOutOfRangeException(nameof(dstOffset), $"columns {dstOffset}..{dstOffset + width - 1} are not within destination rows of {dstStride}");
        Launch.AtLeast(src, (long)count * srcStride, nameof(src));
        Launch.AtLeast(dst, (long)count * dstStride, nameof(dst));
        if (count == 0 || width == 0) return;
        if (Launch.IsCpu(acc)) { GatherCpu.Columns(count, width, Launch.Span(src), srcStride, srcOffset, Launch.Span(dst), dstStride, dstOffset); return; }
        var device = Launch.Device(acc);
        device.Kernels<GatherKernels.Loaded>().Columns(device, new GatherKernels.ColumnsShape
        {
            Count = count, Width = width, SrcStride = srcStride, SrcOffset = srcOffset, DstStride = dstStride, DstOffset = dstOffset,
        }, Launch.View(src), Launch.View(dst));
    }
}
