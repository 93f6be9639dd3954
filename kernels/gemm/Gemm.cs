using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>General matrix multiply C = α·op(A)·op(B) + β·C on any accelerator (row-major).</summary>
public static class Gemm
{
    /// <summary>
    /// C (m × n) = α·op(A)·op(B) + β·C with op(A) m × k and op(B) k × n. Leading dimensions default to
    /// the packed row length of each stored matrix.
    /// </summary>
    public static void Run(bool transA, bool transB, int m, int n, int k, float alpha,
        DeviceBuffer<float> a, DeviceBuffer<float> b, float beta, DeviceBuffer<float> c,
        int lda = -1, int ldb = -1, int ldc = -1)
    {
        var acc = ArgumentChecks.Same(a, b, c);
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"negative GEMM shape {m}x{n}x{k}");
        if (lda < 0) lda = transA ? m : k;
        if (ldb < 0) ldb = transB ? k : n;
        if (ldc < 0) ldc = n;
        ArgumentChecks.AtLeast(a, m == 0 || k == 0 ? 0 : (transA ? (long)(k - 1) * lda + m : (long)(m - 1) * lda + k), nameof(a));
        ArgumentChecks.AtLeast(b, n == 0 || k == 0 ? 0 : (transB ? (long)(n - 1) * ldb + k : (long)(k - 1) * ldb + n), nameof(b));
        ArgumentChecks.AtLeast(c, m == 0 || n == 0 ? 0 : (long)(m - 1) * ldc + n, nameof(c));
        if (m == 0 || n == 0) return;
        if (Dispatch.IsCpu(acc))
        {
            GemmCpu.Gemm(transA, transB, m, n, k, alpha, BufferAccess.Span(a), lda, BufferAccess.Span(b), ldb, beta, BufferAccess.Span(c), ldc, Dispatch.Parallel(acc));
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<GemmKernels.Loaded>().Run(device, new GemmKernels.Shape
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc, TransA = transA ? 1 : 0, TransB = transB ? 1 : 0,
            Batch = 1, Alpha = alpha, Beta = beta,
        }, BufferAccess.View(a), BufferAccess.View(b), BufferAccess.View(c));
    }

    /// <summary>
    /// <paramref name="batch"/> independent products C_i = α·op(A_i)·op(B_i) + β·C_i with packed operands
    /// (op(A_i) m × k, op(B_i) k × n, C_i m × n) laid out one after another.
    /// </summary>
    public static void RunBatched(int batch, bool transA, bool transB, int m, int n, int k, float alpha,
        DeviceBuffer<float> a, DeviceBuffer<float> b, float beta, DeviceBuffer<float> c)
    {
        var acc = ArgumentChecks.Same(a, b, c);
        if (batch < 0 || m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(batch), $"negative batched GEMM shape {batch}: {m}x{n}x{k}");
        long sa = (long)m * k, sb = (long)k * n, sc = (long)m * n;
        ArgumentChecks.AtLeast(a, batch * sa, nameof(a));
        ArgumentChecks.AtLeast(b, batch * sb, nameof(b));
        ArgumentChecks.AtLeast(c, batch * sc, nameof(c));
        if (batch == 0 || m == 0 || n == 0) return;
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (Dispatch.IsCpu(acc))
        {
            var (fa, fb, fc) = (((Runtime.Cpu.CpuBuffer<float>)a).Array, ((Runtime.Cpu.CpuBuffer<float>)b).Array, ((Runtime.Cpu.CpuBuffer<float>)c).Array);
            var outer = Dispatch.Parallel(acc);
            // Many small products: one per task; few large ones: parallel inside each.
            if (batch >= Environment.ProcessorCount)
                Parallel.For(0, batch, outer, i => GemmCpu.Gemm(transA, transB, m, n, k, alpha, fa.AsSpan((int)(i * sa), (int)sa), lda,
                    fb.AsSpan((int)(i * sb), (int)sb), ldb, beta, fc.AsSpan((int)(i * sc), (int)sc), n, Serial));
            else
                for (int i = 0; i < batch; i++)
                    GemmCpu.Gemm(transA, transB, m, n, k, alpha, fa.AsSpan((int)(i * sa), (int)sa), lda,
                        fb.AsSpan((int)(i * sb), (int)sb), ldb, beta, fc.AsSpan((int)(i * sc), (int)sc), n, outer);
            return;
        }
        var device = Dispatch.Device(acc);
        device.Kernels<GemmKernels.Loaded>().Run(device, new GemmKernels.Shape
        {
            M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = n, TransA = transA ? 1 : 0, TransB = transB ? 1 : 0,
            Batch = batch, StrideA = sa, StrideB = sb, StrideC = sc, Alpha = alpha, Beta = beta,
        }, BufferAccess.View(a), BufferAccess.View(b), BufferAccess.View(c));
    }

    private static readonly ParallelOptions Serial = new() { MaxDegreeOfParallelism = 1 };
}
