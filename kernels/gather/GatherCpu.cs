namespace EcgGpu.Kernels;

public static class GatherCpu
{
    public static void Rows(int count, int rowLength, ReadOnlySpan<float> src, ReadOnlySpan<int> index, Span<float> dst)
    {
        for (int i = 0; i < count; i++) src.Slice(index[i] * rowLength, rowLength).CopyTo(dst.Slice(i * rowLength, rowLength));
    }

    public static void Ints(int count, ReadOnlySpan<int> src, ReadOnlySpan<int> index, Span<int> dst)
    {
        for (int i = 0; i < count; i++) dst[i] = src[index[i]];
    }

    public static void Columns(int count, int width, ReadOnlySpan<float> src, int srcStride, int srcOffset, Span<float> dst, int dstStride, int dstOffset)
    {
        for (int i = 0; i < count; i++) src.Slice(i * srcStride + srcOffset, width).CopyTo(dst.Slice(i * dstStride + dstOffset, width));
    }
}
