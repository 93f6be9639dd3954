

namespace EcgGpu.Kernels;

/// <summary>CPU SimpleRNN: per step, pre + h_{t−1}·U by the blocked GEMM straight into h_t, then the activation.</summary>
public static class SimpleRnnCpu
{
    public static void Forward(RecurrentShape s, float[] u, float[]? biasR, float[] pre, float[] h, ParallelOptions parallel)
    {
        int H = s.H, L = s.L;
        for (int t = 0; t < L; t++)
        {
            for (int n = 0; n < s.N; n++) Array.Copy(pre, (n * L + t) * H, h, (n * L + t) * H, H);
            if (t > 0) GemmCpu.Gemm(false, false, s.N, H, H, 1f, h.AsSpan((t - 1) * H), L * H, u, H, 1f, h.AsSpan(t * H), L * H, parallel);
            int step = t;
            Parallel.For(0, s.N, parallel, n =>
            {
                var hv = h.AsSpan((n * L + step) * H, H);
                for (int j = 0; j < H; j++)
                {
                    float a = hv[j] + (biasR?[j] ?? 0f);
                    hv[j] = s.Relu ? MathF.Max(a, 0f) : MathF.Tanh(a);
                }
            });
        }
    }

    public static void Backward(RecurrentShape s, float[] u, float[] h, float[] dh, float[] dpre, ParallelOptions parallel)
    {
        int H = s.H, L = s.L, N = s.N;
        using var dhsPool = new PooledScratch(N * H);
        float[] dhs = dhsPool;
        for (int t = L - 1; t >= 0; t--)
        {
            int step = t;
            Parallel.For(0, N, parallel, n =>
            {
                int row = n * L + step;
                for (int j = 0; j < H; j++)
                {
                    float hv = h[row * H + j];
                    float d = dh[row * H + j] + dhs[n * H + j];
                    dpre[row * H + j] = s.Relu ? (hv > 0f ? d : 0f) : d * (1f - hv * hv);
                }
            });
            if (t > 0) GemmCpu.Gemm(false, true, N, H, H, 1f, dpre.AsSpan(t * H), L * H, u, H, 0f, dhs, H, parallel);
        }
    }
}
