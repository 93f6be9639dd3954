using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The dropout kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class DropoutChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        foreach (var (n, rate) in new[] { (1, 0.5f), (1001, 0.5f), (4096, 0.3f), (12345, 0.1f), (70001, 0.5f) })
        {
            string c = $"n={n} p={rate}";
            var x = KernelChecks.RandomFloats(rng, n);
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(n);
            using var mask = acc.Allocate<float>(n);
            Dropout.Forward(rate, 0x1234_5678_9ABCUL, 7, dx, y, mask);
            // Reference: element i takes word i mod 4 of Philox block i / 4, one scalar block at a time.
            var ry = new float[n];
            var rmask = new float[n];
            for (int i = 0; i < n; i++)
            {
                var (b0, b1, b2, b3) = DropoutCpu.Philox((uint)(i / 4), 0, 7, 0, 0x5678_9ABCu, 0x1234u);
                uint bits = (i % 4) switch { 0 => b0, 1 => b1, 2 => b2, _ => b3 };
                rmask[i] = (bits >> 8) * (1f / 16777216f) >= rate ? 1f / (1f - rate) : 0f;
                ry[i] = x[i] * rmask[i];
            }
            // Same seed, same mask on every backend: bit-exact.
            yield return KernelChecks.Compare("dropout", c, "mask", mask.ToArray(), rmask);
            yield return KernelChecks.Compare("dropout", c, "y", y.ToArray(), ry, 1e-7, 1e-6);
            var kept = rmask.Count(v => v != 0) / (double)n;
            if (n >= 4096)
                yield return new CheckResult("dropout", c, "keep", n, Math.Abs(kept - (1 - rate)), 0, Math.Abs(kept - (1 - rate)) < 0.03, $"kept {kept:F3}, expected {1 - rate:F3}");
        }
        // Known-answer test of the generator (Random123 kat_vectors: philox4x32_10, counter and key all ones).
        var (a0, a1, a2, a3) = DropoutCpu.Philox(uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue);
        uint[] expected = [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd];
        bool ok = a0 == expected[0] && a1 == expected[1] && a2 == expected[2] && a3 == expected[3];
        yield return new CheckResult("dropout", "philox4x32-10 KAT", "bits", 4, ok ? 0 : 1, 0, ok, $"{a0:x8} {a1:x8} {a2:x8} {a3:x8}");
    }
}
