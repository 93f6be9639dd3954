namespace EcgGpu.Kernels;

/// <summary>The GRU step (reset after) of <see cref="RecurrentReference"/> in double precision: gates r, z, n.</summary>
public static class GruReference
{
    /// <summary>Step t of one row: activated gates and h from the projections A and R.</summary>
    public static void Step(RecurrentShape s, RecurrentReference.Sequence q, int t)
    {
        int H = s.H;
        for (int j = 0; j < H; j++)
        {
            double rg = RecurrentReference.Sig(q.A[t, j] + q.R[t, j]), zg = RecurrentReference.Sig(q.A[t, H + j] + q.R[t, H + j]);
            double pre = q.A[t, 2 * H + j] + rg * q.R[t, 2 * H + j];
            double ng = s.Relu ? Math.Max(pre, 0) : Math.Tanh(pre);
            q.Act[t, j] = rg; q.Act[t, H + j] = zg; q.Act[t, 2 * H + j] = ng;
            q.H[t + 1, j] = (1 - zg) * ng + zg * q.H[t, j];
        }
    }

    /// <summary>
    /// Step t backward from d = dL/dh_t: da (input side), dr (recurrent side: r ⊙ d(a_n) for the candidate),
    /// and the direct part z ⊙ d of dL/dh_{t−1} added to dhPrev.
    /// </summary>
    public static void BackStep(RecurrentShape s, RecurrentReference.Sequence q, int t, double[] d, double[] da, double[] dr, double[] dhPrev)
    {
        int H = s.H;
        for (int j = 0; j < H; j++)
        {
            double rg = q.Act[t, j], zg = q.Act[t, H + j], ng = q.Act[t, 2 * H + j];
            double dn = d[j] * (1 - zg);
            double dpre = s.Relu ? (ng > 0 ? dn : 0) : dn * (1 - ng * ng);
            da[j] = dpre * q.R[t, 2 * H + j] * rg * (1 - rg);
            da[H + j] = d[j] * (q.H[t, j] - ng) * zg * (1 - zg);
            da[2 * H + j] = dpre;
            dr[j] = da[j];
            dr[H + j] = da[H + j];
            dr[2 * H + j] = dpre * rg;
            dhPrev[j] += d[j] * zg;
        }
    }
}
