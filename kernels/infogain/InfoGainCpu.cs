namespace EcgGpu.Kernels;

/// <summary>CPU information gain: the same bins and histogram as the device path, entropies in double.</summary>
public static class InfoGainCpu
{
    public static void Bin(int rows, int features, int bins, ReadOnlySpan<float> x, Span<int> binned)
    {
        var mins = new float[features];
        var maxs = new float[features];
        mins.AsSpan().Fill(float.PositiveInfinity);
        maxs.AsSpan().Fill(float.NegativeInfinity);
        for (int r = 0; r < rows; r++)
            for (int f = 0; f < features; f++)
            {
                float v = x[r * features + f];
                mins[f] = MathF.Min(mins[f], v);
                maxs[f] = MathF.Max(maxs[f], v);
            }
        for (int i = 0; i < rows * features; i++)
        {
            int f = i % features;
            float range = maxs[f] - mins[f];
            int b = range > 0f ? (int)((x[i] - mins[f]) / range * bins) : 0;
            binned[i] = Math.Clamp(b, 0, bins - 1);
        }
    }

    public static void Gain(int rows, int features, int bins, int classes, ReadOnlySpan<int> binned, ReadOnlySpan<int> labels, Span<float> gain, ParallelOptions parallel)
    {
        var b = binned.ToArray();
        var l = labels.ToArray();
        var g = new float[features];
        Parallel.For(0, features, parallel, f =>
        {
            var h = new long[bins * classes];
            for (int r = 0; r < rows; r++)
            {
                int y = l[r];
                if (y >= 0 && y < classes) h[b[r * features + f] * classes + y]++;
            }
            g[f] = (float)FromCounts(h, bins, classes);
        });
        g.CopyTo(gain);
    }

    /// <summary>H(Y) − H(Y | X) in nats from a (bins, classes) contingency table.</summary>
    public static double FromCounts(ReadOnlySpan<long> h, int bins, int classes)
    {
        double total = 0;
        foreach (var c in h) total += c;
        if (total <= 0) return 0;
        double hy = 0;
        for (int y = 0; y < classes; y++)
        {
            double ny = 0;
            for (int b = 0; b < bins; b++) ny += h[b * classes + y];
            if (ny > 0) hy -= ny / total * Math.Log(ny / total);
        }
        double hyx = 0;
        for (int b = 0; b < bins; b++)
        {
            double nb = 0;
            for (int y = 0; y < classes; y++) nb += h[b * classes + y];
            if (nb <= 0) continue;
            double hb = 0;
            for (int y = 0; y < classes; y++)
            {
                double n = h[b * classes + y];
                if (n > 0) hb -= n / nb * Math.Log(n / nb);
            }
            hyx += nb / total * hb;
        }
        return Math.Max(0, hy - hyx);
    }
}
