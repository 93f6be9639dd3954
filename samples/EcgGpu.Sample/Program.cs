// A library consumer doing what `ecg train`, `ecg evaluate` and `ecg predict` do, in a few lines.
// dotnet run -c Release [-- [--data DIR | --mitdb DIR] [model] [epochs]]  (default: synthetic beats, cnn, 5 epochs)
using EcgGpu.Data;
using EcgGpu.Evaluation;
using EcgGpu.Nn;
using EcgGpu.Runtime;

string? Flag(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var rest = args.Where((a, i) => !a.StartsWith("--") && (i == 0 || !args[i - 1].StartsWith("--"))).ToArray();
string model = rest.Length > 0 ? rest[0] : "cnn";
int epochs = rest.Length > 1 ? int.Parse(rest[1]) : 5;
string outDir = Path.Combine(Path.GetTempPath(), "ecggpu-sample", model);

// The best device present: ILGPU on a CUDA GPU, else on an OpenCL GPU, else the managed SIMD CPU backend ("cpu").
using var accelerator = Context.Create().Default.CreateAccelerator();
// Kaggle's CSV files, raw MIT-BIH records (extracted once, split 80/20 by class and cached) or synthetic beats.
var (train, test, description) = BeatSource.Choose(Flag("--data"), Flag("--mitdb")).Load(new Progress<string>(Console.WriteLine));

// Train and evaluate: the model's preprocessing fitted on the training beats, Adam with early stopping and LR
// reduction, the best weights checkpointed to model.safetensors, metrics and reports written to outDir.
var result = Experiment.Run(accelerator, train, test, new ExperimentOptions(model, Epochs: epochs), outDir,
    new Progress<EpochLog>(e => Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F4} val_acc {e.ValAccuracy:F4} ({e.Seconds:F1} s)")));
Console.WriteLine($"{model} on {result.Device}, {description}: accuracy {result.Metrics.Accuracy:F4}, macro-F1 {result.Metrics.Macro.F1:F4}");
Console.WriteLine(result.Metrics.ClassificationReport());

// Predict later, as an application would: the weight file carries the preprocessing the model needs.
var (trained, preprocessing) = Experiment.Load(Path.Combine(outDir, "model.safetensors"), accelerator);
using (trained)
{
    var beats = preprocessing.Apply(test.Take(Enumerable.Range(0, Math.Min(10, test.Count)).ToArray()));
    Console.WriteLine($"first beats, predicted: {string.Join(" ", trained.PredictClasses(beats.Samples).Select(c => (BeatClass)c))}");
    Console.WriteLine($"first beats, true:      {string.Join(" ", beats.Labels.Select(c => (BeatClass)c))}");
}
Console.WriteLine($"reports in {outDir}");
