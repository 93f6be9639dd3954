using System.Diagnostics;
using System.Globalization;
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Runtime;

namespace EcgGpu.Evaluation;

/// <summary>Settings of one training run; defaults follow the reference notebooks (Adam 1e-3, batch 64).</summary>
public sealed record ExperimentOptions(
    string Model, int Epochs = 20, int BatchSize = 64, float LearningRate = 1e-3f, int Seed = 1, int Patience = 3,
    string Features = "auto", double ValidationFraction = 0.1)
{
    /// <summary>
    /// A checkpoint with training state (the run's <c>last.safetensors</c>) to continue from: the same model and
    /// preprocessing, up to <see cref="Epochs"/> in all.
    /// </summary>
    public string? Resume { get; init; }

    /// <summary>Refuses settings no run can use (naming them, as <see cref="InvalidSettingException"/>), before any data is loaded.</summary>
    public void Validate()
    {
        static string Name(string property) => $"{nameof(ExperimentOptions)}.{property}";
        string Text(object v) => Convert.ToString(v, CultureInfo.InvariantCulture)!;
        if (Epochs < 1) throw new InvalidSettingException(Name(nameof(Epochs)), Text(Epochs), "must be at least 1");
        if (BatchSize < 1) throw new InvalidSettingException(Name(nameof(BatchSize)), Text(BatchSize), "must be at least 1");
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new InvalidSettingException(Name(nameof(LearningRate)), Text(LearningRate), "must be a positive number");
        if (Patience < 1) throw new InvalidSettingException(Name(nameof(Patience)), Text(Patience), "must be at least 1");
        if (Features is not ("auto" or "all" or "ig60")) throw new InvalidSettingException(Name(nameof(Features)), Features, "must be auto, all or ig60");
        if (Resume is not null && !File.Exists(Resume)) throw new InvalidSettingException(Name(nameof(Resume)), Resume, "does not exist");
    }
}

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
    private const string FeaturesSetting = $"{nameof(ExperimentOptions)}.{nameof(ExperimentOptions.Features)}";
    private const string ResumeSetting = $"{nameof(ExperimentOptions)}.{nameof(ExperimentOptions.Resume)}";

    /// <summary>The preprocessing a model needs: the 60-input models take the information-gain top 60 with StandardScaler (as their notebook), the rest the raw beat.</summary>
    public static Preprocessing FitPreprocessing(string model, string features, BeatSet train, Accelerator accelerator)
    {
        int input = Zoo.InputLength(model);
        return (features, input) switch
        {
            ("auto", Zoo.SelectedFeatures) or ("ig60", Zoo.SelectedFeatures) => Preprocessing.Fit(train, Zoo.SelectedFeatures, FeatureScaler.Standard, accelerator),
            ("auto", _) or ("all", _) when input == train.Length => Preprocessing.None(train.Length),
            ("all", _) => throw new InvalidSettingException(FeaturesSetting, features, $"model '{model}' takes the {input} information-gain samples; use ig60 or auto"),
            ("ig60", _) => throw new InvalidSettingException(FeaturesSetting, features, $"model '{model}' takes the whole beat of {input} samples; ig60 is for cnn-ig, lstm and cnn-lstm"),
            _ => throw new InvalidSettingException(FeaturesSetting, features, "must be auto, all or ig60"),
        };
    }

    public static ModelResult Run(Accelerator accelerator, BeatSet train, BeatSet test, ExperimentOptions options, string outDir,
        IProgress<EpochLog>? epochs = null, IProgress<StepProgress>? steps = null)
    {
        options.Validate();
        Directory.CreateDirectory(outDir);
        var preprocessing = FitPreprocessing(options.Model, options.Features, train, accelerator);
        var (fit, validation) = Splits.Stratified(train, options.ValidationFraction, options.Seed);
        fit = preprocessing.Apply(fit);
        validation = preprocessing.Apply(validation);
        var testInput = preprocessing.Apply(test);

        var weights = Path.Combine(outDir, "model.safetensors");
        var historyCsv = Path.Combine(outDir, "history.csv");
        var metadata = preprocessing.ToMetadata();
        metadata["backend"] = accelerator.Device.Kind.ToCliName();
        metadata["device"] = accelerator.Device.Name;
        using var model = Zoo.Create(options.Model).Compile(accelerator, new AdamOptimizer(options.LearningRate), options.BatchSize, options.Seed);
        int initialEpoch = 0;
        double? bestSoFar = null;
        var earlier = new List<EpochLog>();
        if (options.Resume is { } resume)
        {
            initialEpoch = ResumeFrom(model, resume, options, metadata);
            // The best checkpoint of the earlier run stays the one to beat; its epochs lead the history.
            if (File.Exists(weights) && WeightFile.ReadMetadata(weights).TryGetValue(nameof(Metric.ValLoss), out var v))
                bestSoFar = double.Parse(v, CultureInfo.InvariantCulture);
            if (File.Exists(historyCsv)) earlier = CsvLogger.Read(historyCsv).Where(e => e.Epoch <= initialEpoch).ToList();
        }
        var callbacks = new ICallback[]
        {
            new EarlyStopping(Metric.ValLoss, options.Patience, restoreBestWeights: true),
            new ReduceLROnPlateau(Metric.ValLoss, factor: 0.5f, patience: Math.Max(1, options.Patience - 1), minLearningRate: 1e-5f),
            new ModelCheckpoint(weights, Metric.ValLoss, saveBestOnly: true, metadata) { InitialBest = bestSoFar },
            // Every epoch, with Adam's moments, the dropout streams and the epoch: what ExperimentOptions.Resume continues from.
            new ModelCheckpoint(Path.Combine(outDir, "last.safetensors"), Metric.ValLoss, saveBestOnly: false, metadata, includeTrainingState: true),
            new CsvLogger(historyCsv, append: options.Resume is not null, keepEpochsUpTo: initialEpoch),
        };
        var clock = Stopwatch.StartNew();
        var history = model.Fit(Rows(fit), Rows(validation), new FitOptions(options.Epochs, Seed: options.Seed) { StepProgress = steps, InitialEpoch = initialEpoch }, callbacks, epochs);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        int bestEpoch = history.RestoredEpoch ?? history.Epochs.LastOrDefault()?.Epoch ?? initialEpoch;
        if (options.Resume is not null && File.Exists(weights))
        {
            // The best weights of both runs are those in the best checkpoint (it was only overwritten by better ones).
            WeightFile.Load(model, weights);
            bestEpoch = int.Parse(WeightFile.ReadMetadata(weights)["epoch"], CultureInfo.InvariantCulture);
        }
        history.Epochs.InsertRange(0, earlier);

        var metrics = Score(model, testInput);
        var result = new ModelResult(options.Model, accelerator.Device.Kind.ToCliName(), accelerator.Device.Name, metrics, model.ParameterCount,
            history.Epochs, bestEpoch, trainSeconds, history.StopReason);
        Reports.WriteAll(outDir, result);
        return result;
    }

    /// <summary>Restores a checkpoint with training state after checking it belongs to this run; returns the epochs it had done.</summary>
    private static int ResumeFrom(Sequential model, string path, ExperimentOptions options, IReadOnlyDictionary<string, string> metadata)
    {
        if (!File.Exists(path)) throw new InvalidSettingException(ResumeSetting, path, "does not exist");
        var stored = WeightFile.ReadMetadata(path);
        if (stored.GetValueOrDefault("model") != options.Model)
            throw new InvalidSettingException(ResumeSetting, path, $"holds model '{stored.GetValueOrDefault("model")}', not '{options.Model}'");
        if (stored.GetValueOrDefault("preprocessing_sha256") != metadata["preprocessing_sha256"])
            throw new InvalidSettingException(ResumeSetting, path, "was trained with other preprocessing (different data, features or seed)");
        int done = WeightFile.Resume(model, path);
        if (done >= options.Epochs)
            throw new InvalidSettingException(ResumeSetting, path, $"already has {done} epochs, as many as the run asks for ({options.Epochs}); ask for more epochs");
        return done;
    }

    /// <summary>Metrics of a compiled model on beats already in its input format.</summary>
    public static ClassificationMetrics Score(Sequential model, BeatSet data)
    {
        var p = model.Predict(data.Samples);
        return ClassificationMetrics.FromScores(data.Labels, ToRows(p, model.Classes), BeatFormat.ClassNames);
    }

    public static double[][] ToRows(float[] probabilities, int classes)
        => Enumerable.Range(0, probabilities.Length / classes).Select(r => probabilities.AsSpan(r * classes, classes).ToArray().Select(v => (double)v).ToArray()).ToArray();

    public static LabeledRows Rows(BeatSet s) => new(s.Samples, s.Labels, s.Length);

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
