namespace EcgGpu.Kernels;

/// <summary>Plain loops in double: the ground truth the reduce kernels are checked against.</summary>
public static class ReduceReference
{
    public static double Sum(float[] x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s;
    }

    public static double SumOfSquares(float[] x)
    {
        double s = 0;
        foreach (float v in x) s += (double)v * v;
        return s;
    }

    /// <summary>The largest value (−∞ for none, NaN if any is NaN, as the managed reduction).</summary>
    public static double Max(float[] x)
    {
        double m = double.NegativeInfinity;
        foreach (float v in x)
        {
            if (float.IsNaN(v)) return double.NaN;
            if (v > m) m = v;
        }
        return m;
    }

    /// <summary>Index of the first largest value per row (a serial loop with &gt;).</summary>
    public static int[] ArgmaxRows(int rows, int cols, float[] x)
    {
        var output = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int best = 0;
            for (int j = 1; j < cols; j++) if (x[(long)r * cols + j] > x[(long)r * cols + best]) best = j;
            output[r] = best;
        }
        return output;
    }

    /// <summary>Positions where a and b agree.</summary>
    public static int CountEqual(int n, int[] a, int[] b)
    {
        int count = 0;
        for (int i = 0; i < n; i++) if (a[i] == b[i]) count++;
        return count;
    }
}
