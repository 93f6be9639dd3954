namespace EcgGpu.Kernels;

public static class AttentionReference
{
    /// <summary>(output, dQuery, dValue) of softmax(scale·Q Vᵀ [masked]) V and sum(output ⊙ dOut), in double.</summary>
    public static (double[] Out, double[] DQ, double[] DV) Run(AttentionShape s, float[] q, float[] v, float scale, float[]? mask, float[] dOut)
    {
        var o = new double[s.QueryLength];
        var dq = new double[s.QueryLength];
        var dv = new double[s.ValueLength];
        int D = s.D;
        for (int n = 0; n < s.N; n++)
            for (int i = 0; i < s.Lq; i++)
            {
                var p = new double[s.Lk];
                double m = double.NegativeInfinity;
                for (int k = 0; k < s.Lk; k++)
                {
                    double sc = 0;
                    for (int d = 0; d < D; d++) sc += (double)q[(n * s.Lq + i) * D + d] * v[(n * s.Lk + k) * D + d];
                    sc *= scale;
                    if (mask is not null) sc -= 1e9 * (1 - mask[n * s.Lk + k]);
                    p[k] = sc;
                    m = Math.Max(m, sc);
                }
                double sum = 0;
                for (int k = 0; k < s.Lk; k++) { p[k] = Math.Exp(p[k] - m); sum += p[k]; }
                for (int k = 0; k < s.Lk; k++) p[k] /= sum;
                var dp = new double[s.Lk];
                double dot = 0;
                for (int k = 0; k < s.Lk; k++)
                {
                    for (int d = 0; d < D; d++)
                    {
                        o[(n * s.Lq + i) * D + d] += p[k] * v[(n * s.Lk + k) * D + d];
                        dp[k] += dOut[(n * s.Lq + i) * D + d] * v[(n * s.Lk + k) * D + d];
                        dv[(n * s.Lk + k) * D + d] += p[k] * dOut[(n * s.Lq + i) * D + d];
                    }
                    dot += dp[k] * p[k];
                }
                for (int k = 0; k < s.Lk; k++)
                {
                    double ds = p[k] * (dp[k] - dot) * scale;
                    for (int d = 0; d < D; d++)
                    {
                        dq[(n * s.Lq + i) * D + d] += ds * v[(n * s.Lk + k) * D + d];
                        dv[(n * s.Lk + k) * D + d] += ds * q[(n * s.Lq + i) * D + d];
                    }
                }
            }
        return (o, dq, dv);
    }
}
