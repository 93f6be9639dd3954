namespace EcgGpu.Kernels;

public static class GemmReference
{
    /// <summary>C = α·op(A)·op(B) + β·C0 with packed row-major operands, accumulated in double.</summary>
    public static double[] Gemm(bool transA, bool transB, int m, int n, int k, double alpha, float[] a, float[] b, double beta, float[] c0)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++)
                    s += (double)(transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c0[i * n + j]);
            }
        return c;
    }
}
