namespace EcgGpu.Kernels;

/// <summary>Plain loops: the ground truth the gather kernels are checked against.</summary>
public static class GatherReference
{
    /// <summary>dst[i, j] = src[index[offset + i], j].</summary>
    public static float[] Rows(int count, int rowLength, float[] src, int[] index, int indexOffset = 0)
    {
        var dst = new float[(long)count * rowLength];
        for (int i = 0; i < count; i++)
            for (int j = 0; j < rowLength; j++) dst[(long)i * rowLength + j] = src[(long)index[indexOffset + i] * rowLength + j];
        return dst;
    }

    /// <summary>dst[i] = src[index[offset + i]].</summary>
    public static int[] Ints(int count, int[] src, int[] index, int indexOffset = 0)
    {
        var dst = new int[count];
        for (int i = 0; i < count; i++) dst[i] = src[index[indexOffset + i]];
        return dst;
    }

    /// <summary>dst with dst[i, dstOffset + j] = src[i, srcOffset + j]; the other values of dst are kept.</summary>
    public static float[] Columns(int count, int width, float[] src, int srcStride, int srcOffset, float[] dst, int dstStride, int dstOffset)
    {
        var result = (float[])dst.Clone();
        for (int i = 0; i < count; i++)
            for (int j = 0; j < width; j++) result[(long)i * dstStride + dstOffset + j] = src[(long)i * srcStride + srcOffset + j];
        return result;
    }
}
