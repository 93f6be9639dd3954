using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The gather kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class GatherChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        foreach (var (rows, len, count) in new[] { (1, 1, 1), (100, 187, 64), (1000, 60, 257) })
        {
            string c = $"{count} of {rows}x{len}";
            var src = KernelChecks.RandomFloats(rng, rows * len);
            var labels = Enumerable.Range(0, rows).Select(i => i * 7 % 5).ToArray();
            var index = Enumerable.Range(0, count).Select(_ => rng.Next(rows)).ToArray();
            using var dsrc = acc.Upload<float>(src);
            using var dlab = acc.Upload<int>(labels);
            using var didx = acc.Upload<int>(index);
            using var dst = acc.Allocate<float>(count * len);
            using var dl = acc.Allocate<int>(count);
            Gather.Rows(count, len, dsrc, didx, dst);
            Gather.Ints(count, dlab, didx, dl);
            var expected = new float[count * len];
            for (int i = 0; i < count; i++) Array.Copy(src, index[i] * len, expected, i * len, len);
            yield return KernelChecks.Compare("gather", c, "rows", dst.ToArray(), expected);
            yield return KernelChecks.Compare("gather", c, "labels", dl.ToArray().Select(v => (float)v).ToArray(), index.Select(i => (float)labels[i]).ToArray());
        }
    }
}
