namespace EcgGpu.Kernels;

/// <summary>
/// Plain double-precision forward and backward-through-time for the three cells, one batch row at a
/// time, in the same Keras weight layout as the kernels: W (I, G·H), U (H, G·H), biases (G·H). The
/// projections and gradient sums are shared here; each cell's step is its own (<see cref="LstmReference"/>,
/// <see cref="GruReference"/>, <see cref="SimpleRnnReference"/>).
/// </summary>
public static class RecurrentReference
{
    public sealed record Result(double[] Hidden, double[] DW, double[] DU, double[] DBias, double[] DRecurrentBias, double[] DX);

    /// <summary>One batch row's sequence as a cell step reads and writes it.</summary>
    public sealed class Sequence(int l, int g, int h)
    {
        /// <summary>Input side x·W + b, per step.</summary>
        public double[,] A { get; } = new double[l, g];
        /// <summary>Recurrent side U h + c, per step.</summary>
        public double[,] R { get; } = new double[l, g];
        /// <summary>Activated gates, per step.</summary>
        public double[,] Act { get; } = new double[l, g];
        /// <summary>H[t + 1] = state after step t, H[0] = 0.</summary>
        public double[,] H { get; } = new double[l + 1, h];
        /// <summary>LSTM cell state, indexed like <see cref="H"/>.</summary>
        public double[,] C { get; } = new double[l + 1, h];
    }

    internal static double Sig(double x) => 1 / (1 + Math.Exp(-x));

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
            var q = new Sequence(L, G, H);
            for (int t = 0; t < L; t++)
            {
                for (int k = 0; k < G; k++)
                {
                    double sa = bias[k], sr = Br(k);
                    for (int i = 0; i < I; i++) sa += (double)x[(n * L + t) * I + i] * w[i * G + k];
                    for (int j = 0; j < H; j++) sr += q.H[t, j] * u[j * G + k];
                    q.A[t, k] = sa;
                    q.R[t, k] = sr;
                }
                switch (s.Cell)
                {
                    case RecurrentCell.Lstm: LstmReference.Step(s, q, t); break;
                    case RecurrentCell.Gru: GruReference.Step(s, q, t); break;
                    default: SimpleRnnReference.Step(s, q, t); break;
                }
                for (int j = 0; j < H; j++) hidden[(n * L + t) * H + j] = q.H[t + 1, j];
            }
            var dh = new double[H];
            var dc = new double[H];
            for (int t = L - 1; t >= 0; t--)
            {
                var d = new double[H];
                for (int j = 0; j < H; j++) d[j] = dHidden[(n * L + t) * H + j] + dh[j];
                var da = new double[G]; // gradient of a (input side)
                var dr = new double[G]; // gradient of r (recurrent side)
                var dhPrev = new double[H];
                switch (s.Cell)
                {
                    case RecurrentCell.Lstm: LstmReference.BackStep(s, q, t, d, dc, da, dr); break;
                    case RecurrentCell.Gru: GruReference.BackStep(s, q, t, d, da, dr, dhPrev); break;
                    default: SimpleRnnReference.BackStep(s, q, t, d, da, dr); break;
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
                        dU[j * G + k] += q.H[t, j] * dr[k];
                        dhPrev[j] += u[j * G + k] * dr[k];
                    }
                }
                dh = dhPrev;
            }
        }
        return new Result(hidden, dW, dU, dB, dBR, dX);
    }
}
