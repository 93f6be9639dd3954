using System.Diagnostics;
using System.Globalization;
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;

namespace EcgGpu.Evaluation;

/// <summary>Settings of one training run; defaults follow the reference notebooks (Adam 1e-3, batch 64).</summary>
public sealed record ExperimentOptions(
    string Model, int Epochs = 20, int BatchSize = 64, float LearningRate = 1e-3f, int Seed = 1, int Patience = 3,
    string Features = "auto", double ValidationFraction = 0.1);

/// <summary>One model's result on a test set: the metrics and, when it was trained here, how training went.</summary>
public sealed record ModelResult(
    string Model, string Backend, string Device, ClassificationMetrics Metrics, long Params,
    IReadOnlyList<EpochLog> Epochs, int BestEpoch, double TrainSeconds, string? StopReason)
{
    public int EpochsRun => Epochs.Count;
    public IEnumerable<double> EpochSeconds => Epochs.Select(e => e.Seconds);
}

/// <summary>
/// Trains one zoo model and evaluates it on the test beats, writing what <c>ecg train</c> promises:
/// <c>model.safetensors</c> (best weights, with the preprocessing), <c>history.csv</c>,
/// <c>metrics.json</c>, <c>report.md</c> and <c>report.html</c>.
/// </summary>
public static class Experiment
{
    public static IReadOnlyList<string> ClassNames { get; } = ["N", "S", "V", "F", "Q"];

    /// <summary>The preprocessing a model needs: the 60-input models take the information-gain top 60 with StandardScaler (as their notebook), the rest the raw beat.</summary>
    public static Preprocessing FitPreprocessing(string model, string features, BeatSet train, Accelerator accelerator)
    {
        int input = Zoo.InputLength(model);
        return (features, input) switch
        {
            ("auto", Zoo.SelectedFeatures) or ("ig60", Zoo.SelectedFeatures) => Preprocessing.Fit(train, Zoo.SelectedFeatures, FeatureScaler.Standard, accelerator),
            ("auto", _) or ("all", _) when input == train.Length => Preprocessing.None(train.Length),
            ("all", _) => throw new ArgumentException($"model '{model}' takes the {input} information-gain samples; use --features ig60 or auto"),
            ("ig60", _) => throw new ArgumentException($"model '{model}' takes the whole beat of {input} samples; --features ig60 is for cnn-ig, lstm and cnn-lstm"),
            _ => throw new ArgumentException($"--features must be auto, all or ig60, not '{features}'"),
        };
    }

    public static ModelResult Run(Accelerator accelerator, BeatSet train, BeatSet test, ExperimentOptions options, string outDir,
        IProgress<EpochLog>? epochs = null, IProgress<StepProgress>? steps = null)
    {
        Directory.CreateDirectory(outDir);
        var preprocessing = FitPreprocessing(options.Model, options.Features, train, accelerator);
        var (fit, validation) = Splits.Stratified(train, options.ValidationFraction, options.Seed);
        fit = preprocessing.Apply(fit);
        validation = preprocessing.Apply(validation);
        var testInput = preprocessing.Apply(test);

        var weights = Path.Combine(outDir, "model.safetensors");
        var metadata = preprocessing.ToMetadata();
        metadata["backend"] = accelerator.Device.Kind.ToCliName();
        metadata["device"] = accelerator.Device.Name;
        using var model = Zoo.Create(options.Model).Compile(accelerator, new AdamOptimizer(options.LearningRate), options.BatchSize, options.Seed);
        var callbacks = new ICallback[]
        {
            new EarlyStopping(Metric.ValLoss, options.Patience, restoreBestWeights: true),
            new ReduceLROnPlateau(Metric.ValLoss, factor: 0.5f, patience: Math.Max(1, options.Patience - 1), minLearningRate: 1e-5f),
            new ModelCheckpoint(weights, Metric.ValLoss, saveBestOnly: true, metadata),
            new CsvLogger(Path.Combine(outDir, "history.csv")),
        };
        var clock = Stopwatch.StartNew();
        var history = model.Fit(Rows(fit), Rows(validation), new FitOptions(options.Epochs, Seed: options.Seed) { StepProgress = steps }, callbacks, epochs);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        int bestEpoch = history.RestoredEpoch ?? history.Epochs.Count;

        var metrics = Score(model, testInput);
        var result = new ModelResult(options.Model, accelerator.Device.Kind.ToCliName(), accelerator.Device.Name, metrics, model.ParameterCount,
            history.Epochs, bestEpoch, trainSeconds, history.StopReason);
        Reports.WriteAll(outDir, result);
        return result;
    }

    /// <summary>Metrics of a compiled model on beats already in its input format.</summary>
    public static ClassificationMetrics Score(Sequential model, BeatSet data)
    {
        var p = model.Predict(data.Samples);
        return ClassificationMetrics.FromScores(data.Labels, ToRows(p, model.Classes), ClassNames);
    }

    public static double[][] ToRows(float[] probabilities, int classes)
        => Enumerable.Range(0, probabilities.Length / classes).Select(r => probabilities.AsSpan(r * classes, classes).ToArray().Select(v => (double)v).ToArray()).ToArray();

    public static Dataset Rows(BeatSet s) => new(s.Samples, s.Labels, s.Length);

    /// <summary>A trained model from its weight file, with the preprocessing stored beside the weights.</summary>
    public static (Sequential Model, Preprocessing Preprocessing) Load(string weights, Accelerator accelerator)
    {
        var metadata = WeightFile.ReadMetadata(weights);
        if (!metadata.TryGetValue("model", out var name)) throw new WeightFileException($"{weights}: no model name in the metadata");
        if (!Zoo.Names.Contains(name)) throw new WeightFileException($"{weights}: model '{name}' is not in the zoo ({string.Join(", ", Zoo.Names)})");
        var preprocessing = Preprocessing.FromMetadata(metadata, Zoo.InputLength(name), weights);
        var model = Zoo.Create(name).Compile(accelerator, batchSize: 256);
        try { WeightFile.Load(model, weights); }
        catch { model.Dispose(); throw; }
        return (model, preprocessing);
    }

    internal static string Invariant(double v, string format = "F4") => v.ToString(format, CultureInfo.InvariantCulture);
}
