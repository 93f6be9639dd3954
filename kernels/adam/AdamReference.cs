namespace EcgGpu.Kernels;

public static class AdamReference
{
    /// <summary>Parameters after each of the given gradient steps (torch.optim.Adam semantics, double).</summary>
    public static IEnumerable<double[]> Steps(double[] p0, IEnumerable<double[]> grads, AdamSettings s)
    {
        var p = (double[])p0.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        int t = 0;
        foreach (var g0 in grads)
        {
            t++;
            for (int i = 0; i < p.Length; i++)
            {
                double g = g0[i];
                if (s.WeightDecay != 0 && !s.Decoupled) g += s.WeightDecay * p[i];
                m[i] = s.Beta1 * m[i] + (1 - s.Beta1) * g;
                v[i] = s.Beta2 * v[i] + (1 - s.Beta2) * g * g;
                if (s.WeightDecay != 0 && s.Decoupled) p[i] -= s.LearningRate * s.WeightDecay * p[i];
                double mh = m[i] / (1 - Math.Pow(s.Beta1, t)), vh = v[i] / (1 - Math.Pow(s.Beta2, t));
                p[i] -= s.LearningRate * mh / (Math.Sqrt(vh) + s.Epsilon);
            }
            yield return (double[])p.Clone();
        }
    }
}
