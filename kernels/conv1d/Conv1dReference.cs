namespace EcgGpu.Kernels;

public static class Conv1dReference
{
    public static double[] Forward(Conv1dShape s, float[] x, float[] w, float[]? bias)
    {
        var y = new double[s.OutputLength];
        for (int n = 0; n < s.N; n++)
            for (int co = 0; co < s.Cout; co++)
                for (int l = 0; l < s.Lout; l++)
                {
                    double acc = bias?[co] ?? 0;
                    for (int ci = 0; ci < s.Cin; ci++)
                        for (int k = 0; k < s.K; k++)
                        {
                            int src = l + k - s.Pad;
                            if (src >= 0 && src < s.Lin) acc += (double)w[(co * s.Cin + ci) * s.K + k] * x[(n * s.Cin + ci) * s.Lin + src];
                        }
                    y[(n * s.Cout + co) * s.Lout + l] = acc;
                }
        return y;
    }

    /// <summary>(dx, dw, db) of sum(y ⊙ dy), by scattering each output's gradient.</summary>
    public static (double[] Dx, double[] Dw, double[] Db) Backward(Conv1dShape s, float[] x, float[] w, float[] dy)
    {
        var dx = new double[s.InputLength];
        var dw = new double[s.WeightLength];
        var db = new double[s.Cout];
        for (int n = 0; n < s.N; n++)
            for (int co = 0; co < s.Cout; co++)
                for (int l = 0; l < s.Lout; l++)
                {
                    double g = dy[(n * s.Cout + co) * s.Lout + l];
                    db[co] += g;
                    for (int ci = 0; ci < s.Cin; ci++)
                        for (int k = 0; k < s.K; k++)
                        {
                            int src = l + k - s.Pad;
                            if (src < 0 || src >= s.Lin) continue;
                            dx[(n * s.Cin + ci) * s.Lin + src] += g * w[(co * s.Cin + ci) * s.K + k];
                            dw[(co * s.Cin + ci) * s.K + k] += g * x[(n * s.Cin + ci) * s.Lin + src];
                        }
                }
        return (dx, dw, db);
    }
}
