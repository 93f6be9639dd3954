using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The infogain kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class InfoGainChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        foreach (var (rows, features, bins, classes) in new[] { (1, 1, 1, 1), (100, 6, 4, 5), (5000, 187, 10, 5), (9000, 3, 32, 5) })
        {
            string c = $"{rows}x{features} bins{bins} classes{classes}";
            var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
            // Features that depend on the label to a varying degree, so the gains differ.
            var x = new float[rows * features];
            for (int r = 0; r < rows; r++)
                for (int f = 0; f < features; f++)
                    x[r * features + f] = (float)(labels[r] * (f % 4) * 0.3 + rng.NextDouble() * 2);
            var binnedRef = new int[rows * features];
            InfoGainCpu.Bin(rows, features, bins, x, binnedRef);
            using var dx = acc.Upload<float>(x);
            using var dl = acc.Upload<int>(labels);
            using var binned = acc.Allocate<int>(rows * features);
            using var gain = acc.Allocate<float>(features);
            InfoGain.Bin(rows, features, bins, dx, binned);
            yield return KernelChecks.Compare("infogain", c, "bins", binned.ToArray().Select(v => (float)v).ToArray(), binnedRef.Select(v => (float)v).ToArray());
            InfoGain.FromBinned(rows, features, bins, classes, binned, dl, gain);
            yield return KernelChecks.Compare("infogain", c, "gain", gain.ToArray(), InfoGainReference.FromBinned(rows, features, bins, classes, binnedRef, labels), 1e-5, 1e-4);
        }
    }
}
