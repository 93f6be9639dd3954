
namespace EcgGpu.Kernels;

/// <summary>CPU GRU (reset after): per step, h_{t−1}·U by the blocked GEMM, then the gates in one pass.</summary>
public static class GruCpu
{
    public static void Forward(RecurrentShape s, float[] u, float[]? biasR, float[] gates, float[] h, float[] hn, ParallelOptions parallel)
    {
        int H = s.H, G = 3 * H, L = s.L;
        using var recPool = new PooledScratch(s.N * G);
        float[] rec = recPool;
        for (int t = 0; t < L; t++)
        {
            if (t > 0) GemmCpu.Gemm(false, false, s.N, G, H, 1f, h.AsSpan((t - 1) * H), L * H, u, G, 0f, rec, G, parallel);
            int step = t;
            Parallel.For(0, s.N, parallel, n =>
            {
                int row = n * L + step;
                var p = gates.AsSpan(row * G, G);
                for (int j = 0; j < H; j++)
                {
                    float rr = (step > 0 ? rec[n * G + j] : 0f) + (biasR?[j] ?? 0f);
                    float rz = (step > 0 ? rec[n * G + H + j] : 0f) + (biasR?[H + j] ?? 0f);
                    float rn = (step > 0 ? rec[n * G + 2 * H + j] : 0f) + (biasR?[2 * H + j] ?? 0f);
                    float r = RecurrentCpu.Sigmoid(p[j] + rr);
                    float z = RecurrentCpu.Sigmoid(p[H + j] + rz);
                    float a = p[2 * H + j] + r * rn;
                    float nv = s.Relu ? MathF.Max(a, 0f) : MathF.Tanh(a);
                    float hprev = step > 0 ? h[(row - 1) * H + j] : 0f;
                    p[j] = r; p[H + j] = z; p[2 * H + j] = nv;
                    hn[row * H + j] = rn;
                    h[row * H + j] = (1f - z) * nv + z * hprev;
                }
            });
        }
    }

    public static void Backward(RecurrentShape s, float[] u, float[] gates, float[] hn, float[] h, float[] dh, float[] dx, float[] drec, ParallelOptions parallel)
    {
        int H = s.H, G = 3 * H, L = s.L, N = s.N;
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
                    int gi = row * G + j;
                    float r = gates[gi], z = gates[gi + H], nv = gates[gi + 2 * H];
                    float hprev = step > 0 ? h[(row - 1) * H + j] : 0f;
                    float d = dh[row * H + j] + dhs[n * H + j];
                    float dn = d * (1f - z);
                    float dz = d * (hprev - nv);
                    float dan = s.Relu ? (nv > 0f ? dn : 0f) : dn * (1f - nv * nv);
                    float dar = dan * hn[row * H + j] * r * (1f - r);
                    float daz = dz * z * (1f - z);
                    dx[gi] = dar; dx[gi + H] = daz; dx[gi + 2 * H] = dan;
                    drec[gi] = dar; drec[gi + H] = daz; drec[gi + 2 * H] = dan * r;
                    dhs[n * H + j] = d * z; // the direct path; the recurrent one is added below
                }
            });
            if (t > 0) GemmCpu.Gemm(false, true, N, H, G, 1f, drec.AsSpan(t * G), L * G, u, G, 1f, dhs, H, parallel);
        }
    }
}
