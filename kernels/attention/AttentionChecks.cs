using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>The attention kernels against their plain reference on several shapes (shared by the tests and <c>ecg verify</c>).</summary>
public static class AttentionChecks
{
    public static IEnumerable<CheckResult> Run(Accelerator acc, Random rng)
    {
        var cases = new (AttentionShape Shape, bool Scaled, bool Masked)[]
        {
            (new AttentionShape(1, 1, 1, 1), false, false),
            (new AttentionShape(3, 6, 6, 4), false, false),
            (new AttentionShape(2, 7, 9, 5), true, true),
            (new AttentionShape(2, 100, 100, 16), true, false),
            (new AttentionShape(2, 33, 70, 8), false, true),
            // A softmax row longer than any group (1,100 keys): each thread loops over its keys. No case has
            // more than 65,535 score rows: (2, 32,800, 4, 2) passes but takes minutes on ilgpu-cpu, whose
            // emulated barriers (~35,000 group-wide rounds, mostly in the GEMMs' K loops) dominate.
            (new AttentionShape(1, 2, 1_100, 4), true, true),
        };
        foreach (var (s, scaled, masked) in cases)
        {
            float scale = scaled ? 1f / MathF.Sqrt(s.D) : 1f;
            string c = $"N{s.N} Lq{s.Lq} Lk{s.Lk} D{s.D}{(scaled ? " scaled" : "")}{(masked ? " masked" : "")}";
            var q = KernelChecks.RandomFloats(rng, s.QueryLength);
            var v = KernelChecks.RandomFloats(rng, s.ValueLength);
            var dOut = KernelChecks.RandomFloats(rng, s.QueryLength);
            float[]? mask = masked ? Enumerable.Range(0, s.N * s.Lk).Select(i => i % s.Lk < s.Lk - 2 ? 1f : 0f).ToArray() : null;
            using var dq = acc.Upload<float>(q);
            using var dv = acc.Upload<float>(v);
            using var dm = mask is null ? null : acc.Upload<float>(mask);
            using var weights = acc.Allocate<float>(s.ScoreLength);
            using var output = acc.Allocate<float>(s.QueryLength);
            using var ddo = acc.Upload<float>(dOut);
            using var gq = acc.Allocate<float>(s.QueryLength);
            using var gv = acc.Allocate<float>(s.ValueLength);
            using var scratch = acc.Allocate<float>(s.ScoreLength);
            Attention.Forward(s, dq, dv, scale, dm, weights, output);
            Attention.Backward(s, dq, dv, scale, weights, ddo, gq, gv, scratch);
            var (ro, rq, rv) = AttentionReference.Run(s, q, v, scale, mask, dOut);
            double tol = 1e-5 * Math.Sqrt(s.D * s.Lk) * 4;
            yield return KernelChecks.Compare("attention", c, "y", output.ToArray(), ro, tol, 1e-4);
            yield return KernelChecks.Compare("attention", c, "dq", gq.ToArray(), rq, tol, 1e-3);
            yield return KernelChecks.Compare("attention", c, "dv", gv.ToArray(), rv, tol, 1e-3);
        }
    }
}
