using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The batchnorm kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class BatchNormChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        // (N, C, S): dense features (S = 1), convolution outputs, a single channel, and a batch of one.
        foreach (var (n, c, s) in new[] { (1, 1, 1), (64, 32, 1), (7, 5, 19), (16, 3, 187), (1, 4, 33) })
        {
            string name = $"{n}x{c}x{s}";
            const float eps = 1e-3f;
            var x = KernelChecks.RandomFloats(rng, n * c * s).Select(v => 2f * v + 0.5f).ToArray();
            var gamma = KernelChecks.RandomFloats(rng, c);
            var beta = KernelChecks.RandomFloats(rng, c);
            var dyh = KernelChecks.RandomFloats(rng, n * c * s);
            using var dx = acc.Upload<float>(x);
            using var dg = acc.Upload<float>(gamma);
            using var dbeta = acc.Upload<float>(beta);
            using var dy = acc.Upload<float>(dyh);
            using var mean = acc.Allocate<float>(c);
            using var variance = acc.Allocate<float>(c);
            using var y = acc.Allocate<float>(n * c * s);
            using var gx = acc.Allocate<float>(n * c * s);
            using var ggamma = acc.Allocate<float>(c);
            using var gbeta = acc.Allocate<float>(c);
            BatchNorm.Statistics(n, c, s, dx, mean, variance);
            BatchNorm.Forward(n, c, s, eps, dx, mean, variance, dg, dbeta, y);
            BatchNorm.Backward(n, c, s, eps, dx, dy, mean, variance, dg, gx, ggamma, gbeta);
            var r = BatchNormReference.Run(n, c, s, eps, x, gamma, beta, dyh);
            yield return KernelChecks.Compare("batchnorm", name, "mean", mean.ToArray(), r.Mean, 1e-5, 1e-4);
            yield return KernelChecks.Compare("batchnorm", name, "var", variance.ToArray(), r.Var, 1e-5, 1e-4);
            yield return KernelChecks.Compare("batchnorm", name, "y", y.ToArray(), r.Y, 1e-4, 1e-3);
            yield return KernelChecks.Compare("batchnorm", name, "dx", gx.ToArray(), r.Dx, 1e-4, 1e-3);
            yield return KernelChecks.Compare("batchnorm", name, "dgamma", ggamma.ToArray(), r.Dgamma, 1e-4, 1e-4);
            yield return KernelChecks.Compare("batchnorm", name, "dbeta", gbeta.ToArray(), r.Dbeta, 1e-4, 1e-4);
            // Fixed (moving) statistics, as in inference: dx = gamma·dy/sqrt(var + eps), no gradient through them.
            BatchNorm.Backward(n, c, s, eps, dx, dy, mean, variance, dg, gx, ggamma, gbeta, batchStatistics: false);
            var fixedDx = new double[n * c * s];
            for (int i = 0; i < fixedDx.Length; i++) { int ch = i / s % c; fixedDx[i] = gamma[ch] / Math.Sqrt(r.Var[ch] + eps) * dyh[i]; }
            yield return KernelChecks.Compare("batchnorm", name, "dx fixed", gx.ToArray(), fixedDx, 1e-4, 1e-3);
        }
    }
}
