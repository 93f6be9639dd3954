namespace EcgGpu.Kernels;

/// <summary>The CPU backend's batch normalisation: per-channel loops in double accumulators, channels in parallel.</summary>
public static class BatchNormCpu
{
    public static void Stats(int n, int c, int s, float[] x, float[] mean, float[] var, ParallelOptions parallel)
        => Parallel.For(0, c, parallel, ch =>
        {
            double sum = 0;
            for (int b = 0; b < n; b++) { int o = (b * c + ch) * s; for (int k = 0; k < s; k++) sum += x[o + k]; }
            double mu = sum / ((double)n * s), sq = 0;
            for (int b = 0; b < n; b++) { int o = (b * c + ch) * s; for (int k = 0; k < s; k++) { double d = x[o + k] - mu; sq += d * d; } }
            mean[ch] = (float)mu;
            var[ch] = (float)(sq / ((double)n * s));
        });

    public static void Forward(int n, int c, int s, float eps, float[] x, float[] mean, float[] var, float[] gamma, float[] beta, float[] y, ParallelOptions parallel)
        => Parallel.For(0, c, parallel, ch =>
        {
            float scale = gamma[ch] / MathF.Sqrt(var[ch] + eps), shift = beta[ch] - mean[ch] * scale;
            for (int b = 0; b < n; b++) { int o = (b * c + ch) * s; for (int k = 0; k < s; k++) y[o + k] = x[o + k] * scale + shift; }
        });

    public static void Backward(int n, int c, int s, float eps, bool batchStatistics, float[] x, float[] dy, float[] mean, float[] var, float[] gamma,
        float[] dx, float[] dgamma, float[] dbeta, ParallelOptions parallel)
        => Parallel.For(0, c, parallel, ch =>
        {
            double mu = mean[ch], inv = 1 / Math.Sqrt(var[ch] + eps), g = 0, bsum = 0;
            for (int b = 0; b < n; b++) { int o = (b * c + ch) * s; for (int k = 0; k < s; k++) { g += dy[o + k] * (x[o + k] - mu) * inv; bsum += dy[o + k]; } }
            dgamma[ch] = (float)g;
            dbeta[ch] = (float)bsum;
            double m = (double)n * s, coef = gamma[ch] * inv / m;
            for (int b = 0; b < n; b++)
            {
                int o = (b * c + ch) * s;
                for (int k = 0; k < s; k++)
                    dx[o + k] = batchStatistics ? (float)(coef * (m * dy[o + k] - bsum - (x[o + k] - mu) * inv * g)) : (float)(gamma[ch] * inv * dy[o + k]);
            }
        });
}
