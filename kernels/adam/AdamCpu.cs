namespace EcgGpu.Kernels.Adam;

/// <summary>CPU Adam step; the same arithmetic as the device kernel.</summary>
public static class AdamCpu
{
    public static void Step(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, AdamSettings s, int step)
    {
        var (bc1, bc2) = s.BiasCorrections(step);
        for (int i = 0; i < p.Length; i++)
        {
            float pi = p[i], gi = g[i];
            if (s.WeightDecay != 0f && !s.Decoupled) gi += s.WeightDecay * pi;
            float mi = s.Beta1 * m[i] + (1f - s.Beta1) * gi;
            float vi = s.Beta2 * v[i] + (1f - s.Beta2) * gi * gi;
            m[i] = mi;
            v[i] = vi;
            if (s.WeightDecay != 0f && s.Decoupled) pi -= s.LearningRate * s.WeightDecay * pi;
            p[i] = pi - s.LearningRate * (mi / bc1) / (MathF.Sqrt(vi / bc2) + s.Epsilon);
        }
    }
}
