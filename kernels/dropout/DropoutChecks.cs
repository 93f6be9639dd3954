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
            var (rmask, ry) = DropoutReference.Forward(rate, 0x1234_5678_9ABCUL, 7, x);
            // Same seed, same mask on every backend: bit-exact.
            yield return KernelChecks.Compare("dropout", c, "mask", mask.ToArray(), rmask);
            yield return KernelChecks.Compare("dropout", c, "y", y.ToArray(), ry, 1e-7, 1e-6);
            var kept = rmask.Count(v => v != 0) / (double)n;
            if (n >= 4096)
                yield return new CheckResult("dropout", c, "keep", n, Math.Abs(kept - (1 - rate)), 0, Math.Abs(kept - (1 - rate)) < 0.03, $"kept {kept:F3}, expected {1 - rate:F3}");
        }
        // A shard starting anywhere in the stream (a data-parallel rank's rows) draws the slice of the whole mask.
        foreach (var (first, n) in new[] { (1L, 7), (2L, 1001), (3L, 4096), (4L, 333), (12_345L, 70001) })
        {
            string c = $"first={first} n={n}";
            var x = KernelChecks.RandomFloats(rng, n);
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(n);
            using var mask = acc.Allocate<float>(n);
            Dropout.Forward(0.5f, 0xFEED_BEEFUL, 3, dx, y, mask, n, first);
            var (rmask, ry) = DropoutReference.Forward(0.5f, 0xFEED_BEEFUL, 3, x, first);
            yield return KernelChecks.Compare("dropout", c, "mask", mask.ToArray(), rmask);
            yield return KernelChecks.Compare("dropout", c, "y", y.ToArray(), ry, 1e-7, 1e-6);
            var whole = DropoutReference.Forward(0.5f, 0xFEED_BEEFUL, 3, new float[first + n]).Mask;
            bool slice = whole.AsSpan((int)first).SequenceEqual(rmask);
            yield return new CheckResult("dropout", c, "slice of whole", n, slice ? 0 : 1, 0, slice, "shard mask equals the whole batch's mask at its rows");
        }
        // Known-answer test of both generators (Random123 kat_vectors: philox4x32_10, counter and key all ones).
        uint[] expected = [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd];
        var reference = DropoutReference.Philox(uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue);
        var (a0, a1, a2, a3) = DropoutCpu.Philox(uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue);
        foreach (var (name, bits) in new[] { ("reference", reference), ("managed", new[] { a0, a1, a2, a3 }) })
        {
            bool ok = bits.SequenceEqual(expected);
            yield return new CheckResult("dropout", $"philox4x32-10 KAT {name}", "bits", 4, ok ? 0 : 1, 0, ok, string.Join(" ", bits.Select(b => b.ToString("x8"))));
        }
    }
}
