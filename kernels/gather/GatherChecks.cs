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
        // (rows, width, source stride and offset, destination stride and offset): a 187-sample beat and 5 RR features
        // joined and split, one column, and 70,000 rows past a grid's 65,535.
        foreach (var (count, width, ss, so, ds, dof) in new[] { (1, 1, 1, 0, 1, 0), (64, 187, 192, 0, 187, 0), (64, 5, 192, 187, 7, 2), (33, 120, 120, 0, 125, 0), (70_000, 3, 5, 1, 4, 1) })
        {
            string c = $"{count}x{width} from {so}/{ss} to {dof}/{ds}";
            var src = KernelChecks.RandomFloats(rng, count * ss);
            var before = KernelChecks.RandomFloats(rng, count * ds);
            using var dsrc = acc.Upload<float>(src);
            using var dst = acc.Upload<float>(before);
            Gather.Columns(count, width, dsrc, ss, so, dst, ds, dof);
            yield return KernelChecks.Compare("gather", c, "columns", dst.ToArray(), GatherReference.Columns(count, width, src, ss, so, before, ds, dof));
        }
    }
}
