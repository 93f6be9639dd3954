using EcgGpu.Runtime;
using EcgGpu.Runtime.Ilgpu;

namespace EcgGpu.Kernels;

/// <summary>
/// What the three cells' checks share (<see cref="LstmChecks"/>, <see cref="GruChecks"/>, <see cref="SimpleRnnChecks"/>): a layer run
/// against <see cref="RecurrentReference"/>, the last-state helpers, and the case and inputs the finite-difference and fixture tests use.
/// </summary>
public static class RecurrentChecks
{
    /// <summary>Each shape (with or without the recurrent bias) forward and backward against <see cref="RecurrentReference"/>.</summary>
    public static IEnumerable<CheckResult> Cases(Accelerator acc, Random rng, string family, IEnumerable<(RecurrentShape Shape, bool RecurrentBias)> shapes)
    {
        foreach (var (s, withBiasR) in shapes)
        {
            // On a device, which rows-per-group kernel ran (R), so that the checks show each was exercised.
            string rows = acc is IlgpuAccelerator device ? $" R{Recurrent.RowsPerGroup(device, s)}" : "";
            string c = $"N{s.N} L{s.L} I{s.I} H{s.H}{(s.Relu ? " relu" : "")}{(withBiasR ? "" : " no-rbias")}{rows}";
            var (x, w, u, b, br, dh) = RecurrentInputs(rng, s);
            using var run = new RecurrentCase(acc, s, x, w, u, b, withBiasR ? br : null, dh);
            run.ForwardBackward();
            var (gw, gu, gb, gbr, gx) = (run.GradW, run.GradU, run.GradBias, run.GradRecurrentBias, run.GradInput);
            var state = run.State;
            var r = RecurrentReference.Run(s, x, w, u, b, withBiasR ? br : null, dh);
            double tol = 2e-5 * Math.Sqrt(s.L * (s.I + s.H));
            yield return KernelChecks.Compare(family, c, "h", state.Hidden.ToArray(), r.Hidden, tol, 1e-3);
            yield return KernelChecks.Compare(family, c, "dW", gw.ToArray(), r.DW, tol * Math.Sqrt(s.N * s.L), 1e-3);
            yield return KernelChecks.Compare(family, c, "dU", gu.ToArray(), r.DU, tol * Math.Sqrt(s.N * s.L), 1e-3);
            yield return KernelChecks.Compare(family, c, "db", gb.ToArray(), r.DBias, tol * Math.Sqrt(s.N * s.L), 1e-3);
            if (gbr is not null) yield return KernelChecks.Compare(family, c, "dc", gbr.ToArray(), r.DRecurrentBias, tol * Math.Sqrt(s.N * s.L), 1e-3);
            yield return KernelChecks.Compare(family, c, "dx", gx.ToArray(), r.DX, tol, 1e-3);
        }
    }

    /// <summary>Returning only the last state: take it, and spread its gradient back to (N, L, H).</summary>
    public static IEnumerable<CheckResult> LastState(Accelerator acc, Random rng, string family)
    {
        foreach (var sl in new[] { (N: 3, L: 5, H: 4), (N: 2, L: 1, H: 3) })
        {
            long full = (long)sl.N * sl.L * sl.H;
            var hs = KernelChecks.RandomFloats(rng, full);
            var dl = KernelChecks.RandomFloats(rng, sl.N * sl.H);
            using var hbuf = acc.Upload<float>(hs);
            using var last = acc.Allocate<float>(sl.N * sl.H);
            using var dlast = acc.Upload<float>(dl);
            using var dfull = acc.Upload<float>(KernelChecks.RandomFloats(rng, full)); // SpreadLast must overwrite all of it
            Recurrent.TakeLast(sl.N, sl.L, sl.H, hbuf, last);
            Recurrent.SpreadLast(sl.N, sl.L, sl.H, dlast, dfull);
            var expectLast = new float[sl.N * sl.H];
            var expectFull = new float[full];
            for (int n = 0; n < sl.N; n++)
                for (int j = 0; j < sl.H; j++)
                {
                    expectLast[n * sl.H + j] = hs[(n * sl.L + sl.L - 1) * sl.H + j];
                    expectFull[(n * sl.L + sl.L - 1) * sl.H + j] = dl[n * sl.H + j];
                }
            string c = $"last state N{sl.N} L{sl.L} H{sl.H}";
            yield return KernelChecks.Compare(family, c, "take", last.ToArray(), expectLast);
            yield return KernelChecks.Compare(family, c, "spread", dfull.ToArray(), expectFull);
        }
    }

    /// <summary>
    /// One recurrent layer on an accelerator: the host inputs uploaded, its state and gradient buffers,
    /// forward and backward. Shared by the reference checks, the finite-difference and the fixture tests.
    /// </summary>
    public sealed class RecurrentCase : IDisposable
    {
        public RecurrentCase(Accelerator acc, RecurrentShape shape, float[] x, float[] w, float[] u, float[] bias, float[]? recurrentBias, float[] dHidden)
        {
            Shape = shape;
            Input = acc.Upload<float>(x);
            Weights = new RecurrentWeights(acc.Upload<float>(w), acc.Upload<float>(u), acc.Upload<float>(bias), recurrentBias is null ? null : acc.Upload<float>(recurrentBias));
            DHidden = acc.Upload<float>(dHidden);
            State = new RecurrentState(acc, shape);
            GradW = acc.Allocate<float>(w.Length);
            GradU = acc.Allocate<float>(u.Length);
            GradBias = acc.Allocate<float>(bias.Length);
            GradRecurrentBias = recurrentBias is null ? null : acc.Allocate<float>(recurrentBias.Length);
            GradInput = acc.Allocate<float>(x.Length);
        }

        public RecurrentShape Shape { get; }
        public DeviceBuffer<float> Input { get; }
        public RecurrentWeights Weights { get; }
        public DeviceBuffer<float> DHidden { get; }
        public RecurrentState State { get; }
        public DeviceBuffer<float> GradW { get; }
        public DeviceBuffer<float> GradU { get; }
        public DeviceBuffer<float> GradBias { get; }
        public DeviceBuffer<float>? GradRecurrentBias { get; }
        public DeviceBuffer<float> GradInput { get; }

        public void Forward() => Recurrent.Forward(Shape, Input, Weights, State);

        public void ForwardBackward()
        {
            Forward();
            Recurrent.Backward(Shape, Input, Weights, State, DHidden, new RecurrentGradients(GradW, GradU, GradBias, GradRecurrentBias, GradInput));
        }

        public void Dispose()
        {
            foreach (var b in new[] { Input, Weights.W, Weights.U, Weights.Bias, Weights.RecurrentBias, DHidden, GradW, GradU, GradBias, GradRecurrentBias, GradInput }) b?.Dispose();
            State.Dispose();
        }
    }

    /// <summary>Inputs of a recurrent check: x, W, U, b, c, dHidden with scales that keep the gates active.</summary>
    public static (float[] X, float[] W, float[] U, float[] B, float[] BR, float[] DHidden) RecurrentInputs(Random rng, RecurrentShape s)
    {
        float wScale = 1f / MathF.Sqrt(s.I + s.H);
        return (KernelChecks.RandomFloats(rng, s.InputLength), KernelChecks.RandomFloats(rng, (long)s.I * s.GateWidth, 2 * wScale),
            KernelChecks.RandomFloats(rng, (long)s.H * s.GateWidth, 2 * wScale), KernelChecks.RandomFloats(rng, s.GateWidth, 0.5f),
            KernelChecks.RandomFloats(rng, s.GateWidth, 0.5f), KernelChecks.RandomFloats(rng, s.HiddenLength));
    }
}
