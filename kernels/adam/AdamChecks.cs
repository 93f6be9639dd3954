using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The adam kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class AdamChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        foreach (var (n, settings) in new[]
        {
            (1, new AdamSettings()),
            (1000, new AdamSettings(LearningRate: 0.01f, Epsilon: 1e-8f)),
            (4097, new AdamSettings(WeightDecay: 0.01f)),
            (513, new AdamSettings(LearningRate: 0.005f, WeightDecay: 0.05f, Decoupled: true)),
            (40_003, new AdamSettings(LearningRate: 0.002f)),   // the CPU splits past 16,384 into parallel chunks
        })
        {
            string c = $"n={n} lr={settings.LearningRate} wd={settings.WeightDecay}{(settings.Decoupled ? " decoupled" : "")}";
            var p0 = KernelChecks.RandomFloats(rng, n);
            var grads = Enumerable.Range(0, 3).Select(_ => KernelChecks.RandomFloats(rng, n)).ToArray();
            using var p = acc.Upload<float>(p0);
            using var g = acc.Allocate<float>(n);
            using var m = acc.Allocate<float>(n);
            using var v = acc.Allocate<float>(n);
            m.Fill(0f);
            v.Fill(0f);
            var expected = AdamReference.Steps(p0.Select(x => (double)x).ToArray(), grads.Select(gr => gr.Select(x => (double)x).ToArray()), settings).ToArray();
            for (int t = 0; t < grads.Length; t++)
            {
                g.Upload(grads[t]);
                Adam.Step(p, g, m, v, settings, t + 1);
                yield return KernelChecks.Compare("adam", c, $"p step{t + 1}", p.ToArray(), expected[t], 1e-6, 1e-5);
            }
        }
    }
}
