using System.Diagnostics;
using System.Globalization;
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Onnx;
using EcgGpu.Runtime.Cpu;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using NUnit.Framework;

namespace EcgGpu.Tests;

/// <summary>
/// Every zoo model exported to ONNX gives, under ONNX Runtime on raw beats, the probabilities that our
/// Predict gives on the preprocessed beats; the files pass ONNX's own checker where python3-onnx is installed.
/// </summary>
public sealed class OnnxExportTests
{
    private const int Beats = 256;

    public static IEnumerable<string> Models => Zoo.AllNames;

    /// <summary>
    /// A zoo model on the CPU backend with every parameter moved off its initial value (biases are zero at
    /// first, which would hide a misplaced bias or gate), and the preprocessing `ecg train` would store: for the
    /// 60-input models, 60 columns in a scrambled order and a StandardScaler fitted on the beats; for the models
    /// that take RR features, random ratios near 1 as the beats' nine RR features, of which the model takes five.
    /// </summary>
    private static (Sequential Model, Preprocessing Preprocessing, BeatSet Beats) Perturbed(string name, int seed)
    {
        var random = new Random(seed);
        var beats = SyntheticBeats.Generate(Beats, seed);
        // Noise on every sample, the zero-padded tail included: a recurrent model with random weights forgets
        // the beat while it reads a tail of zeros, and would give every beat the same answer.
        for (int i = 0; i < beats.Samples.Length; i++) beats.Samples[i] = 0.7f * beats.Samples[i] + 0.3f * (float)random.NextDouble();
        var accelerator = CpuAccelerator.Create();
        var model = Zoo.Create(name).Compile(accelerator, batchSize: 128, seed: seed);
        foreach (var p in model.Parameters)
        {
            var values = p.Value.ToArray();
            for (int i = 0; i < values.Length; i++) values[i] += (float)(random.NextDouble() - 0.5) * 0.1f;
            p.Value.Upload(values);
        }
        if (Zoo.RrInputs(name) > 0)
            beats = beats with { Rr = Enumerable.Range(0, Beats * RrFeatures.Count).Select(_ => 0.7f + 0.6f * (float)random.NextDouble()).ToArray() };
        Preprocessing preprocessing;
        if (Zoo.InputLength(name) == Zoo.SelectedFeatures)
        {
            var columns = Enumerable.Range(0, beats.Length).ToArray();
            random.Shuffle(columns);
            var features = columns[..Zoo.SelectedFeatures];
            preprocessing = new Preprocessing(beats.Length, features, FeatureScaler.FitStandard(beats.SelectColumns(features)));
        }
        else
        {
            // What Experiment fits: lstm2 and gru2 read the beat backwards (a Gather in the export), cnn-gap takes it
            // standardised (Sub and Mul), the -rr models append their RR columns.
            preprocessing = Experiment.FitPreprocessing(name, "auto", beats, accelerator);
        }
        SpreadLogits(model, preprocessing.Apply(beats.Take(Enumerable.Range(0, 64).ToArray())), random);
        return (model, preprocessing, beats);
    }

    /// <summary>How far the probability of the most variable class ranges across the beats.</summary>
    private static double Spread(float[] probabilities) => Enumerable.Range(0, BeatFormat.Classes).Max(c =>
    {
        var column = Enumerable.Range(0, probabilities.Length / BeatFormat.Classes).Select(b => probabilities[b * BeatFormat.Classes + c]).ToArray();
        return column.Max() - column.Min();
    });

    /// <summary>
    /// Random weights pass little of the beat to the last layer: what reaches it is a large common part and a
    /// small varying one, so the probabilities hardly differ between beats. The last Dense is set to act on the
    /// features standardised over <paramref name="probe"/> (weights ±1/√F, centring folded into the bias), so that
    /// its logits vary by about one from beat to beat and any mismatch shows in the probabilities.
    /// </summary>
    private static void SpreadLogits(Sequential model, BeatSet probe, Random random)
    {
        int n = probe.Count;
        using var x = model.Accelerator!.Upload<float>(probe.Samples);
        var h = x;
        foreach (var layer in model.Layers.SkipLast(1)) h = layer.Forward(h, n, training: false);
        int features = model.Layers[^1].InputShape[0];
        var values = h.ToArray().AsSpan(0, n * features).ToArray();
        var kernel = new float[features * BeatFormat.Classes];
        var bias = new float[BeatFormat.Classes];
        for (int f = 0; f < features; f++)
        {
            var column = Enumerable.Range(0, n).Select(b => (double)values[b * features + f]).ToArray();
            double mean = column.Average(), std = Math.Sqrt(column.Average(v => (v - mean) * (v - mean))) + 1e-3;
            for (int c = 0; c < BeatFormat.Classes; c++)
            {
                double w = (random.NextDouble() * 2 - 1) * Math.Sqrt(3.0 / features) / std;
                kernel[f * BeatFormat.Classes + c] = (float)w;
                bias[c] -= (float)(w * mean);
            }
        }
        model.Layers[^1].Parameters.Single(p => p.Name == "kernel").Value.Upload(kernel);
        model.Layers[^1].Parameters.Single(p => p.Name == "bias").Value.Upload(bias);
    }

    /// <summary>ONNX Runtime on raw beats, and their RR features when they have them.</summary>
    private static float[] RunOnnx(byte[] onnx, BeatSet beats)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        var inputs = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(OnnxExporter.InputName, new DenseTensor<float>(beats.Samples, [beats.Count, beats.Length])) };
        if (beats.Rr is { } rr) inputs.Add(NamedOnnxValue.CreateFromTensor(OnnxExporter.RrInputName, new DenseTensor<float>(rr, [beats.Count, RrFeatures.Count])));
        using var results = session.Run(inputs);
        var output = results.Single(r => r.Name == OnnxExporter.OutputName).AsTensor<float>();
        Assert.That(output.Dimensions.ToArray(), Is.EqualTo(new[] { beats.Count, BeatFormat.Classes }));
        return output.ToArray();
    }

    [TestCaseSource(nameof(Models))]
    public void Onnx_runtime_gives_our_probabilities_on_raw_beats(string name)
    {
        var (model, preprocessing, beats) = Perturbed(name, seed: 7);
        using (model)
        {
            var ours = model.Predict(preprocessing.Apply(beats).Samples);
            var onnx = RunOnnx(OnnxExporter.ToBytes(model, preprocessing), beats);
            double worst = ours.Zip(onnx, (a, b) => Math.Abs(a - b)).Max();
            // The perturbed model must not give every beat the same answer, or agreement would prove little.
            double spread = Spread(ours);
            TestContext.Out.WriteLine($"{name}: largest difference {worst:E2} over {Beats} beats; a class's probability spans up to {spread:F4} across beats");
            Assert.That(onnx, Is.EqualTo(ours).Within(1e-4f));
            Assert.That(spread, Is.GreaterThan(0.05), "the model gives nearly the same probabilities to every beat");
        }
    }

    [Test]
    public void Export_reports_the_operators_and_refuses_a_preprocessing_of_the_wrong_width()
    {
        var (model, preprocessing, _) = Perturbed("lstm", seed: 3);
        using (model)
        {
            using var stream = new MemoryStream();
            var summary = OnnxExporter.Export(model, stream, preprocessing);
            Assert.That(summary.Opset, Is.GreaterThanOrEqualTo(17));
            Assert.That(summary.Operators, Is.SupersetOf(new[] { "Gather", "Sub", "Mul", "LSTM", "Gemm", "Softmax" }));
            Assert.That(summary.InputLength, Is.EqualTo(187));
            Assert.That(summary.RrInputLength, Is.EqualTo(0));
            var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(model, Preprocessing.None(187)));
            Assert.That(ex!.Message, Does.Contain("takes 60"));
        }
    }

    [Test]
    public void A_model_with_rr_features_takes_them_as_a_second_input()
    {
        var (model, preprocessing, _) = Perturbed("cnn-rr", seed: 3);
        using (model)
        {
            var summary = OnnxExporter.Export(model, new MemoryStream(), preprocessing);
            // The graph takes all nine RR features `ecg prepare` writes and picks the model's five, as predict does.
            Assert.That((summary.InputLength, summary.RrInputLength), Is.EqualTo((187, RrFeatures.Count)));
            Assert.That(summary.Operators, Is.SupersetOf(new[] { "Gather", "Concat", "Slice", "BatchNormalization", "Conv", "MaxPool", "Flatten" }));
            Assert.That(OnnxExporter.Export(model, new MemoryStream()).RrInputLength, Is.EqualTo(Zoo.RrModelFeatures));
        }
    }

    [Test]
    public void Every_export_passes_the_onnx_checker()
    {
        if (!PythonOnnxAvailable(out var why)) Assert.Ignore($"ONNX's checker is not available here ({why}); install Debian's python3-onnx");
        var dir = Directory.CreateTempSubdirectory("ecg-onnx-").FullName;
        try
        {
            foreach (var name in Zoo.AllNames)
            {
                var (model, preprocessing, _) = Perturbed(name, seed: 1);
                using (model) OnnxExporter.Export(model, Path.Combine(dir, name + ".onnx"), preprocessing);
            }
            // full_check also runs ONNX's shape inference, which must agree with the shapes we declared.
            var (code, output) = Python(
                "import onnx, sys, glob\n" +
                "for f in sorted(glob.glob(sys.argv[1] + '/*.onnx')):\n" +
                "    m = onnx.load(f)\n" +
                "    onnx.checker.check_model(m, full_check=True)\n" +
                "    print('ok', f, ' '.join(dict.fromkeys(n.op_type for n in m.graph.node)))\n", dir);
            TestContext.Out.WriteLine(output);
            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)), Is.EqualTo(Zoo.AllNames.Count));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void Ecg_export_then_onnx_runtime_matches_ecg_predict()
    {
        var dir = Directory.CreateTempSubdirectory("ecg-export-").FullName;
        try
        {
            var (model, preprocessing, beats) = Perturbed("cnn-ig", seed: 5);
            var weights = Path.Combine(dir, "model.safetensors");
            using (model) WeightFile.Save(model, weights, preprocessing.ToMetadata());
            var csv = Path.Combine(dir, "beats.csv");
            KaggleCsv.Write(csv, beats);
            var predictions = Path.Combine(dir, "predictions.csv");
            var onnxPath = Path.Combine(dir, "model.onnx");
            Assert.That(Cli.EcgTool.Root().Parse(["export", "--weights", weights, "--format", "onnx", "--out", onnxPath]).Invoke(), Is.EqualTo(0));
            Assert.That(Cli.EcgTool.Root().Parse(["predict", "--backend", "cpu", "--weights", weights, "--input", csv, "--output", predictions]).Invoke(), Is.EqualTo(0));
            var predicted = File.ReadAllLines(predictions).Skip(1)
                .SelectMany(l => l.Split(',')[4..].Select(v => float.Parse(v, CultureInfo.InvariantCulture))).ToArray();
            Assert.That(RunOnnx(File.ReadAllBytes(onnxPath), KaggleCsv.ReadForPrediction(csv)), Is.EqualTo(predicted).Within(1e-4f));
            Assert.That(Cli.EcgTool.Root().Parse(["export", "--weights", Path.Combine(dir, "absent.safetensors"), "--out", onnxPath]).Invoke(), Is.EqualTo(2));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void Gates_are_reordered_and_transposed_to_onnxs_layout()
    {
        // Two inputs, one unit, LSTM gates i f c o at columns 0..3 of each row; ONNX wants rows i o f c.
        float[] keras = [0, 1, 2, 3, 10, 11, 12, 13];
        Assert.That(RecurrentExport.ToOnnxGates(keras, rows: 2, units: 1, RecurrentExport.GateOrder(new Nn.Layers.LSTM(1))),
            Is.EqualTo(new float[] { 0, 10, 3, 13, 1, 11, 2, 12 }));
        Assert.That(RecurrentExport.ToOnnxGates([0, 1, 2], rows: 1, units: 1, RecurrentExport.GateOrder(new Nn.Layers.GRU(1))),
            Is.EqualTo(new float[] { 1, 0, 2 }));
    }

    /// <summary>
    /// The first Python that imports onnx: $ECG_PYTHON, then python3 on the PATH, then Debian's /usr/bin/python3
    /// (where apt's python3-onnx lands even when another python3 comes first on the PATH).
    /// </summary>
    private static readonly Lazy<(string? Python, string Why)> OnnxPython = new(() =>
    {
        var tried = new List<string>();
        foreach (var candidate in new[] { Environment.GetEnvironmentVariable("ECG_PYTHON"), "python3", "/usr/bin/python3" }.OfType<string>().Where(c => c.Length > 0).Distinct())
        {
            try
            {
                var (code, output) = Run(candidate, "import onnx; print(onnx.__version__)");
                if (code == 0) return (candidate, "");
                tried.Add($"{candidate}: {output.Trim().Split('\n')[^1]}");
            }
            catch (System.ComponentModel.Win32Exception e) { tried.Add($"{candidate}: {e.Message}"); }
        }
        return (null, string.Join("; ", tried));
    });

    private static bool PythonOnnxAvailable(out string why)
    {
        why = OnnxPython.Value.Why;
        return OnnxPython.Value.Python is not null;
    }

    private static (int Code, string Output) Python(string script, params string[] args) => Run(OnnxPython.Value.Python!, script, args);

    private static (int Code, string Output) Run(string python, string script, params string[] args)
    {
        var info = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
