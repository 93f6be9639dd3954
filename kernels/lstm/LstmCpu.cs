
namespace EcgGpu.Kernels;

/// <summary>
/// CPU LSTM: per step, one blocked GEMM adds h_{t−1}·U into that step's gate rows (strided in place),
/// then a fused pass over the batch applies the gates and updates c and h.
/// </summary>
public static class LstmCpu
{
    public static void Forward(RecurrentShape s, float[] u, float[]? biasR, float[] gates, float[] h, float[] c, ParallelOptions parallel)
    {
        int H = s.H, G = 4 * H, L = s.L;
        for (int t = 0; t < L; t++)
        {
            if (t > 0)
                GemmCpu.Gemm(false, false, s.N, G, H, 1f, h.AsSpan((t - 1) * H), L * H, u, G, 1f, gates.AsSpan(t * G), L * G, parallel);
            int step = t;
            Parallel.For(0, s.N, parallel, n =>
            {
                int row = n * L + step;
                var p = gates.AsSpan(row * G, G);
                var hv = h.AsSpan(row * H, H);
                var cv = c.AsSpan(row * H, H);
                for (int j = 0; j < H; j++)
                {
                    float i = RecurrentCpu.Sigmoid(p[j] + (biasR?[j] ?? 0f));
                    float f = RecurrentCpu.Sigmoid(p[H + j] + (biasR?[H + j] ?? 0f));
                    float g = MathF.Tanh(p[2 * H + j] + (biasR?[2 * H + j] ?? 0f));
                    float o = RecurrentCpu.Sigmoid(p[3 * H + j] + (biasR?[3 * H + j] ?? 0f));
                    float cell = f * (step > 0 ? c[(row - 1) * H + j] : 0f) + i * g;
                    p[j] = i; p[H + j] = f; p[2 * H + j] = g; p[3 * H + j] = o;
                    cv[j] = cell;
                    hv[j] = o * MathF.Tanh(cell);
                }
            });
        }
    }

    public static void Backward(RecurrentShape s, float[] u, float[] gates, float[] c, float[] dh, float[] dgates, ParallelOptions parallel)
    {
        int H = s.H, G = 4 * H, L = s.L, N = s.N;
        using var dhsPool = new PooledScratch(N * H);
        float[] dhs = dhsPool;   // dL/dh_t arriving through the recurrence
        using var dcellPool = new PooledScratch(N * H);
        float[] dcell = dcellPool; // dL/dc_t arriving from step t+1
        for (int t = L - 1; t >= 0; t--)
        {
            int step = t;
            Parallel.For(0, N, parallel, n =>
            {
                int row = n * L + step;
                for (int j = 0; j < H; j++)
                {
                    int gi = row * G + j;
                    float i = gates[gi], f = gates[gi + H], g = gates[gi + 2 * H], o = gates[gi + 3 * H];
                    float cv = c[row * H + j];
                    float cprev = step > 0 ? c[(row - 1) * H + j] : 0f;
                    float d = dh[row * H + j] + dhs[n * H + j];
                    float tc = MathF.Tanh(cv);
                    float dc = dcell[n * H + j] + d * o * (1f - tc * tc);
                    dgates[gi] = dc * g * i * (1f - i);
                    dgates[gi + H] = dc * cprev * f * (1f - f);
                    dgates[gi + 2 * H] = dc * i * (1f - g * g);
                    dgates[gi + 3 * H] = d * tc * o * (1f - o);
                    dcell[n * H + j] = dc * f;
                }
            });
            // dh_{t−1} = dgates_t · Uᵀ
            if (t > 0) GemmCpu.Gemm(false, true, N, H, G, 1f, dgates.AsSpan(t * G), L * G, u, G, 0f, dhs, H, parallel);
        }
    }
}
