using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>Assembles a batch from a device-resident data set by index, without a host round trip.</summary>
public static class Gather
{
    /// <summary>dst[i, :] = src[index[i], :] for i &lt; count. Indices are not range-checked on devices; the caller owns them.</summary>
    public static void Rows(int count, int rowLength, DeviceBuffer<float> src, DeviceBuffer<int> index, DeviceBuffer<float> dst, int indexOffset = 0)
    {
        var acc = ArgumentChecks.Same(src, index, dst);
        ArgumentChecks.AtLeast(index, (long)indexOffset + count, nameof(index));
        ArgumentChecks.AtLeast(dst, (long)count * rowLength, nameof(dst));
        if (count == 0 || rowLength == 0) return;
        if (Dispatch.IsCpu(acc)) { GatherCpu.Rows(count, rowLength, BufferAccess.Span(src), BufferAccess.Span(index)[indexOffset..], BufferAccess.Span(dst)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<GatherKernels.Loaded>().Rows(device, new GatherKernels.RowsShape { Count = count, RowLength = rowLength, IndexOffset = indexOffset },
            BufferAccess.View(src), BufferAccess.View(index), BufferAccess.View(dst));
    }

    /// <summary>dst[i] = src[index[i]] (labels of a batch).</summary>
    public static void Ints(int count, DeviceBuffer<int> src, DeviceBuffer<int> index, DeviceBuffer<int> dst, int indexOffset = 0)
    {
        var acc = ArgumentChecks.Same(src, index, dst);
        ArgumentChecks.AtLeast(index, (long)indexOffset + count, nameof(index));
        ArgumentChecks.AtLeast(dst, count, nameof(dst));
        if (count == 0) return;
        if (Dispatch.IsCpu(acc)) { GatherCpu.Ints(count, BufferAccess.Span(src), BufferAccess.Span(index)[indexOffset..], BufferAccess.Span(dst)); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<GatherKernels.Loaded>().Ints(device, count, indexOffset, BufferAccess.View(src), BufferAccess.View(index), BufferAccess.View(dst));
    }

    /// <summary>
    /// dst[i, dstOffset + j] = src[i, srcOffset + j] for i &lt; count, j &lt; width, where src rows hold
    /// <paramref name="srcStride"/> values and dst rows <paramref name="dstStride"/>: joins a beat branch's
    /// features with the RR features, and splits a row back into its parts.
    /// </summary>
    public static void Columns(int count, int width, DeviceBuffer<float> src, int srcStride, int srcOffset, DeviceBuffer<float> dst, int dstStride, int dstOffset)
    {
        var acc = ArgumentChecks.Same(src, dst);
        if (srcOffset < 0 || srcOffset + width > srcStride) throw new ArgumentOutOfRangeException(nameof(srcOffset), $"columns {srcOffset}..{srcOffset + width - 1} are not within source rows of {srcStride}");
        if (dstOffset < 0 || dstOffset + width > dstStride) throw new ArgumentOutOfRangeException(nameof(dstOffset), $"columns {dstOffset}..{dstOffset + width - 1} are not within destination rows of {dstStride}");
        ArgumentChecks.AtLeast(src, (long)count * srcStride, nameof(src));
        ArgumentChecks.AtLeast(dst, (long)count * dstStride, nameof(dst));
        if (count == 0 || width == 0) return;
        if (Dispatch.IsCpu(acc)) { GatherCpu.Columns(count, width, BufferAccess.Span(src), srcStride, srcOffset, BufferAccess.Span(dst), dstStride, dstOffset); return; }
        var device = Dispatch.Device(acc);
        device.Kernels<GatherKernels.Loaded>().Columns(device, new GatherKernels.ColumnsShape
        {
            Count = count, Width = width, SrcStride = srcStride, SrcOffset = srcOffset, DstStride = dstStride, DstOffset = dstOffset,
        }, BufferAccess.View(src), BufferAccess.View(dst));
    }
}
