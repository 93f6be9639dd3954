using EcgGpu.Runtime;

namespace EcgGpu.Kernels.Gemm;

/// <summary>General matrix multiply C = α·op(A)·op(B) + β·C on any accelerator (row-major).</summary>
public static class Gemm
{
    internal const string Source = "gemm/gemm.cl";
    private const int Tile = 16;
    private static readonly Dictionary<string, string> Defines = new() { ["TS"] = Tile.ToString() };

    /// <summary>
    /// C (m × n) = α·op(A)·op(B) + β·C with op(A) m × k and op(B) k × n. Leading dimensions default to
    /// the packed row length of each stored matrix.
    /// </summary>
    public static void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        DeviceBuffer<float> a, DeviceBuffer<float> b, float beta, DeviceBuffer<float> c,
        int lda = -1, int ldb = -1, int ldc = -1)
    {
        var acc = Launch.Same(a, b, c);
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative GEMM shape {m}x{n}x{k}");
        if (lda < 0) lda = transA ? m : k;
        if (ldb < 0) ldb = transB ? k : n;
        if (ldc < 0) ldc = n;
        Launch.AtLeast(a, m == 0 || k == 0 ? 0 : (transA ? (long)(k - 1) * lda + m : (long)(m - 1) * lda + k), nameof(a));
        Launch.AtLeast(b, n == 0 || k == 0 ? 0 : (transB ? (long)(n - 1) * ldb + k : (long)(k - 1) * ldb + n), nameof(b));
        Launch.AtLeast(c, m == 0 || n == 0 ? 0 : (long)(m - 1) * ldc + n, nameof(c));
        if (m == 0 || n == 0) return;
        if (Launch.IsCpu(acc))
        {
            GemmCpu.Gemm(transA, transB, m, n, k, alpha, Launch.Span(a), lda, Launch.Span(b), ldb, beta, Launch.Span(c), ldc, Launch.Parallel(acc));
            return;
        }
        KernelSources.Kernel(acc, Source, "gemm_tiled", Defines)
            .Launch(new NDRange(n, m), new NDRange(Tile, Tile), m, n, k, alpha, a, lda, transA ? 1 : 0, b, ldb, transB ? 1 : 0, beta, c, ldc);
    }
}
