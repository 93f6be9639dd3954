namespace EcgGpu.Kernels.Pool;

/// <summary>CPU pooling; rows are independent and run in parallel.</summary>
public static class PoolCpu
{
    public static void MaxForward(int rows, int lin, int k, int s, int lout, float[] x, float[] y, int[] argmax, ParallelOptions parallel)
        => Parallel.For(0, rows, parallel, r =>
        {
            for (int j = 0; j < lout; j++)
            {
                int start = r * lin + j * s, best = start;
                float m = x[start];
                for (int t = 1; t < k; t++)
                    if (x[start + t] > m) { m = x[start + t]; best = start + t; }
                y[r * lout + j] = m;
                argmax[r * lout + j] = best - r * lin;
            }
        });

    public static void MaxBackward(int rows, int lin, int lout, float[] dy, int[] argmax, float[] dx, ParallelOptions parallel)
        => Parallel.For(0, rows, parallel, r =>
        {
            Array.Clear(dx, r * lin, lin);
            for (int j = 0; j < lout; j++) dx[r * lin + argmax[r * lout + j]] += dy[r * lout + j];
        });

    public static void GapForward(int rows, int l, ReadOnlySpan<float> x, Span<float> y)
    {
        for (int r = 0; r < rows; r++) y[r] = System.Numerics.Tensors.TensorPrimitives.Sum(x.Slice(r * l, l)) / l;
    }

    public static void GapBackward(int rows, int l, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int r = 0; r < rows; r++) dx.Slice(r * l, l).Fill(dy[r] / l);
    }
}
