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
            yield return KernelChecks.Compare("reduce", c, "sum", [Reduce.SumToHost(dx)], [x.Sum(v => (double)v)], 1e-6 * Math.Sqrt(n) * 4, 1e-5);
            yield return KernelChecks.Compare("reduce", c, "max", [Reduce.MaxToHost(dx)], [(double)x.Max()]);
            using var sq = acc.Allocate<float>(1);
            Reduce.SumOfSquares(dx, sq);
            yield return KernelChecks.Compare("reduce", c, "sumsq", sq.ToArray(), [x.Sum(v => (double)v * v)], 1e-6 * Math.Sqrt(n) * 4, 1e-5);
        }
        foreach (var (rows, cols) in new[] { (1, 1), (64, 5), (1000, 187) })
        {
            var x = KernelChecks.RandomFloats(rng, rows * cols);
            if (cols > 2) x[1] = x[2] = 5f; // a tie: the first index wins
            using var dx = acc.Upload<float>(x);
            using var idx = acc.Allocate<int>(rows);
            Reduce.ArgmaxRows(rows, cols, dx, idx);
            var expected = new float[rows];
            for (int r = 0; r < rows; r++)
            {
                int best = 0;
                for (int j = 1; j < cols; j++) if (x[r * cols + j] > x[r * cols + best]) best = j;
                expected[r] = best;
            }
            yield return KernelChecks.Compare("reduce", $"{rows}x{cols}", "argmax", idx.ToArray().Select(v => (float)v).ToArray(), expected);
        }
    }
}
