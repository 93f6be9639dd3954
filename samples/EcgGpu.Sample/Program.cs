// A library consumer: train a heartbeat classifier on the best device present, then predict.
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;

var device = Context.Create().Default;                       // a CUDA GPU, else an OpenCL GPU, else the CPU
using var accelerator = device.CreateAccelerator();
var train = SyntheticBeats.Generate(2000, seed: 1);          // or Kaggle/MIT-BIH beats
var test = SyntheticBeats.Generate(500, seed: 2);
using var model = Zoo.Create("cnn").Compile(accelerator, new AdamOptimizer(1e-3f), batchSize: 64);
Console.WriteLine(model.Summary());
var history = model.Fit(new Dataset(train.Samples, train.Labels, train.Length), new Dataset(test.Samples, test.Labels, test.Length),
    new FitOptions(Epochs: 5), [new EarlyStopping(Metric.ValLoss, patience: 2)],
    new Progress<EpochLog>(e => Console.WriteLine($"epoch {e.Epoch}: loss {e.Loss:F4} acc {e.Accuracy:F3} val_acc {e.ValAccuracy:F3} ({e.Seconds:F1} s)")));
var evaluation = model.Evaluate(new Dataset(test.Samples, test.Labels, test.Length));
Console.WriteLine($"{device.Name}: test accuracy {evaluation.Accuracy:F3}");
var classes = model.PredictClasses(test.Samples[..(10 * test.Length)]);
Console.WriteLine($"first ten predicted: {string.Join(" ", classes.Select(c => (BeatClass)c))}");
