using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The pool kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class PoolChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        // Ties (values from {-1, 0, 1}, as after a ReLU) check that the first maximum of a window wins everywhere.
        foreach (var (rows, lin, k, s, ties) in new[] { (1, 1, 1, 1, false), (12, 19, 2, 2, false), (64, 185, 2, 2, false), (5, 50, 5, 2, false),
            (3, 17, 3, 1, false), (4, 40, 4, 3, false), (7, 60, 5, 2, true),
            // More rows than grid Y or Z can hold on an NVIDIA GPU (65,535), short so that the case stays cheap.
            (65_600, 2, 2, 1, true) })
        {
            string c = $"{rows}x{lin} k{k} s{s}{(ties ? " ties" : "")}";
            int lout = Pool.OutputLength(lin, k, s);
            var x = KernelChecks.RandomFloats(rng, rows * lin);
            if (ties) for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i]);
            var dyh = KernelChecks.RandomFloats(rng, rows * lout);
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(rows * lout);
            using var arg = acc.Allocate<int>(rows * lout);
            using var dy = acc.Upload<float>(dyh);
            using var gx = acc.Allocate<float>(rows * lin);
            Pool.MaxForward(rows, lin, k, s, dx, y, arg);
            Pool.MaxBackward(rows, lin, k, s, dy, arg, gx);
            var (ry, rdx) = PoolReference.Max(rows, lin, k, s, x, dyh);
            yield return KernelChecks.Compare("pool", c, "max y", y.ToArray(), ry);
            yield return KernelChecks.Compare("pool", c, "max dx", gx.ToArray(), rdx, 1e-6, 1e-6);
            using var gy = acc.Allocate<float>(rows);
            using var gdy = acc.Upload<float>(dyh.AsSpan(0, rows));
            Pool.GlobalAverageForward(rows, lin, dx, gy);
            Pool.GlobalAverageBackward(rows, lin, gdy, gx);
            var (gry, grdx) = PoolReference.GlobalAverage(rows, lin, x, dyh[..rows]);
            yield return KernelChecks.Compare("pool", c, "gap y", gy.ToArray(), gry, 1e-5, 1e-4);
            yield return KernelChecks.Compare("pool", c, "gap dx", gx.ToArray(), grdx, 1e-6, 1e-5);
        }
    }
}
