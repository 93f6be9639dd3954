using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The elementwise kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class ElementwiseChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        foreach (int n in new[] { 1, 255, 1000, 4099 })
        {
            string c = $"n={n}";
            var a = KernelChecks.RandomFloats(rng, n, 3);
            var b = KernelChecks.RandomFloats(rng, n, 3);
            using var da = acc.Upload<float>(a);
            using var db = acc.Upload<float>(b);
            using var dc = acc.Allocate<float>(n);
            Elementwise.Add(da, db, dc);
            yield return KernelChecks.Compare("elementwise", c, "add", dc.ToArray(), a.Select((v, i) => (double)v + b[i]).ToArray());
            Elementwise.Multiply(da, db, dc);
            yield return KernelChecks.Compare("elementwise", c, "multiply", dc.ToArray(), a.Select((v, i) => (double)v * b[i]).ToArray());
            dc.Upload(b);
            Elementwise.Axpby(0.5f, da, -2f, dc);
            yield return KernelChecks.Compare("elementwise", c, "axpby", dc.ToArray(), a.Select((v, i) => 0.5 * v - 2.0 * b[i]).ToArray());
            Elementwise.Scale(1.5f, da, dc);
            yield return KernelChecks.Compare("elementwise", c, "scale", dc.ToArray(), a.Select(v => 1.5 * v).ToArray());
            foreach (var act in new[] { Activation.Relu, Activation.Tanh, Activation.Sigmoid })
            {
                using var y = acc.Allocate<float>(n);
                using var dx = acc.Allocate<float>(n);
                Elementwise.Forward(act, da, y);
                var yh = y.ToArray();
                yield return KernelChecks.Compare("elementwise", c, act.ToString().ToLowerInvariant(), yh, a.Select(v => ElementwiseReference.Activate(act, v)).ToArray(), 1e-6, 1e-5);
                Elementwise.Backward(act, y, db, dx);
                yield return KernelChecks.Compare("elementwise", c, "d" + act.ToString().ToLowerInvariant(), dx.ToArray(), yh.Select((v, i) => b[i] * ElementwiseReference.Gradient(act, v)).ToArray(), 1e-6, 1e-5);
            }
        }
        foreach (var (outer, channels, inner) in new[] { (1, 1, 1), (7, 5, 1), (300, 70, 1), (3, 64, 187), (2, 300, 3) })
        {
            string c = $"bias {outer}x{channels}x{inner}";
            var x = KernelChecks.RandomFloats(rng, outer * channels * inner);
            var bias = KernelChecks.RandomFloats(rng, channels);
            using var dx = acc.Upload<float>(x);
            using var dbias = acc.Upload<float>(bias);
            using var grad = acc.Allocate<float>(channels);
            Elementwise.BiasAdd(dx, dbias, outer, channels, inner);
            yield return KernelChecks.Compare("elementwise", c, "biasadd", dx.ToArray(), x.Select((v, i) => (double)v + bias[i / inner % channels]).ToArray());
            Elementwise.BiasGrad(dx, grad, outer, channels, inner);
            var after = dx.ToArray();
            yield return KernelChecks.Compare("elementwise", c, "biasgrad", grad.ToArray(), ElementwiseReference.BiasGrad(outer, channels, inner, after), 1e-4 * Math.Sqrt(outer * inner), 1e-4);
        }
        foreach (var (n, a, b) in new[] { (1, 1, 1), (3, 5, 187), (2, 64, 7) })
        {
            var x = KernelChecks.RandomFloats(rng, n * a * b);
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(n * a * b);
            Elementwise.Transpose(n, a, b, dx, y);
            yield return KernelChecks.Compare("elementwise", $"transpose {n}x{a}x{b}", "y", y.ToArray(), ElementwiseReference.Transpose(n, a, b, x));
        }
        foreach (var (n, normSquared, clip) in new[] { (1, 9f, 1.5f), (300, 9f, 1.5f), (300, 1f, 1.5f) })
        {
            string c = $"clip {n} |g|={Math.Sqrt(normSquared)} clip={clip}";
            var g = KernelChecks.RandomFloats(rng, n);
            using var dg = acc.Upload<float>(g);
            using var dn = acc.Upload<float>([normSquared]);
            Elementwise.ClipByNorm(dn, clip, dg);
            double norm = Math.Sqrt(normSquared);
            yield return KernelChecks.Compare("elementwise", c, "g", dg.ToArray(), g.Select(v => norm > clip ? v * clip / norm : v).ToArray(), 1e-7, 1e-6);
        }
    }
}
