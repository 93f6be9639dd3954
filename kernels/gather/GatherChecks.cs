using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The gather kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class GatherChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        // (source rows, row length, batch rows, index offset); 65,600 batch rows: past the 65,535 a grid's Y or Z may hold.
        foreach (var (rows, len, count, offset) in new[] { (1, 1, 1, 0), (100, 187, 64, 0), (1000, 60, 257, 13), (500, 2, 65_600, 5) })
        {
            string c = $"{count} of {rows}x{len} at {offset}";
            var src = KernelChecks.RandomFloats(rng, rows * len);
            var labels = Enumerable.Range(0, rows).Select(i => i * 7 % 5).ToArray();
            var index = Enumerable.Range(0, offset + count).Select(_ => rng.Next(rows)).ToArray();
            using var dsrc = acc.Upload<float>(src);
            using var dlab = acc.Upload<int>(labels);
            using var didx = acc.Upload<int>(index);
            using var dst = acc.Allocate<float>(count * len);
            using var dl = acc.Allocate<int>(count);
            Gather.Rows(count, len, dsrc, didx, dst, offset);
            Gather.Ints(count, dlab, didx, dl, offset);
            yield return KernelChecks.Compare("gather", c, "rows", dst.ToArray(), GatherReference.Rows(count, len, src, index, offset));
            yield return KernelChecks.Compare("gather", c, "labels", dl.ToArray().Select(v => (float)v).ToArray(),
                GatherReference.Ints(count, labels, index, offset).Select(v => (float)v).ToArray());
        }
    }
}
