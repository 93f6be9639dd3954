using System.Runtime.Intrinsics;

namespace EcgGpu.Kernels;

/// <summary>
/// CPU Adam step: the device kernel's arithmetic, eight lanes at a time and in parallel chunks. Every
/// operation is correctly rounded (no fused multiply-add), so lanes, tail and the scalar form agree bit for bit.
/// </summary>
public static class AdamCpu
{
    private const int Chunk = 1 << 14;

    public static void Step(float[] p, float[] g, float[] m, float[] v, int n, AdamSettings s, int step, ParallelOptions parallel)
    {
        if (n <= Chunk) { Range(p, g, m, v, 0, n, s, step); return; }
        Parallel.For(0, (n + Chunk - 1) / Chunk, parallel, c => Range(p, g, m, v, c * Chunk, Math.Min(n, (c + 1) * Chunk), s, step));
    }

    private static void Range(float[] p, float[] g, float[] m, float[] v, int from, int to, AdamSettings s, int step)
    {
        var (bc1, bc2) = s.BiasCorrections(step);
        int i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            var b1 = Vector256.Create(s.Beta1); var c1 = Vector256.Create(1f - s.Beta1);
            var b2 = Vector256.Create(s.Beta2); var c2 = Vector256.Create(1f - s.Beta2);
            var vbc1 = Vector256.Create(bc1); var vbc2 = Vector256.Create(bc2);
            var lr = Vector256.Create(s.LearningRate); var eps = Vector256.Create(s.Epsilon);
            var wd = Vector256.Create(s.WeightDecay); var lrwd = Vector256.Create(s.LearningRate * s.WeightDecay);
            bool coupled = s.WeightDecay != 0f && !s.Decoupled, decoupled = s.WeightDecay != 0f && s.Decoupled;
            for (; i + 8 <= to; i += 8)
            {
                var pi = Vector256.Create(p.AsSpan(i, 8));
                var gi = Vector256.Create(g.AsSpan(i, 8));
                if (coupled) gi += wd * pi;
                var mi = b1 * Vector256.Create(m.AsSpan(i, 8)) + c1 * gi;
                var vi = b2 * Vector256.Create(v.AsSpan(i, 8)) + c2 * gi * gi;
                mi.CopyTo(m.AsSpan(i, 8));
                vi.CopyTo(v.AsSpan(i, 8));
                if (decoupled) pi -= lrwd * pi;
                (pi - lr * (mi / vbc1) / (Vector256.Sqrt(vi / vbc2) + eps)).CopyTo(p.AsSpan(i, 8));
            }
        }
        for (; i < to; i++) Scalar(ref p[i], g[i], ref m[i], ref v[i], s, bc1, bc2);
    }

    private static void Scalar(ref float p, float g, ref float m, ref float v, AdamSettings s, float bc1, float bc2)
    {
        float pi = p, gi = g;
        if (s.WeightDecay != 0f && !s.Decoupled) gi += s.WeightDecay * pi;
        float mi = s.Beta1 * m + (1f - s.Beta1) * gi;
        float vi = s.Beta2 * v + (1f - s.Beta2) * gi * gi;
        m = mi;
        v = vi;
        if (s.WeightDecay != 0f && s.Decoupled) pi -= s.LearningRate * s.WeightDecay * pi;
        p = pi - s.LearningRate * (mi / bc1) / (MathF.Sqrt(vi / bc2) + s.Epsilon);
    }
}
