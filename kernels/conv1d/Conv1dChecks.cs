using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The conv1d kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class Conv1dChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        var shapes = new[]
        {
            new Conv1dShape(1, 1, 1, 1, 1, Padding.Valid),
            new Conv1dShape(2, 1, 187, 8, 3, Padding.Valid),
            new Conv1dShape(3, 4, 50, 5, 5, Padding.Same),
            new Conv1dShape(2, 3, 19, 5, 4, Padding.Same),
            new Conv1dShape(2, 16, 93, 32, 3, Padding.Valid),
            // The CPU path tiles 4 × 24 (forward) and 4 × 3 channels (weight gradient): edges of both.
            new Conv1dShape(5, 32, 22, 32, 5, Padding.Same),
            new Conv1dShape(1, 7, 49, 6, 7, Padding.Valid),
            new Conv1dShape(3, 5, 10, 3, 5, Padding.Same),
        };
        foreach (var s in shapes)
        {
            string c = $"N{s.N} {s.Cin}->{s.Cout} L{s.Lin} K{s.K} {s.Padding.ToString().ToLowerInvariant()}";
            var x = KernelChecks.RandomFloats(rng, s.InputLength);
            var w = KernelChecks.RandomFloats(rng, s.WeightLength, 0.5f);
            var bias = KernelChecks.RandomFloats(rng, s.Cout);
            var dyh = KernelChecks.RandomFloats(rng, s.OutputLength);
            using var dx = acc.Upload<float>(x);
            using var dw = acc.Upload<float>(w);
            using var db = acc.Upload<float>(bias);
            using var y = acc.Allocate<float>(s.OutputLength);
            using var dy = acc.Upload<float>(dyh);
            using var gx = acc.Allocate<float>(s.InputLength);
            using var gw = acc.Allocate<float>(s.WeightLength);
            using var gb = acc.Allocate<float>(s.Cout);
            Conv1d.Forward(s, dx, dw, db, y);
            Conv1d.BackwardInput(s, dy, dw, gx);
            Conv1d.BackwardWeight(s, dx, dy, gw, gb);
            var (rx, rw, rb) = Conv1dReference.Backward(s, x, w, dyh);
            double tol = 1e-5 * Math.Sqrt(s.Cin * s.K * s.N * s.Lout) * 4;
            yield return KernelChecks.Compare("conv1d", c, "y", y.ToArray(), Conv1dReference.Forward(s, x, w, bias), tol, 1e-4);
            yield return KernelChecks.Compare("conv1d", c, "dx", gx.ToArray(), rx, tol, 1e-4);
            yield return KernelChecks.Compare("conv1d", c, "dw", gw.ToArray(), rw, tol, 1e-4);
            yield return KernelChecks.Compare("conv1d", c, "db", gb.ToArray(), rb, tol, 1e-4);
        }
    }
}
