using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The softmax kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class SoftmaxChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        foreach (var (rows, cols) in new[] { (1, 1), (6, 5), (64, 5), (33, 187), (3, 600) })
        {
            string c = $"{rows}x{cols}";
            var x = KernelChecks.RandomFloats(rng, rows * cols, 6);
            var dyh = KernelChecks.RandomFloats(rng, rows * cols);
            var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(cols)).ToArray();
            var weights = KernelChecks.RandomFloats(rng, cols).Select(v => 0.5f + Math.Abs(v)).ToArray();
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(rows * cols);
            using var dy = acc.Upload<float>(dyh);
            using var gx = acc.Allocate<float>(rows * cols);
            Softmax.Forward(rows, cols, dx, y);
            Softmax.Backward(rows, cols, y, dy, gx);
            var ry = SoftmaxReference.Rows(rows, cols, x);
            yield return KernelChecks.Compare("softmax", c, "y", y.ToArray(), ry, 1e-6, 1e-4);
            yield return KernelChecks.Compare("softmax", c, "dx", gx.ToArray(), SoftmaxReference.RowsBackward(rows, cols, ry, dyh), 1e-6, 1e-4);
            using var dl = acc.Upload<int>(labels);
            using var dwts = acc.Upload<float>(weights);
            using var loss = acc.Allocate<float>(rows);
            using var grad = acc.Allocate<float>(rows * cols);
            foreach (var weighted in new[] { false, true })
            {
                Softmax.CrossEntropy(rows, cols, dx, dl, weighted ? dwts : null, loss, grad);
                var (rl, rg) = SoftmaxReference.CrossEntropy(rows, cols, x, labels, weighted ? weights : null);
                string o = weighted ? "xent w" : "xent";
                yield return KernelChecks.Compare("softmax", c, o + " loss", loss.ToArray(), rl, 1e-5, 1e-4);
                yield return KernelChecks.Compare("softmax", c, o + " grad", grad.ToArray(), rg, 1e-7, 1e-4);
            }
        }
        // More rows than a grid's Y or Z may hold (65,535): rows must run along X or in a grid-stride loop.
        // Few classes keep the work small.
        {
            const int rows = 65_600, classes = 3;
            string c = $"{rows}x{classes}";
            var z = KernelChecks.RandomFloats(rng, rows * classes, 6);
            var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
            var weights = new[] { 0.7f, 1.3f, 2f };
            using var dz = acc.Upload<float>(z);
            using var dl = acc.Upload<int>(labels);
            using var dwts = acc.Upload<float>(weights);
            using var loss = acc.Allocate<float>(rows);
            using var grad = acc.Allocate<float>(rows * classes);
            Softmax.CrossEntropy(rows, classes, dz, dl, dwts, loss, grad);
            var (rl, rg) = SoftmaxReference.CrossEntropy(rows, classes, z, labels, weights);
            yield return KernelChecks.Compare("softmax", c, "xent w loss", loss.ToArray(), rl, 1e-5, 1e-4);
            yield return KernelChecks.Compare("softmax", c, "xent w grad", grad.ToArray(), rg, 1e-7, 1e-4);
        }
    }
}
