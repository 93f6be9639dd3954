// A library consumer: train a heartbeat classifier on the best device present, then predict.
// dotnet run -c Release [--mitdb DIR [model] [epochs]]  (default: synthetic beats, cnn, 5 epochs)
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;

var device = Context.Create().Default;                       // ILGPU on a CUDA GPU, else on an OpenCL GPU, else the managed SIMD CPU backend ("cpu")
using var accelerator = device.CreateAccelerator();
var (train, test) = args is ["--mitdb", var dir, ..] ? MitdbSplit(dir) : (SyntheticBeats.Generate(2000, 1), SyntheticBeats.Generate(500, 2));
string name = args.Length > 2 ? args[2] : "cnn";
using var model = Zoo.Create(name).Compile(accelerator, new AdamOptimizer(1e-3f), batchSize: 64);
Console.WriteLine(model.Summary());
var history = model.Fit(Rows(train), Rows(test), new FitOptions(Epochs: args.Length > 3 ? int.Parse(args[3]) : 5), [new EarlyStopping(Metric.ValLoss, patience: 2)],
    new Progress<EpochLog>(e => Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F4} acc {e.Accuracy:F4} val_acc {e.ValAccuracy:F4} ({e.Seconds:F1} s)")));
var evaluation = model.Evaluate(Rows(test));
Console.WriteLine($"{name} on {device.Name}: test accuracy {evaluation.Accuracy:F4} on {evaluation.Rows} beats");
Console.WriteLine($"first ten predicted: {string.Join(" ", model.PredictClasses(test.Samples[..(10 * test.Length)]).Select(c => (BeatClass)c))}");

static LabeledRows Rows(BeatSet s) => new(s.Samples, s.Labels, s.Length);

// MIT-BIH beats, split 80/20 stratified by class as the Kaggle files are (a patient's beats land on both sides).
static (BeatSet, BeatSet) MitdbSplit(string dir) => Splits.Stratified(Mitdb.ExtractAll(dir).Beats, 0.2, seed: 1);
