using EcgGpu.Runtime;

namespace EcgGpu.Kernels;

/// <summary>One compared output of one kernel case on one accelerator.</summary>
public sealed record CheckResult(string Family, string Case, string Output, int Count, double MaxAbsError, double MaxRelError, bool Passed, string? FirstMismatch)
{
    public override string ToString() => $"{Family,-12} {Case,-34} {Output,-8} n={Count,-8} abs={MaxAbsError:E2} rel={MaxRelError:E2} {(Passed ? "pass" : "FAIL " + FirstMismatch)}";
}

/// <summary>
/// Every kernel family run on an accelerator against its plain C# reference on several shapes,
/// including sizes that are no multiple of a tile or work-group and size 1. The same descriptors
/// serve the test suite and <c>ecg verify</c>.
/// </summary>
public static class KernelChecks
{
    /// <summary>The families, in the order they are reported.</summary>
    public static IReadOnlyList<string> Families { get; } = ["elementwise", "gemm", "conv1d", "pool", "dropout", "softmax", "adam", "gather", "reduce", "infogain", "lstm", "gru", "rnn", "attention", "batchnorm"];

    public static IEnumerable<CheckResult> Run(Accelerator acc, string family, int seed = 1234) => family switch
    {
        "elementwise" => ElementwiseChecks(acc, new Random(seed)),
        "gemm" => GemmChecks(acc, new Random(seed)),
        "conv1d" => Conv1dChecks(acc, new Random(seed)),
        "pool" => PoolChecks(acc, new Random(seed)),
        "batchnorm" => BatchNormChecks(acc, new Random(seed)),
        "dropout" => DropoutChecks(acc, new Random(seed)),
        "softmax" => SoftmaxChecks(acc, new Random(seed)),
        "adam" => AdamChecks(acc, new Random(seed)),
        "gather" => GatherChecks(acc, new Random(seed)),
        "reduce" => ReduceChecks(acc, new Random(seed)),
        "infogain" => InfoGainChecks(acc, new Random(seed)),
        "lstm" => RecurrentChecks(acc, new Random(seed), RecurrentCell.Lstm),
        "gru" => RecurrentChecks(acc, new Random(seed), RecurrentCell.Gru),
        "rnn" => RecurrentChecks(acc, new Random(seed), RecurrentCell.SimpleRnn),
        "attention" => AttentionChecks(acc, new Random(seed)),
        _ => throw new ArgumentException($"unknown kernel family '{family}'; known: {string.Join(", ", Families)}", nameof(family)),
    };

    public static IEnumerable<CheckResult> RunAll(Accelerator acc, int seed = 1234) => Families.SelectMany(f => Run(acc, f, seed));

    /// <summary>Compares with |a − e| ≤ atol + rtol·|e| (llm.c's rule) and keeps the first mismatch.</summary>
    public static CheckResult Compare(string family, string @case, string output, ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double atol = 1e-5, double rtol = 1e-4)
    {
        if (actual.Length < expected.Length)
            return new(family, @case, output, expected.Length, double.NaN, double.NaN, false, $"got {actual.Length} values, expected {expected.Length}");
        double maxAbs = 0, maxRel = 0;
        string? first = null;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i], d = Math.Abs(a - e);
            bool ok = d <= atol + rtol * Math.Abs(e) || (double.IsNaN(e) && double.IsNaN(a));
            if (double.IsNaN(d) && !ok) d = double.PositiveInfinity;
            maxAbs = Math.Max(maxAbs, d);
            if (Math.Abs(e) > atol) maxRel = Math.Max(maxRel, d / Math.Abs(e));
            if (!ok && first is null) first = $"[{i}] got {a:G9}, expected {e:G9}";
        }
        return new(family, @case, output, expected.Length, maxAbs, maxRel, first is null, first);
    }

    public static CheckResult Compare(string family, string @case, string output, ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double atol = 0, double rtol = 0)
        => Compare(family, @case, output, actual, expected.ToArray().Select(v => (double)v).ToArray(), atol, rtol);

    /// <summary>Uniform values in [−scale, scale).</summary>
    public static float[] RandomFloats(Random rng, long n, float scale = 1f)
    {
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return v;
    }

    private static IEnumerable<CheckResult> ElementwiseChecks(Accelerator acc, Random rng)
    {
        foreach (int n in new[] { 1, 255, 1000, 4099 })
        {
            string c = $"n={n}";
            var a = RandomFloats(rng, n, 3);
            var b = RandomFloats(rng, n, 3);
            using var da = acc.Upload<float>(a);
            using var db = acc.Upload<float>(b);
            using var dc = acc.Allocate<float>(n);
            Elementwise.Add(da, db, dc);
            yield return Compare("elementwise", c, "add", dc.ToArray(), a.Select((v, i) => (double)v + b[i]).ToArray());
            Elementwise.Multiply(da, db, dc);
            yield return Compare("elementwise", c, "multiply", dc.ToArray(), a.Select((v, i) => (double)v * b[i]).ToArray());
            dc.Upload(b);
            Elementwise.Axpby(0.5f, da, -2f, dc);
            yield return Compare("elementwise", c, "axpby", dc.ToArray(), a.Select((v, i) => 0.5 * v - 2.0 * b[i]).ToArray());
            Elementwise.Scale(1.5f, da, dc);
            yield return Compare("elementwise", c, "scale", dc.ToArray(), a.Select(v => 1.5 * v).ToArray());
            foreach (var act in new[] { Activation.Relu, Activation.Tanh, Activation.Sigmoid })
            {
                using var y = acc.Allocate<float>(n);
                using var dx = acc.Allocate<float>(n);
                Elementwise.Forward(act, da, y);
                var yh = y.ToArray();
                yield return Compare("elementwise", c, act.ToString().ToLowerInvariant(), yh, a.Select(v => ElementwiseReference.Activate(act, v)).ToArray(), 1e-6, 1e-5);
                Elementwise.Backward(act, y, db, dx);
                yield return Compare("elementwise", c, "d" + act.ToString().ToLowerInvariant(), dx.ToArray(), yh.Select((v, i) => b[i] * ElementwiseReference.Gradient(act, v)).ToArray(), 1e-6, 1e-5);
            }
        }
        foreach (var (outer, channels, inner) in new[] { (1, 1, 1), (7, 5, 1), (3, 64, 187), (2, 300, 3) })
        {
            string c = $"bias {outer}x{channels}x{inner}";
            var x = RandomFloats(rng, outer * channels * inner);
            var bias = RandomFloats(rng, channels);
            using var dx = acc.Upload<float>(x);
            using var dbias = acc.Upload<float>(bias);
            using var grad = acc.Allocate<float>(channels);
            Elementwise.BiasAdd(dx, dbias, outer, channels, inner);
            yield return Compare("elementwise", c, "biasadd", dx.ToArray(), x.Select((v, i) => (double)v + bias[i / inner % channels]).ToArray());
            Elementwise.BiasGrad(dx, grad, outer, channels, inner);
            var after = dx.ToArray();
            yield return Compare("elementwise", c, "biasgrad", grad.ToArray(), ElementwiseReference.BiasGrad(outer, channels, inner, after), 1e-4 * Math.Sqrt(outer * inner), 1e-4);
        }
    }

    private static IEnumerable<CheckResult> GemmChecks(Accelerator acc, Random rng)
    {
        // (1, 192, 1000) and (3, 130, 400) take the CPU's few-rows path (one beat through a Dense layer), with a column tail.
        var shapes = new (int M, int N, int K)[] { (1, 1, 1), (17, 33, 9), (64, 128, 187), (5, 7, 300), (100, 5, 64), (128, 130, 257), (1, 192, 1000), (3, 130, 400) };
        foreach (var (m, n, k) in shapes)
            foreach (var (ta, tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
            {
                var a = RandomFloats(rng, m * k);
                var b = RandomFloats(rng, k * n);
                var c0 = RandomFloats(rng, m * n);
                using var da = acc.Upload<float>(a);
                using var db = acc.Upload<float>(b);
                using var dc = acc.Upload<float>(c0);
                float alpha = 0.75f, beta = m % 2 == 0 ? 0f : 0.5f;
                Gemm.Run(ta, tb, m, n, k, alpha, da, db, beta, dc);
                yield return Compare("gemm", $"{m}x{n}x{k} {(ta ? "T" : "N")}{(tb ? "T" : "N")} b={beta}", "C", dc.ToArray(),
                    GemmReference.Gemm(ta, tb, m, n, k, alpha, a, b, beta, c0), 1e-5 * Math.Sqrt(k) * 4, 1e-4);
            }
    }

    private static IEnumerable<CheckResult> Conv1dChecks(Accelerator acc, Random rng)
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
            var x = RandomFloats(rng, s.InputLength);
            var w = RandomFloats(rng, s.WeightLength, 0.5f);
            var bias = RandomFloats(rng, s.Cout);
            var dyh = RandomFloats(rng, s.OutputLength);
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
            yield return Compare("conv1d", c, "y", y.ToArray(), Conv1dReference.Forward(s, x, w, bias), tol, 1e-4);
            yield return Compare("conv1d", c, "dx", gx.ToArray(), rx, tol, 1e-4);
            yield return Compare("conv1d", c, "dw", gw.ToArray(), rw, tol, 1e-4);
            yield return Compare("conv1d", c, "db", gb.ToArray(), rb, tol, 1e-4);
        }
    }

    private static IEnumerable<CheckResult> PoolChecks(Accelerator acc, Random rng)
    {
        // Ties (values from {-1, 0, 1}, as after a ReLU) check that the first maximum of a window wins everywhere.
        foreach (var (rows, lin, k, s, ties) in new[] { (1, 1, 1, 1, false), (12, 19, 2, 2, false), (64, 185, 2, 2, false), (5, 50, 5, 2, false),
            (3, 17, 3, 1, false), (4, 40, 4, 3, false), (7, 60, 5, 2, true) })
        {
            string c = $"{rows}x{lin} k{k} s{s}{(ties ? " ties" : "")}";
            int lout = Pool.OutputLength(lin, k, s);
            var x = RandomFloats(rng, rows * lin);
            if (ties) for (int i = 0; i < x.Length; i++) x[i] = MathF.Round(x[i]);
            var dyh = RandomFloats(rng, rows * lout);
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(rows * lout);
            using var arg = acc.Allocate<int>(rows * lout);
            using var dy = acc.Upload<float>(dyh);
            using var gx = acc.Allocate<float>(rows * lin);
            Pool.MaxForward(rows, lin, k, s, dx, y, arg);
            Pool.MaxBackward(rows, lin, k, s, dy, arg, gx);
            var (ry, rdx) = PoolReference.Max(rows, lin, k, s, x, dyh);
            yield return Compare("pool", c, "max y", y.ToArray(), ry);
            yield return Compare("pool", c, "max dx", gx.ToArray(), rdx, 1e-6, 1e-6);
            using var gy = acc.Allocate<float>(rows);
            using var gdy = acc.Upload<float>(dyh.AsSpan(0, rows));
            Pool.GlobalAverageForward(rows, lin, dx, gy);
            Pool.GlobalAverageBackward(rows, lin, gdy, gx);
            var (gry, grdx) = PoolReference.GlobalAverage(rows, lin, x, dyh[..rows]);
            yield return Compare("pool", c, "gap y", gy.ToArray(), gry, 1e-5, 1e-4);
            yield return Compare("pool", c, "gap dx", gx.ToArray(), grdx, 1e-6, 1e-5);
        }
    }

    private static IEnumerable<CheckResult> BatchNormChecks(Accelerator acc, Random rng)
    {
        // (N, C, S): dense features (S = 1), convolution outputs, a single channel, and a batch of one.
        foreach (var (n, c, s) in new[] { (1, 1, 1), (64, 32, 1), (7, 5, 19), (16, 3, 187), (1, 4, 33) })
        {
            string name = $"{n}x{c}x{s}";
            const float eps = 1e-3f;
            var x = RandomFloats(rng, n * c * s).Select(v => 2f * v + 0.5f).ToArray();
            var gamma = RandomFloats(rng, c);
            var beta = RandomFloats(rng, c);
            var dyh = RandomFloats(rng, n * c * s);
            using var dx = acc.Upload<float>(x);
            using var dg = acc.Upload<float>(gamma);
            using var dbeta = acc.Upload<float>(beta);
            using var dy = acc.Upload<float>(dyh);
            using var mean = acc.Allocate<float>(c);
            using var variance = acc.Allocate<float>(c);
            using var y = acc.Allocate<float>(n * c * s);
            using var gx = acc.Allocate<float>(n * c * s);
            using var ggamma = acc.Allocate<float>(c);
            using var gbeta = acc.Allocate<float>(c);
            BatchNorm.Statistics(n, c, s, dx, mean, variance);
            BatchNorm.Forward(n, c, s, eps, dx, mean, variance, dg, dbeta, y);
            BatchNorm.Backward(n, c, s, eps, dx, dy, mean, variance, dg, gx, ggamma, gbeta);
            var r = BatchNormReference.Run(n, c, s, eps, x, gamma, beta, dyh);
            yield return Compare("batchnorm", name, "mean", mean.ToArray(), r.Mean, 1e-5, 1e-4);
            yield return Compare("batchnorm", name, "var", variance.ToArray(), r.Var, 1e-5, 1e-4);
            yield return Compare("batchnorm", name, "y", y.ToArray(), r.Y, 1e-4, 1e-3);
            yield return Compare("batchnorm", name, "dx", gx.ToArray(), r.Dx, 1e-4, 1e-3);
            yield return Compare("batchnorm", name, "dgamma", ggamma.ToArray(), r.Dgamma, 1e-4, 1e-4);
            yield return Compare("batchnorm", name, "dbeta", gbeta.ToArray(), r.Dbeta, 1e-4, 1e-4);
        }
    }

    private static IEnumerable<CheckResult> DropoutChecks(Accelerator acc, Random rng)
    {
        foreach (var (n, rate) in new[] { (1, 0.5f), (1001, 0.5f), (4096, 0.3f), (12345, 0.1f), (70001, 0.5f) })
        {
            string c = $"n={n} p={rate}";
            var x = RandomFloats(rng, n);
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(n);
            using var mask = acc.Allocate<float>(n);
            Dropout.Forward(rate, 0x1234_5678_9ABCUL, 7, dx, y, mask);
            // Reference: element i takes word i mod 4 of Philox block i / 4, one scalar block at a time.
            var ry = new float[n];
            var rmask = new float[n];
            for (int i = 0; i < n; i++)
            {
                var (b0, b1, b2, b3) = DropoutCpu.Philox((uint)(i / 4), 0, 7, 0, 0x5678_9ABCu, 0x1234u);
                uint bits = (i % 4) switch { 0 => b0, 1 => b1, 2 => b2, _ => b3 };
                rmask[i] = (bits >> 8) * (1f / 16777216f) >= rate ? 1f / (1f - rate) : 0f;
                ry[i] = x[i] * rmask[i];
            }
            // Same seed, same mask on every backend: bit-exact.
            yield return Compare("dropout", c, "mask", mask.ToArray(), rmask);
            yield return Compare("dropout", c, "y", y.ToArray(), ry, 1e-7, 1e-6);
            var kept = rmask.Count(v => v != 0) / (double)n;
            if (n >= 4096)
                yield return new CheckResult("dropout", c, "keep", n, Math.Abs(kept - (1 - rate)), 0, Math.Abs(kept - (1 - rate)) < 0.03, $"kept {kept:F3}, expected {1 - rate:F3}");
        }
        // Known-answer test of the generator (Random123 kat_vectors: philox4x32_10, counter and key all ones).
        var (a0, a1, a2, a3) = DropoutCpu.Philox(uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue, uint.MaxValue);
        uint[] expected = [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd];
        bool ok = a0 == expected[0] && a1 == expected[1] && a2 == expected[2] && a3 == expected[3];
        yield return new CheckResult("dropout", "philox4x32-10 KAT", "bits", 4, ok ? 0 : 1, 0, ok, $"{a0:x8} {a1:x8} {a2:x8} {a3:x8}");
    }

    private static IEnumerable<CheckResult> SoftmaxChecks(Accelerator acc, Random rng)
    {
        foreach (var (rows, cols) in new[] { (1, 1), (6, 5), (64, 5), (33, 187), (3, 600) })
        {
            string c = $"{rows}x{cols}";
            var x = RandomFloats(rng, rows * cols, 6);
            var dyh = RandomFloats(rng, rows * cols);
            var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(cols)).ToArray();
            var weights = RandomFloats(rng, cols).Select(v => 0.5f + Math.Abs(v)).ToArray();
            using var dx = acc.Upload<float>(x);
            using var y = acc.Allocate<float>(rows * cols);
            using var dy = acc.Upload<float>(dyh);
            using var gx = acc.Allocate<float>(rows * cols);
            Softmax.Forward(rows, cols, dx, y);
            Softmax.Backward(rows, cols, y, dy, gx);
            var ry = SoftmaxReference.Rows(rows, cols, x);
            yield return Compare("softmax", c, "y", y.ToArray(), ry, 1e-6, 1e-4);
            yield return Compare("softmax", c, "dx", gx.ToArray(), SoftmaxReference.RowsBackward(rows, cols, ry, dyh), 1e-6, 1e-4);
            using var dl = acc.Upload<int>(labels);
            using var dwts = acc.Upload<float>(weights);
            using var loss = acc.Allocate<float>(rows);
            using var grad = acc.Allocate<float>(rows * cols);
            foreach (var weighted in new[] { false, true })
            {
                Softmax.CrossEntropy(rows, cols, dx, dl, weighted ? dwts : null, loss, grad);
                var (rl, rg) = SoftmaxReference.CrossEntropy(rows, cols, x, labels, weighted ? weights : null);
                string o = weighted ? "xent w" : "xent";
                yield return Compare("softmax", c, o + " loss", loss.ToArray(), rl, 1e-5, 1e-4);
                yield return Compare("softmax", c, o + " grad", grad.ToArray(), rg, 1e-7, 1e-4);
            }
        }
    }

    private static IEnumerable<CheckResult> AdamChecks(Accelerator acc, Random rng)
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
            var p0 = RandomFloats(rng, n);
            var grads = Enumerable.Range(0, 3).Select(_ => RandomFloats(rng, n)).ToArray();
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
                yield return Compare("adam", c, $"p step{t + 1}", p.ToArray(), expected[t], 1e-6, 1e-5);
            }
        }
    }

    private static IEnumerable<CheckResult> GatherChecks(Accelerator acc, Random rng)
    {
        foreach (var (rows, len, count) in new[] { (1, 1, 1), (100, 187, 64), (1000, 60, 257) })
        {
            string c = $"{count} of {rows}x{len}";
            var src = RandomFloats(rng, rows * len);
            var labels = Enumerable.Range(0, rows).Select(i => i * 7 % 5).ToArray();
            var index = Enumerable.Range(0, count).Select(_ => rng.Next(rows)).ToArray();
            using var dsrc = acc.Upload<float>(src);
            using var dlab = acc.Upload<int>(labels);
            using var didx = acc.Upload<int>(index);
            using var dst = acc.Allocate<float>(count * len);
            using var dl = acc.Allocate<int>(count);
            Gather.Rows(count, len, dsrc, didx, dst);
            Gather.Ints(count, dlab, didx, dl);
            var expected = new float[count * len];
            for (int i = 0; i < count; i++) Array.Copy(src, index[i] * len, expected, i * len, len);
            yield return Compare("gather", c, "rows", dst.ToArray(), expected);
            yield return Compare("gather", c, "labels", dl.ToArray().Select(v => (float)v).ToArray(), index.Select(i => (float)labels[i]).ToArray());
        }
    }

    private static IEnumerable<CheckResult> ReduceChecks(Accelerator acc, Random rng)
    {
        foreach (int n in new[] { 1, 255, 257, 70000, 1_000_003 })
        {
            string c = $"n={n}";
            var x = RandomFloats(rng, n);
            using var dx = acc.Upload<float>(x);
            yield return Compare("reduce", c, "sum", [Reduce.SumToHost(dx)], [x.Sum(v => (double)v)], 1e-6 * Math.Sqrt(n) * 4, 1e-5);
            yield return Compare("reduce", c, "max", [Reduce.MaxToHost(dx)], [(double)x.Max()]);
            using var sq = acc.Allocate<float>(1);
            Reduce.SumOfSquares(dx, sq);
            yield return Compare("reduce", c, "sumsq", sq.ToArray(), [x.Sum(v => (double)v * v)], 1e-6 * Math.Sqrt(n) * 4, 1e-5);
        }
        foreach (var (rows, cols) in new[] { (1, 1), (64, 5), (1000, 187) })
        {
            var x = RandomFloats(rng, rows * cols);
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
            yield return Compare("reduce", $"{rows}x{cols}", "argmax", idx.ToArray().Select(v => (float)v).ToArray(), expected);
        }
    }

    private static IEnumerable<CheckResult> InfoGainChecks(Accelerator acc, Random rng)
    {
        foreach (var (rows, features, bins, classes) in new[] { (1, 1, 1, 1), (100, 6, 4, 5), (5000, 187, 10, 5), (9000, 3, 32, 5) })
        {
            string c = $"{rows}x{features} bins{bins} classes{classes}";
            var labels = Enumerable.Range(0, rows).Select(_ => rng.Next(classes)).ToArray();
            // Features that depend on the label to a varying degree, so the gains differ.
            var x = new float[rows * features];
            for (int r = 0; r < rows; r++)
                for (int f = 0; f < features; f++)
                    x[r * features + f] = (float)(labels[r] * (f % 4) * 0.3 + rng.NextDouble() * 2);
            var binnedRef = new int[rows * features];
            InfoGainCpu.Bin(rows, features, bins, x, binnedRef);
            using var dx = acc.Upload<float>(x);
            using var dl = acc.Upload<int>(labels);
            using var binned = acc.Allocate<int>(rows * features);
            using var gain = acc.Allocate<float>(features);
            InfoGain.Bin(rows, features, bins, dx, binned);
            yield return Compare("infogain", c, "bins", binned.ToArray().Select(v => (float)v).ToArray(), binnedRef.Select(v => (float)v).ToArray());
            InfoGain.FromBinned(rows, features, bins, classes, binned, dl, gain);
            yield return Compare("infogain", c, "gain", gain.ToArray(), InfoGainReference.FromBinned(rows, features, bins, classes, binnedRef, labels), 1e-5, 1e-4);
        }
    }

    private static IEnumerable<CheckResult> RecurrentChecks(Accelerator acc, Random rng, RecurrentCell cell)
    {
        string family = cell switch { RecurrentCell.Lstm => "lstm", RecurrentCell.Gru => "gru", _ => "rnn" };
        var shapes = new List<(RecurrentShape Shape, bool RecurrentBias)>
        {
            (new RecurrentShape(1, 1, 1, 1, cell), true),
            (new RecurrentShape(3, 6, 2, 5, cell), true),
            (new RecurrentShape(5, 17, 1, 32, cell), false),
            (new RecurrentShape(9, 12, 7, 48, cell), true),
            (new RecurrentShape(2, 200, 3, 256, cell), true), // the largest hidden size promised, a sequence longer than a beat
        };
        if (cell != RecurrentCell.Lstm) shapes.Add((new RecurrentShape(4, 9, 3, 20, cell, Relu: true), true));
        foreach (var (s, withBiasR) in shapes)
        {
            string c = $"N{s.N} L{s.L} I{s.I} H{s.H}{(s.Relu ? " relu" : "")}{(withBiasR ? "" : " no-rbias")}";
            var (x, w, u, b, br, dh) = RecurrentInputs(rng, s);
            using var run = new RecurrentCase(acc, s, x, w, u, b, withBiasR ? br : null, dh);
            run.ForwardBackward();
            var (gw, gu, gb, gbr, gx) = (run.GradW, run.GradU, run.GradBias, run.GradRecurrentBias, run.GradInput);
            var state = run.State;
            var r = RecurrentReference.Run(s, x, w, u, b, withBiasR ? br : null, dh);
            double tol = 2e-5 * Math.Sqrt(s.L * (s.I + s.H));
            yield return Compare(family, c, "h", state.Hidden.ToArray(), r.Hidden, tol, 1e-3);
            yield return Compare(family, c, "dW", gw.ToArray(), r.DW, tol * Math.Sqrt(s.N * s.L), 1e-3);
            yield return Compare(family, c, "dU", gu.ToArray(), r.DU, tol * Math.Sqrt(s.N * s.L), 1e-3);
            yield return Compare(family, c, "db", gb.ToArray(), r.DBias, tol * Math.Sqrt(s.N * s.L), 1e-3);
            if (gbr is not null) yield return Compare(family, c, "dc", gbr.ToArray(), r.DRecurrentBias, tol * Math.Sqrt(s.N * s.L), 1e-3);
            yield return Compare(family, c, "dx", gx.ToArray(), r.DX, tol, 1e-3);
        }
        // Returning only the last state: take it, and spread its gradient back to (N, L, H).
        var sl = new RecurrentShape(3, 5, 2, 4, cell);
        var hs = RandomFloats(rng, sl.HiddenLength);
        var dl = RandomFloats(rng, sl.N * sl.H);
        using var hbuf = acc.Upload<float>(hs);
        using var last = acc.Allocate<float>(sl.N * sl.H);
        using var dlast = acc.Upload<float>(dl);
        using var dfull = acc.Allocate<float>(sl.HiddenLength);
        Recurrent.TakeLast(sl.N, sl.L, sl.H, hbuf, last);
        Recurrent.SpreadLast(sl.N, sl.L, sl.H, dlast, dfull);
        var expectLast = new float[sl.N * sl.H];
        var expectFull = new float[sl.HiddenLength];
        for (int n = 0; n < sl.N; n++)
            for (int j = 0; j < sl.H; j++)
            {
                expectLast[n * sl.H + j] = hs[(n * sl.L + sl.L - 1) * sl.H + j];
                expectFull[(n * sl.L + sl.L - 1) * sl.H + j] = dl[n * sl.H + j];
            }
        yield return Compare(family, "last state", "take", last.ToArray(), expectLast);
        yield return Compare(family, "last state", "spread", dfull.ToArray(), expectFull);
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
        return (RandomFloats(rng, s.InputLength), RandomFloats(rng, (long)s.I * s.GateWidth, 2 * wScale),
            RandomFloats(rng, (long)s.H * s.GateWidth, 2 * wScale), RandomFloats(rng, s.GateWidth, 0.5f),
            RandomFloats(rng, s.GateWidth, 0.5f), RandomFloats(rng, s.HiddenLength));
    }

    private static IEnumerable<CheckResult> AttentionChecks(Accelerator acc, Random rng)
    {
        var cases = new (AttentionShape Shape, bool Scaled, bool Masked)[]
        {
            (new AttentionShape(1, 1, 1, 1), false, false),
            (new AttentionShape(3, 6, 6, 4), false, false),
            (new AttentionShape(2, 7, 9, 5), true, true),
            (new AttentionShape(2, 100, 100, 16), true, false),
            (new AttentionShape(2, 33, 70, 8), false, true),
        };
        foreach (var (s, scaled, masked) in cases)
        {
            float scale = scaled ? 1f / MathF.Sqrt(s.D) : 1f;
            string c = $"N{s.N} Lq{s.Lq} Lk{s.Lk} D{s.D}{(scaled ? " scaled" : "")}{(masked ? " masked" : "")}";
            var q = RandomFloats(rng, s.QueryLength);
            var v = RandomFloats(rng, s.ValueLength);
            var dOut = RandomFloats(rng, s.QueryLength);
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
            yield return Compare("attention", c, "y", output.ToArray(), ro, tol, 1e-4);
            yield return Compare("attention", c, "dq", gq.ToArray(), rq, tol, 1e-3);
            yield return Compare("attention", c, "dv", gv.ToArray(), rv, tol, 1e-3);
        }
    }
}
