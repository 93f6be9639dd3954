using EcgGpu.Kernels;
using EcgGpu.Runtime;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Finite-difference checks of the analytic gradients: loss = Σ output ⊙ upstream, central differences
/// of the float32 forward pass (ε = 1e-2) against the backward pass, for every input and parameter.
/// </summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("opencl")]
public sealed class GradientCheckTests(string backend)
{
    private float Eps = 1e-2f;
    private Accelerator? _acc;

    [OneTimeSetUp]
    public void Open() => _acc = Backends.Open(backend);

    [OneTimeTearDown]
    public void Close() => _acc?.Dispose();

    private static double Dot(float[] a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }

    /// <summary>
    /// Perturbs each element of <paramref name="values"/> by ±ε and compares the slope with
    /// <paramref name="analytic"/>. <paramref name="forward"/> returns the loss and a signature of which
    /// relu outputs are zero: a point whose perturbation changes it straddles a kink, where a finite
    /// difference means nothing, and is skipped (at most half of them may be).
    /// </summary>
    private void Check(string name, float[] values, float[] analytic, Func<(double Loss, ulong Pattern)> forward, Action upload)
    {
        static double Tolerance(double fd) => 2e-3 + 2e-2 * Math.Abs(fd);
        upload();
        var basePattern = forward().Pattern;
        int kinks = 0;
        double worst = 0;
        for (int i = 0; i < values.Length; i++)
        {
            float keep = values[i];
            values[i] = keep + Eps; upload();
            var plus = forward();
            values[i] = keep - Eps; upload();
            var minus = forward();
            values[i] = keep; upload();
            if (plus.Pattern != basePattern || minus.Pattern != basePattern) { kinks++; continue; }
            double fd = (plus.Loss - minus.Loss) / (2 * Eps);
            double err = Math.Abs(fd - analytic[i]);
            worst = Math.Max(worst, err / Tolerance(fd));
            Assert.That(err, Is.LessThanOrEqualTo(Tolerance(fd)), $"{name}[{i}]: finite difference {fd:G6}, backward {analytic[i]:G6}");
        }
        Assert.That(kinks, Is.LessThanOrEqualTo(values.Length / 2), $"{name}: {kinks} of {values.Length} points straddle a relu kink");
        TestContext.Out.WriteLine($"{name}: {values.Length - kinks} elements checked ({kinks} straddling a relu kink skipped), worst error {worst:P0} of tolerance");
    }

    /// <summary>Which of the values are positive, folded into a hash.</summary>
    private static ulong PositivePattern(float[] values, int start = 0, int stride = 1, int width = int.MaxValue)
    {
        ulong hash = 1469598103934665603UL;
        for (int i = start; i < values.Length; i += stride)
            for (int j = i; j < Math.Min(i + Math.Min(width, stride), values.Length); j++)
                hash = (hash ^ (values[j] > 0 ? 1UL : 0UL)) * 1099511628211UL;
        return hash;
    }

    [TestCase(RecurrentCell.Lstm, false)]
    [TestCase(RecurrentCell.Gru, false)]
    [TestCase(RecurrentCell.Gru, true)]
    [TestCase(RecurrentCell.SimpleRnn, false)]
    [TestCase(RecurrentCell.SimpleRnn, true)]
    public void Recurrent_gradients_match_finite_differences(RecurrentCell cell, bool relu)
    {
        var acc = _acc!;
        Eps = 1e-2f;
        var s = new RecurrentShape(2, 4, 2, 3, cell, relu);
        var (x, w, u, b, br, dh) = RecurrentChecks.RecurrentInputs(new Random(7), s);
        using var run = new RecurrentChecks.RecurrentCase(acc, s, x, w, u, b, br, dh);
        run.ForwardBackward();
        var state = run.State;
        (double, ulong) Loss()
        {
            run.Forward();
            var hidden = state.Hidden.ToArray();
            // relu outputs: the GRU candidate (the third gate block of each row), the SimpleRNN state.
            ulong pattern = !relu ? 0 : cell == RecurrentCell.Gru
                ? PositivePattern(state.Gates.ToArray(), 2 * s.H, s.GateWidth, s.H)
                : PositivePattern(hidden);
            return (Dot(hidden, dh), pattern);
        }
        Check("x", x, run.GradInput.ToArray(), Loss, () => run.Input.Upload(x));
        Check("W", w, run.GradW.ToArray(), Loss, () => run.Weights.W.Upload(w));
        Check("U", u, run.GradU.ToArray(), Loss, () => run.Weights.U.Upload(u));
        Check("b", b, run.GradBias.ToArray(), Loss, () => run.Weights.Bias.Upload(b));
        Check("c", br, run.GradRecurrentBias!.ToArray(), Loss, () => run.Weights.RecurrentBias!.Upload(br));
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public void Attention_gradients_match_finite_differences(bool scaled, bool masked)
    {
        var acc = _acc!;
        Eps = 1e-2f;
        var s = new AttentionShape(2, 3, 4, 3);
        var rng = new Random(11);
        float scale = scaled ? 1f / MathF.Sqrt(s.D) : 1f;
        var q = KernelChecks.RandomFloats(rng, s.QueryLength);
        var v = KernelChecks.RandomFloats(rng, s.ValueLength);
        var dOut = KernelChecks.RandomFloats(rng, s.QueryLength);
        using var dq = acc.Upload<float>(q);
        using var dv = acc.Upload<float>(v);
        using var mask = masked ? acc.Upload<float>([1, 1, 1, 0, 1, 1, 0, 0]) : null;
        using var weights = acc.Allocate<float>(s.ScoreLength);
        using var output = acc.Allocate<float>(s.QueryLength);
        using var ddo = acc.Upload<float>(dOut);
        using var gq = acc.Allocate<float>(s.QueryLength);
        using var gv = acc.Allocate<float>(s.ValueLength);
        using var scratch = acc.Allocate<float>(s.ScoreLength);
        Attention.Forward(s, dq, dv, scale, mask, weights, output);
        Attention.Backward(s, dq, dv, scale, weights, ddo, gq, gv, scratch);
        (double, ulong) Loss()
        {
            Attention.Forward(s, dq, dv, scale, mask, weights, output);
            return (Dot(output.ToArray(), dOut), 0UL);
        }
        Check("query", q, gq.ToArray(), Loss, () => dq.Upload(q));
        Check("value", v, gv.ToArray(), Loss, () => dv.Upload(v));
    }
}
