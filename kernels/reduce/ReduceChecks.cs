using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The reduce kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class ReduceChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        foreach (int n in new[] { 1, 255, 257, 70000, 1_000_003 })
        {
            string c = $"n={n}";
            var x = KernelChecks.RandomFloats(rng, n);
            using var dx = acc.Upload<float>(x);
            yield return KernelChecks.Compare("reduce", c, "sum", [Reduce.SumToHost(dx)], [ReduceReference.Sum(x)], 1e-6 * Math.Sqrt(n) * 4, 1e-5);
            yield return KernelChecks.Compare("reduce", c, "max", [Reduce.MaxToHost(dx)], [ReduceReference.Max(x)]);
            using var sq = acc.Allocate<float>(1);
            Reduce.SumOfSquares(dx, sq);
            yield return KernelChecks.Compare("reduce", c, "sumsq", sq.ToArray(), [ReduceReference.SumOfSquares(x)], 1e-6 * Math.Sqrt(n) * 4, 1e-5);
        }
        // 65,600 rows: past the 65,535 a grid's Y or Z may hold.
        foreach (var (rows, cols) in new[] { (1, 1), (64, 5), (1000, 187), (65_600, 2) })
        {
            var x = KernelChecks.RandomFloats(rng, rows * cols);
            if (cols > 2) x[1] = x[2] = 5f; // a tie: the first index wins
            if (rows > 2 && cols > 1) x[cols + 1] = float.NaN; // NaN never wins (it is not x[0])
            using var dx = acc.Upload<float>(x);
            using var idx = acc.Allocate<int>(rows);
            Reduce.ArgmaxRows(rows, cols, dx, idx);
            var expected = ReduceReference.ArgmaxRows(rows, cols, x).Select(v => (float)v).ToArray();
            yield return KernelChecks.Compare("reduce", $"{rows}x{cols}", "argmax", idx.ToArray().Select(v => (float)v).ToArray(), expected);
        }
        foreach (int n in new[] { 1, 300, 5000 })
        {
            var a = Enumerable.Range(0, n).Select(_ => rng.Next(5)).ToArray();
            var b = Enumerable.Range(0, n).Select(_ => rng.Next(5)).ToArray();
            using var da = acc.Upload<int>(a);
            using var db = acc.Upload<int>(b);
            using var total = acc.Upload<float>([2f]);
            Reduce.AccumulateEqual(n, da, db, total);
            yield return KernelChecks.Compare("reduce", $"n={n}", "equal", total.ToArray(), [2.0 + ReduceReference.CountEqual(n, a, b)]);
        }
    }
}
