namespace EcgGpu.Kernels;

/// <summary>The SimpleRNN step of <see cref="RecurrentReference"/> in double precision: h' = act(a + r).</summary>
public static class SimpleRnnReference
{
    /// <summary>Step t of one row: h from the projections A and R.</summary>
    public static void Step(RecurrentShape s, RecurrentReference.Sequence q, int t)
    {
        for (int j = 0; j < s.H; j++)
        {
            double p = q.A[t, j] + q.R[t, j];
            q.H[t + 1, j] = s.Relu ? Math.Max(p, 0) : Math.Tanh(p);
        }
    }

    /// <summary>Step t backward from d = dL/dh_t: the pre-activation's gradient, both da and dr.</summary>
    public static void BackStep(RecurrentShape s, RecurrentReference.Sequence q, int t, double[] d, double[] da, double[] dr)
    {
        for (int j = 0; j < s.H; j++)
        {
            double hv = q.H[t + 1, j];
            da[j] = s.Relu ? (hv > 0 ? d[j] : 0) : d[j] * (1 - hv * hv);
            dr[j] = da[j];
        }
    }
}
