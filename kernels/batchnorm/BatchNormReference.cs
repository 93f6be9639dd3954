namespace EcgGpu.Kernels;

/// <summary>Plain double-precision batch normalisation (training mode, batch statistics) with its gradients.</summary>
public static class BatchNormReference
{
    public static (double[] Y, double[] Dx, double[] Dgamma, double[] Dbeta, double[] Mean, double[] Var) Run(
        int n, int c, int s, double eps, float[] x, float[] gamma, float[] beta, float[] dy)
    {
        var y = new double[x.Length];
        var dx = new double[x.Length];
        var dg = new double[c];
        var db = new double[c];
        var means = new double[c];
        var vars = new double[c];
        double m = (double)n * s;
        for (int ch = 0; ch < c; ch++)
        {
            var idx = new List<int>();
            for (int b = 0; b < n; b++) for (int k = 0; k < s; k++) idx.Add((b * c + ch) * s + k);
            double mu = idx.Sum(i => (double)x[i]) / m;
            double var = idx.Sum(i => (x[i] - mu) * (x[i] - mu)) / m;
            double inv = 1 / Math.Sqrt(var + eps);
            means[ch] = mu;
            vars[ch] = var;
            foreach (var i in idx) y[i] = gamma[ch] * (x[i] - mu) * inv + beta[ch];
            dg[ch] = idx.Sum(i => dy[i] * (x[i] - mu) * inv);
            db[ch] = idx.Sum(i => (double)dy[i]);
            foreach (var i in idx) dx[i] = gamma[ch] * inv / m * (m * dy[i] - db[ch] - (x[i] - mu) * inv * dg[ch]);
        }
        return (y, dx, dg, db, means, vars);
    }
}
