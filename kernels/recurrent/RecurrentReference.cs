namespace EcgGpu.Kernels;

/// <summary>
/// Plain double-precision forward and backward-through-time for the three cells, one batch row at a
/// time, in the same Keras weight layout as the kernels: W (I, G·H), U (H, G·H), biases (G·H).
/// </summary>
public static class RecurrentReference
{
    public sealed record Result(double[] Hidden, double[] DW, double[] DU, double[] DBias, double[] DRecurrentBias, double[] DX);

    private static double Sig(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Forward, then the gradients of sum(hidden ⊙ dHidden).</summary>
    public static Result Run(RecurrentShape s, float[] x, float[] w, float[] u, float[] bias, float[]? biasR, float[] dHidden)
    {
        int H = s.H, I = s.I, G = s.GateWidth, L = s.L;
        var hidden = new double[s.HiddenLength];
        var dW = new double[I * G];
        var dU = new double[H * G];
        var dB = new double[G];
        var dBR = new double[G];
        var dX = new double[s.InputLength];
        double Br(int k) => biasR is null ? 0 : biasR[k];
        for (int n = 0; n < s.N; n++)
        {
            // a: input side x·W + b, r: recurrent side U h + c, per step; act: activated gates.
            var a = new double[L, G];
            var r = new double[L, G];
            var act = new double[L, G];
            var h = new double[L + 1, H]; // h[t+1] = state after step t, h[0] = 0
            var c = new double[L + 1, H];
            for (int t = 0; t < L; t++)
            {
                for (int k = 0; k < G; k++)
                {
                    double sa = bias[k], sr = Br(k);
                    for (int i = 0; i < I; i++) sa += (double)x[(n * L + t) * I + i] * w[i * G + k];
                    for (int j = 0; j < H; j++) sr += h[t, j] * u[j * G + k];
                    a[t, k] = sa;
                    r[t, k] = sr;
                }
                for (int j = 0; j < H; j++)
                {
                    switch (s.Cell)
                    {
                        case RecurrentCell.Lstm:
                            double ig = Sig(a[t, j] + r[t, j]), fg = Sig(a[t, H + j] + r[t, H + j]);
                            double gg = Math.Tanh(a[t, 2 * H + j] + r[t, 2 * H + j]), og = Sig(a[t, 3 * H + j] + r[t, 3 * H + j]);
                            act[t, j] = ig; act[t, H + j] = fg; act[t, 2 * H + j] = gg; act[t, 3 * H + j] = og;
                            c[t + 1, j] = fg * c[t, j] + ig * gg;
                            h[t + 1, j] = og * Math.Tanh(c[t + 1, j]);
                            break;
                        case RecurrentCell.Gru:
                            double rg = Sig(a[t, j] + r[t, j]), zg = Sig(a[t, H + j] + r[t, H + j]);
                            double pre = a[t, 2 * H + j] + rg * r[t, 2 * H + j];
                            double ng = s.Relu ? Math.Max(pre, 0) : Math.Tanh(pre);
                            act[t, j] = rg; act[t, H + j] = zg; act[t, 2 * H + j] = ng;
                            h[t + 1, j] = (1 - zg) * ng + zg * h[t, j];
                            break;
                        default:
                            double p = a[t, j] + r[t, j];
                            h[t + 1, j] = s.Relu ? Math.Max(p, 0) : Math.Tanh(p);
                            break;
                    }
                    hidden[(n * L + t) * H + j] = h[t + 1, j];
                }
            }
            var dh = new double[H];
            var dc = new double[H];
            for (int t = L - 1; t >= 0; t--)
            {
                var da = new double[G]; // gradient of a (input side)
                var dr = new double[G]; // gradient of r (recurrent side)
                var dhPrev = new double[H];
                for (int j = 0; j < H; j++)
                {
                    double d = dHidden[(n * L + t) * H + j] + dh[j];
                    switch (s.Cell)
                    {
                        case RecurrentCell.Lstm:
                            double ig = act[t, j], fg = act[t, H + j], gg = act[t, 2 * H + j], og = act[t, 3 * H + j];
                            double tc = Math.Tanh(c[t + 1, j]);
                            double dcv = dc[j] + d * og * (1 - tc * tc);
                            da[j] = dcv * gg * ig * (1 - ig);
                            da[H + j] = dcv * c[t, j] * fg * (1 - fg);
                            da[2 * H + j] = dcv * ig * (1 - gg * gg);
                            da[3 * H + j] = d * tc * og * (1 - og);
                            dc[j] = dcv * fg;
                            for (int k = 0; k < 4; k++) dr[k * H + j] = da[k * H + j];
                            break;
                        case RecurrentCell.Gru:
                            double rg = act[t, j], zg = act[t, H + j], ng = act[t, 2 * H + j];
                            double dn = d * (1 - zg);
                            double dpre = s.Relu ? (ng > 0 ? dn : 0) : dn * (1 - ng * ng);
                            da[j] = dpre * r[t, 2 * H + j] * rg * (1 - rg);
                            da[H + j] = d * (h[t, j] - ng) * zg * (1 - zg);
                            da[2 * H + j] = dpre;
                            dr[j] = da[j];
                            dr[H + j] = da[H + j];
                            dr[2 * H + j] = dpre * rg;
                            dhPrev[j] += d * zg;
                            break;
                        default:
                            double hv = h[t + 1, j];
                            da[j] = s.Relu ? (hv > 0 ? d : 0) : d * (1 - hv * hv);
                            dr[j] = da[j];
                            break;
                    }
                }
                for (int k = 0; k < G; k++)
                {
                    dB[k] += da[k];
                    dBR[k] += dr[k];
                    for (int i = 0; i < I; i++)
                    {
                        dW[i * G + k] += x[(n * L + t) * I + i] * da[k];
                        dX[(n * L + t) * I + i] += w[i * G + k] * da[k];
                    }
                    for (int j = 0; j < H; j++)
                    {
                        dU[j * G + k] += h[t, j] * dr[k];
                        dhPrev[j] += u[j * G + k] * dr[k];
                    }
                }
                dh = dhPrev;
            }
        }
        return new Result(hidden, dW, dU, dB, dBR, dX);
    }
}
