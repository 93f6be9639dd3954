namespace EcgGpu.Kernels;

public static class PoolReference
{
    public static (double[] Y, double[] Dx) Max(int rows, int lin, int k, int s, float[] x, float[] dy)
    {
        int lout = Pool.OutputLength(lin, k, s);
        var y = new double[rows * lout];
        var dx = new double[rows * lin];
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < lout; j++)
            {
                int best = j * s;
                for (int t = 1; t < k; t++) if (x[r * lin + j * s + t] > x[r * lin + best]) best = j * s + t;
                y[r * lout + j] = x[r * lin + best];
                dx[r * lin + best] += dy[r * lout + j];
            }
        return (y, dx);
    }

    public static (double[] Y, double[] Dx) GlobalAverage(int rows, int l, float[] x, float[] dy)
    {
        var y = new double[rows];
        var dx = new double[rows * l];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < l; i++) y[r] += x[r * l + i];
            y[r] /= l;
            for (int i = 0; i < l; i++) dx[r * l + i] = (double)dy[r] / l;
        }
        return (y, dx);
    }
}
