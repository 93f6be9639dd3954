using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The gemm kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class GemmChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        // (1, 192, 1000) and (3, 130, 400) take the CPU's few-rows path (one beat through a Dense layer), with a column tail.
        // (64, 64, 3000), (130, 70, 2048) and (1, 192, 1500) have few tiles and a long K: the device kernels split K
        // (GemmKernels.SplitKCount: 11, 8 and 5 ranges, the last ones short).
        var shapes = new (int M, int N, int K)[] { (1, 1, 1), (17, 33, 9), (64, 128, 187), (5, 7, 300), (100, 5, 64), (128, 130, 257), (1, 192, 1000), (3, 130, 400),
            (64, 64, 3000), (130, 70, 2048), (1, 192, 1500) };
        foreach (var (m, n, k) in shapes)
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var a = KernelChecks.RandomFloats(rng, m * k);
                var b = KernelChecks.RandomFloats(rng, k * n);
                var c0 = KernelChecks.RandomFloats(rng, m * n);
                using var da = acc.Upload<float>(a);
                using var db = acc.Upload<float>(b);
                using var dc = acc.Upload<float>(c0);
                float alpha = 0.75f, beta = m % 2 == 0 ? 0f : 0.5f;
                Gemm.Run(ta, tb, m, n, k, alpha, da, db, beta, dc);
                yield return KernelChecks.Compare("gemm", $"{m}x{n}x{k} {(ta ? "T" : "N")}{(tb ? "T" : "N")} b={beta}", "C", dc.ToArray(),
                    GemmReference.Gemm(ta, tb, m, n, k, alpha, a, b, beta, c0), 1e-5 * Math.Sqrt(k) * 4, 1e-4);
            }
    }
}
