namespace EcgGpu.Kernels;

/// <summary>The LSTM step of <see cref="RecurrentReference"/> in double precision: gates i, f, g, o.</summary>
public static class LstmReference
{
    /// <summary>Step t of one row: activated gates, c and h from the projections A and R.</summary>
    public static void Step(RecurrentShape s, RecurrentReference.Sequence q, int t)
    {
        int H = s.H;
        for (int j = 0; j < H; j++)
        {
            double ig = RecurrentReference.Sig(q.A[t, j] + q.R[t, j]), fg = RecurrentReference.Sig(q.A[t, H + j] + q.R[t, H + j]);
            double gg = Math.Tanh(q.A[t, 2 * H + j] + q.R[t, 2 * H + j]), og = RecurrentReference.Sig(q.A[t, 3 * H + j] + q.R[t, 3 * H + j]);
            q.Act[t, j] = ig; q.Act[t, H + j] = fg; q.Act[t, 2 * H + j] = gg; q.Act[t, 3 * H + j] = og;
            q.C[t + 1, j] = fg * q.C[t, j] + ig * gg;
            q.H[t + 1, j] = og * Math.Tanh(q.C[t + 1, j]);
        }
    }

    /// <summary>
    /// Step t backward from d = dL/dh_t: the gate gradients da (input side) = dr (recurrent side); dc carries
    /// dL/dc from step t + 1 to step t − 1.
    /// </summary>
    public static void BackStep(RecurrentShape s, RecurrentReference.Sequence q, int t, double[] d, double[] dc, double[] da, double[] dr)
    {
        int H = s.H;
        for (int j = 0; j < H; j++)
        {
            double ig = q.Act[t, j], fg = q.Act[t, H + j], gg = q.Act[t, 2 * H + j], og = q.Act[t, 3 * H + j];
            double tc = Math.Tanh(q.C[t + 1, j]);
            double dcv = dc[j] + d[j] * og * (1 - tc * tc);
            da[j] = dcv * gg * ig * (1 - ig);
            da[H + j] = dcv * q.C[t, j] * fg * (1 - fg);
            da[2 * H + j] = dcv * ig * (1 - gg * gg);
            da[3 * H + j] = d[j] * tc * og * (1 - og);
            dc[j] = dcv * fg;
            for (int k = 0; k < 4; k++) dr[k * H + j] = da[k * H + j];
        }
    }
}
