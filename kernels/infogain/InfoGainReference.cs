namespace EcgGpu.Kernels;

public static class InfoGainReference
{
    /// <summary>Mutual information (nats) of each binned feature with the labels, from plain counting.</summary>
    public static double[] FromBinned(int rows, int features, int bins, int classes, int[] binned, int[] labels)
    {
        var gains = new double[features];
        for (int f = 0; f < features; f++)
        {
            var h = new long[bins * classes];
            for (int r = 0; r < rows; r++) h[binned[r * features + f] * classes + labels[r]]++;
            // Σ p(x,y) log(p(x,y) / (p(x) p(y))): a different formula from the kernels' H(Y) − H(Y|X).
            var px = new double[bins];
            var py = new double[classes];
            for (int b = 0; b < bins; b++)
                for (int y = 0; y < classes; y++) { px[b] += h[b * classes + y]; py[y] += h[b * classes + y]; }
            double mi = 0;
            for (int b = 0; b < bins; b++)
                for (int y = 0; y < classes; y++)
                {
                    double pxy = h[b * classes + y] / (double)rows;
                    if (pxy > 0) mi += pxy * Math.Log(pxy / (px[b] / rows * (py[y] / rows)));
                }
            gains[f] = Math.Max(0, mi);
        }
        return gains;
    }
}
