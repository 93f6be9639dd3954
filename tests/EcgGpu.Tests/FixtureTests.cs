using EcgGpu.Kernels;
using System.Text.Json;
using EcgGpu.Runtime;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// The kernels against PyTorch and scikit-learn numbers (float64 references; float32 within 1e-4
/// relative, 1e-5 absolute). Every case file found is a test; ones whose family belongs to a later
/// issue are skipped with that reason.
/// </summary>
[TestFixture("cpu")]
[TestFixture("ilgpu-cpu")]
[TestFixture("opencl")]
[TestFixture("cuda")]
[Category("Fixtures")]
public sealed class FixtureTests(string backend)
{
    private const double Atol = 1e-5, Rtol = 1e-4;
    private Accelerator? _acc;

    [OneTimeSetUp]
    public void Open() => _acc = Backends.Open(backend);

    [OneTimeTearDown]
    public void Close() => _acc?.Dispose();

    public static IEnumerable<string> TorchCases => Fixtures.Cases("torch");
    /// <summary>scikit-learn cases of kernels; the host-side metrics cases are MetricsFixtureTests'.</summary>
    public static IEnumerable<string> SklearnCases => Fixtures.Cases("sklearn").Where(f => !MetricsFixtureTests.IsMetricsCase(f));

    [TestCaseSource(nameof(TorchCases))]
    public void Torch(string file)
    {
        var f = Fixtures.Load(file);
        var name = f.GetProperty("name").GetString()!;
        var results = name switch
        {
            _ when name.StartsWith("conv1d", StringComparison.Ordinal) => Conv(f),
            "maxpool1d" => MaxPool(f),
            "dense" => Dense(f),
            "softmax_cross_entropy" => CrossEntropy(f),
            "softmax_rows" => SoftmaxRows(f),
            "adam_steps" => AdamSteps(f),
            "lstm_seq" => RecurrentCase(f, RecurrentCell.Lstm),
            "gru_seq" => RecurrentCase(f, RecurrentCell.Gru),
            "rnn_seq" => RecurrentCase(f, RecurrentCell.SimpleRnn),
            "dot_attention" => DotAttention(f),
            _ => Skip($"{file}: no kernel checks fixture '{name}' yet"),
        };
        AssertAll(name, results);
    }

    [TestCaseSource(nameof(SklearnCases))]
    public void Sklearn(string file)
    {
        var f = Fixtures.Load(file);
        var name = f.GetProperty("name").GetString()!;
        if (name.StartsWith("infogain", StringComparison.Ordinal)) { InfoGainCase(f); return; }
        Assert.Ignore($"{file}: no kernel checks fixture '{name}' yet");
    }

    private static IEnumerable<CheckResult> Skip(string why)
    {
        Assert.Ignore(why);
        return [];
    }

    private static void AssertAll(string name, IEnumerable<CheckResult> results)
    {
        var list = results.ToList();
        foreach (var r in list) TestContext.Out.WriteLine(r);
        Assert.That(list, Is.Not.Empty);
        Assert.That(list.Where(r => !r.Passed).Select(r => r.ToString()), Is.Empty, name);
    }

    private static double[] Expected(JsonElement group, string name) => Fixtures.Tensor(group.GetProperty(name)).Data;

    private IEnumerable<CheckResult> Conv(JsonElement f)
    {
        var (xs, x) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("x"));
        var (ws, w) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("w"));
        int pad = (int)Fixtures.Number(f.GetProperty("config"), "padding");
        var s = new Conv1dShape(xs[0], xs[1], xs[2], ws[0], ws[2], pad == 0 ? Padding.Valid : Padding.Same);
        Assert.That(s.Pad, Is.EqualTo(pad), "fixture padding is neither valid nor Keras/PyTorch 'same'");
        var acc = _acc!;
        using var dx = acc.Upload<float>(x.Select(v => (float)v).ToArray());
        using var dw = acc.Upload<float>(w.Select(v => (float)v).ToArray());
        using var db = acc.Upload<float>(Fixtures.Floats(f.GetProperty("inputs").GetProperty("b")));
        using var y = acc.Allocate<float>(s.OutputLength);
        using var dy = acc.Upload<float>(Fixtures.Floats(f.GetProperty("upstream").GetProperty("y")));
        using var gx = acc.Allocate<float>(s.InputLength);
        using var gw = acc.Allocate<float>(s.WeightLength);
        using var gb = acc.Allocate<float>(s.Cout);
        Conv1d.Forward(s, dx, dw, db, y);
        Conv1d.BackwardInput(s, dy, dw, gx);
        Conv1d.BackwardWeight(s, dx, dy, gw, gb);
        var grads = f.GetProperty("grads");
        yield return KernelChecks.Compare("conv1d", "fixture", "y", y.ToArray(), Expected(f.GetProperty("outputs"), "y"), Atol, Rtol);
        yield return KernelChecks.Compare("conv1d", "fixture", "dx", gx.ToArray(), Expected(grads, "x"), Atol, Rtol);
        yield return KernelChecks.Compare("conv1d", "fixture", "dw", gw.ToArray(), Expected(grads, "w"), Atol, Rtol);
        yield return KernelChecks.Compare("conv1d", "fixture", "db", gb.ToArray(), Expected(grads, "b"), Atol, Rtol);
    }

    private IEnumerable<CheckResult> MaxPool(JsonElement f)
    {
        var (xs, x) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("x"));
        int k = (int)Fixtures.Number(f.GetProperty("config"), "kernel"), s = (int)Fixtures.Number(f.GetProperty("config"), "stride");
        int rows = xs[0] * xs[1], lin = xs[2], lout = Pool.OutputLength(lin, k, s);
        var acc = _acc!;
        using var dx = acc.Upload<float>(x.Select(v => (float)v).ToArray());
        using var y = acc.Allocate<float>(rows * lout);
        using var arg = acc.Allocate<int>(rows * lout);
        using var dy = acc.Upload<float>(Fixtures.Floats(f.GetProperty("upstream").GetProperty("y")));
        using var gx = acc.Allocate<float>(rows * lin);
        Pool.MaxForward(rows, lin, k, s, dx, y, arg);
        Pool.MaxBackward(rows, lin, k, s, dy, arg, gx);
        yield return KernelChecks.Compare("pool", "fixture", "y", y.ToArray(), Expected(f.GetProperty("outputs"), "y"), Atol, Rtol);
        yield return KernelChecks.Compare("pool", "fixture", "dx", gx.ToArray(), Expected(f.GetProperty("grads"), "x"), Atol, Rtol);
    }

    /// <summary>y = x Wᵀ + b through GEMM and bias add; gradients through GEMM and bias grad.</summary>
    private IEnumerable<CheckResult> Dense(JsonElement f)
    {
        var (xs, x) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("x"));
        var (ws, w) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("w"));
        int m = xs[0], k = xs[1], n = ws[0];
        var acc = _acc!;
        using var dx = acc.Upload<float>(x.Select(v => (float)v).ToArray());
        using var dw = acc.Upload<float>(w.Select(v => (float)v).ToArray());
        using var db = acc.Upload<float>(Fixtures.Floats(f.GetProperty("inputs").GetProperty("b")));
        using var y = acc.Allocate<float>(m * n);
        using var dy = acc.Upload<float>(Fixtures.Floats(f.GetProperty("upstream").GetProperty("y")));
        using var gx = acc.Allocate<float>(m * k);
        using var gw = acc.Allocate<float>(n * k);
        using var gb = acc.Allocate<float>(n);
        Gemm.Run(false, true, m, n, k, 1f, dx, dw, 0f, y);
        Elementwise.BiasAdd(y, db, m, n);
        Gemm.Run(false, false, m, k, n, 1f, dy, dw, 0f, gx);
        Gemm.Run(true, false, n, k, m, 1f, dy, dx, 0f, gw);
        Elementwise.BiasGrad(dy, gb, m, n);
        var grads = f.GetProperty("grads");
        yield return KernelChecks.Compare("dense", "fixture", "y", y.ToArray(), Expected(f.GetProperty("outputs"), "y"), Atol, Rtol);
        yield return KernelChecks.Compare("dense", "fixture", "dx", gx.ToArray(), Expected(grads, "x"), Atol, Rtol);
        yield return KernelChecks.Compare("dense", "fixture", "dw", gw.ToArray(), Expected(grads, "w"), Atol, Rtol);
        yield return KernelChecks.Compare("dense", "fixture", "db", gb.ToArray(), Expected(grads, "b"), Atol, Rtol);
    }

    private IEnumerable<CheckResult> CrossEntropy(JsonElement f)
    {
        var (ls, logits) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("logits"));
        var labels = Fixtures.IntList(f.GetProperty("config"), "labels");
        int rows = ls[0], classes = ls[1];
        double upstream = Expected(f.GetProperty("upstream"), "y")[0];
        var acc = _acc!;
        using var dz = acc.Upload<float>(logits.Select(v => (float)v).ToArray());
        using var dl = acc.Upload<int>(labels);
        using var loss = acc.Allocate<float>(rows);
        using var grad = acc.Allocate<float>(rows * classes);
        Softmax.CrossEntropy(rows, classes, dz, dl, null, loss, grad);
        float mean = Kernels.Reduce.SumToHost(loss) / rows;
        yield return KernelChecks.Compare("softmax", "fixture", "loss", [mean], Expected(f.GetProperty("outputs"), "y"), Atol, Rtol);
        // The fixture's gradient is of sum(loss · upstream).
        yield return KernelChecks.Compare("softmax", "fixture", "dlogits", grad.ToArray().Select(g => (float)(g * upstream)).ToArray(), Expected(f.GetProperty("grads"), "logits"), Atol, Rtol);
    }

    private IEnumerable<CheckResult> SoftmaxRows(JsonElement f)
    {
        var (xs, x) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("x"));
        int rows = xs[0], cols = xs[1];
        var acc = _acc!;
        using var dx = acc.Upload<float>(x.Select(v => (float)v).ToArray());
        using var y = acc.Allocate<float>(rows * cols);
        using var dy = acc.Upload<float>(Fixtures.Floats(f.GetProperty("upstream").GetProperty("y")));
        using var gx = acc.Allocate<float>(rows * cols);
        Softmax.Forward(rows, cols, dx, y);
        Softmax.Backward(rows, cols, y, dy, gx);
        yield return KernelChecks.Compare("softmax", "fixture", "y", y.ToArray(), Expected(f.GetProperty("outputs"), "y"), Atol, Rtol);
        yield return KernelChecks.Compare("softmax", "fixture", "dx", gx.ToArray(), Expected(f.GetProperty("grads"), "x"), Atol, Rtol);
    }

    private IEnumerable<CheckResult> AdamSteps(JsonElement f)
    {
        var config = f.GetProperty("config");
        var settings = new AdamSettings((float)Fixtures.Number(config, "lr"), (float)Fixtures.Number(config, "beta1"),
            (float)Fixtures.Number(config, "beta2"), (float)Fixtures.Number(config, "eps"));
        var p0 = Fixtures.Floats(f.GetProperty("inputs").GetProperty("p0"));
        var grads = f.GetProperty("inputs").GetProperty("grads").EnumerateArray().Select(Fixtures.Floats).ToList();
        var steps = f.GetProperty("outputs").GetProperty("steps").EnumerateArray().Select(t => Fixtures.Tensor(t).Data).ToList();
        var acc = _acc!;
        using var p = acc.Upload<float>(p0);
        using var g = acc.Allocate<float>(p0.Length);
        using var m = acc.Allocate<float>(p0.Length);
        using var v = acc.Allocate<float>(p0.Length);
        m.Fill(0f);
        v.Fill(0f);
        for (int t = 0; t < grads.Count; t++)
        {
            g.Upload(grads[t]);
            Adam.Step(p, g, m, v, settings, t + 1);
            yield return KernelChecks.Compare("adam", "fixture", $"p step{t + 1}", p.ToArray(), steps[t], Atol, Rtol);
        }
    }

    private void InfoGainCase(JsonElement f)
    {
        int bins = f.GetProperty("bins").GetInt32();
        var rowsX = f.GetProperty("X").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt32()).ToArray()).ToArray();
        var y = f.GetProperty("y").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expected = f.GetProperty("mutual_info_nats").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var ranking = f.GetProperty("ranking").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int rows = rowsX.Length, features = rowsX[0].Length, classes = y.Max() + 1;
        var acc = _acc!;
        using var binned = acc.Upload<int>(rowsX.SelectMany(r => r).ToArray());
        using var labels = acc.Upload<int>(y);
        using var gain = acc.Allocate<float>(features);
        InfoGain.FromBinned(rows, features, bins, classes, binned, labels, gain);
        var gains = gain.ToArray();
        var r = KernelChecks.Compare("infogain", "fixture", "gain", gains, expected, Atol, Rtol);
        TestContext.Out.WriteLine(r);
        Assert.That(r.Passed, r.ToString());
        Assert.That(InfoGain.Rank(gains), Is.EqualTo(ranking), "ranking (stable, highest first)");
    }

    /// <summary>(rows, cols) row-major → (cols, rows): PyTorch's (G·H, I) weights into the kernels' Keras layout (I, G·H).</summary>
    private static float[] Transpose(double[] data, int rows, int cols)
    {
        var t = new float[data.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) t[c * rows + r] = (float)data[r * cols + c];
        return t;
    }

    private static double[] TransposeBack(float[] data, int rows, int cols) => Transpose(data.Select(v => (double)v).ToArray(), rows, cols).Select(v => (double)v).ToArray();

    private IEnumerable<CheckResult> RecurrentCase(JsonElement f, RecurrentCell cell)
    {
        var inputs = f.GetProperty("inputs");
        var (xs, x) = Fixtures.Tensor(inputs.GetProperty("x"));
        var (wihShape, wih) = Fixtures.Tensor(inputs.GetProperty("w_ih"));
        var (_, whh) = Fixtures.Tensor(inputs.GetProperty("w_hh"));
        int h = (int)Fixtures.Number(f.GetProperty("config"), "hidden");
        var s = new RecurrentShape(xs[0], xs[1], xs[2], h, cell);
        Assert.That(wihShape[0], Is.EqualTo(s.GateWidth), "gate count");
        var acc = _acc!;
        using var run = new RecurrentChecks.RecurrentCase(acc, s, x.Select(v => (float)v).ToArray(), Transpose(wih, s.GateWidth, s.I), Transpose(whh, s.GateWidth, s.H),
            Fixtures.Floats(inputs.GetProperty("b_ih")), Fixtures.Floats(inputs.GetProperty("b_hh")), Fixtures.Floats(f.GetProperty("upstream").GetProperty("y")));
        run.ForwardBackward();
        var (state, gw, gu, gb, gbr, gx) = (run.State, run.GradW, run.GradU, run.GradBias, run.GradRecurrentBias!, run.GradInput);
        var grads = f.GetProperty("grads");
        string family = f.GetProperty("name").GetString()!;
        yield return KernelChecks.Compare(family, "fixture", "y", state.Hidden.ToArray(), Expected(f.GetProperty("outputs"), "y"), Atol, Rtol);
        yield return KernelChecks.Compare(family, "fixture", "dx", gx.ToArray(), Expected(grads, "x"), Atol, Rtol);
        yield return KernelChecks.Compare(family, "fixture", "dw_ih", TransposeBack(gw.ToArray(), s.I, s.GateWidth).Select(v => (float)v).ToArray(), Expected(grads, "w_ih"), Atol, Rtol);
        yield return KernelChecks.Compare(family, "fixture", "dw_hh", TransposeBack(gu.ToArray(), s.H, s.GateWidth).Select(v => (float)v).ToArray(), Expected(grads, "w_hh"), Atol, Rtol);
        yield return KernelChecks.Compare(family, "fixture", "db_ih", gb.ToArray(), Expected(grads, "b_ih"), Atol, Rtol);
        yield return KernelChecks.Compare(family, "fixture", "db_hh", gbr.ToArray(), Expected(grads, "b_hh"), Atol, Rtol);
    }

    /// <summary>Keras Attention()([v, v]): the input's gradient is dQuery + dValue.</summary>
    private IEnumerable<CheckResult> DotAttention(JsonElement f)
    {
        var (vs, v) = Fixtures.Tensor(f.GetProperty("inputs").GetProperty("v"));
        var s = new AttentionShape(vs[0], vs[1], vs[1], vs[2]);
        var acc = _acc!;
        using var dv = acc.Upload<float>(v.Select(x => (float)x).ToArray());
        using var weights = acc.Allocate<float>(s.ScoreLength);
        using var y = acc.Allocate<float>(s.QueryLength);
        using var dy = acc.Upload<float>(Fixtures.Floats(f.GetProperty("upstream").GetProperty("y")));
        using var gq = acc.Allocate<float>(s.QueryLength);
        using var gv = acc.Allocate<float>(s.ValueLength);
        using var scratch = acc.Allocate<float>(s.ScoreLength);
        Attention.Forward(s, dv, dv, 1f, null, weights, y);
        Attention.Backward(s, dv, dv, 1f, weights, dy, gq, gv, scratch);
        Elementwise.Add(gq, gv, gv);
        yield return KernelChecks.Compare("attention", "fixture", "y", y.ToArray(), Expected(f.GetProperty("outputs"), "y"), Atol, Rtol);
        yield return KernelChecks.Compare("attention", "fixture", "dv", gv.ToArray(), Expected(f.GetProperty("grads"), "v"), Atol, Rtol);
    }
}
