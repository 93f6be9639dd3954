using System.Diagnostics;
using System.Globalization;
using EcgGpu.Data;
using EcgGpu.Nn;
using EcgGpu.Nn.Parallel;
using EcgGpu.Runtime;

namespace EcgGpu.Evaluation;

/// <summary>
/// Settings of one training run. BatchSize and LearningRate: when not given, the model's <see cref="Zoo.Recipe"/> (the
/// reference notebooks' batch 64 and Adam 1e-3 but for cnn-gap); ClipNorm likewise. ValidationFraction:
/// the share of the training beats set aside, by default 10 % (stratified) or 20 % (whole records, see <see cref="Validation"/>).
/// </summary>
public sealed record ExperimentOptions(
    string Model, int Epochs = 20, int? BatchSize = null, float? LearningRate = null, int Seed = 1, int Patience = 3,
    string Features = "auto", double? ValidationFraction = null)
{
    /// <summary>
    /// A checkpoint with training state (the run's <c>last.safetensors</c>) to continue from: the same model and
    /// preprocessing, up to <see cref="Epochs"/> in all.
    /// </summary>
    public string? Resume { get; init; }

    /// <summary>With <see cref="Resume"/>: the learning rate to continue with instead of the checkpoint's.</summary>
    public float? ResumeLearningRate { get; init; }

    /// <summary>Replace a run already in the output folder (its files are removed first) instead of refusing.</summary>
    public bool Overwrite { get; init; }

    /// <summary>How training answers the classes' imbalance (MIT-BIH is about 83 % N): nothing, weighted loss, or oversampling.</summary>
    public ClassBalance Balance { get; init; } = ClassBalance.None;

    /// <summary>Epochs at the start that early stopping and learning-rate reduction do not watch (Keras's <c>start_from_epoch</c>).</summary>
    public int StartFromEpoch { get; init; }

    /// <summary>
    /// Epochs without a better val_loss before the learning rate is halved; by default one fewer than
    /// <see cref="Patience"/>. With a long patience that default halves the rate only an epoch before training
    /// stops; a shorter one gives the lower rate epochs to act (Keras's ReduceLROnPlateau patience).
    /// </summary>
    public int? LrPatience { get; init; }

    /// <summary>The patience of learning-rate reduction in effect: <see cref="LrPatience"/>, or one fewer than <see cref="Patience"/>.</summary>
    public int EffectiveLrPatience => LrPatience ?? Math.Max(1, Patience - 1);

    /// <summary>The batch size in effect: <see cref="BatchSize"/>, or the model's <see cref="Zoo.Recipe"/>.</summary>
    public int EffectiveBatchSize => BatchSize ?? Zoo.Recipe(Model).BatchSize;

    /// <summary>The initial learning rate in effect: <see cref="LearningRate"/>, or the model's <see cref="Zoo.Recipe"/>.</summary>
    public float EffectiveLearningRate => LearningRate ?? Zoo.Recipe(Model).LearningRate;

    /// <summary>
    /// Gradients are scaled to this global L2 norm at most before each step (Keras's <c>global_clipnorm</c>); when not
    /// given, the model's <see cref="Zoo.Recipe"/> (rnn-attention 1, the rest none). 0 turns a recipe's clip off.
    /// </summary>
    public float? ClipNorm { get; init; }

    /// <summary>The clip in effect: <see cref="ClipNorm"/> (0 meaning none), or the model's <see cref="Zoo.Recipe"/>.</summary>
    public float? EffectiveClipNorm => ClipNorm switch { null => Zoo.Recipe(Model).ClipNorm, 0f => null, var given => given };

    /// <summary>Which training beats are set aside for validation: by default whole records when the test holds other patients.</summary>
    public ValidationPart Validation { get; init; } = ValidationPart.Auto;

    /// <summary>Refuses settings no run can use (naming them, as <see cref="InvalidSettingException"/>), before any data is loaded.</summary>
    public void Validate()
    {
        static string Name(string property) => $"{nameof(ExperimentOptions)}.{property}";
        string Text(object v) => Convert.ToString(v, CultureInfo.InvariantCulture)!;
        if (Epochs < 1) throw new InvalidSettingException(Name(nameof(Epochs)), Text(Epochs), "must be at least 1");
        if (BatchSize is int batch && batch < 1) throw new InvalidSettingException(Name(nameof(BatchSize)), Text(batch), "must be at least 1");
        if (LearningRate is float rate && (!(rate > 0) || !float.IsFinite(rate))) throw new InvalidSettingException(Name(nameof(LearningRate)), Text(rate), "must be a positive number");
        if (Patience < 1) throw new InvalidSettingException(Name(nameof(Patience)), Text(Patience), "must be at least 1");
        if (ClipNorm is float clip && (!(clip >= 0) || !float.IsFinite(clip))) throw new InvalidSettingException(Name(nameof(ClipNorm)), Text(clip), "must be a positive number, or 0 for none");
        if (LrPatience is int lrPatience && lrPatience < 1) throw new InvalidSettingException(Name(nameof(LrPatience)), Text(lrPatience), "must be at least 1");
        if (ValidationFraction is double share && !(share > 0 && share < 1))
            throw new InvalidSettingException(Name(nameof(ValidationFraction)), Text(share), "must be strictly between 0 and 1");
        if (StartFromEpoch < 0 || StartFromEpoch >= Epochs)
            throw new InvalidSettingException(Name(nameof(StartFromEpoch)), Text(StartFromEpoch), $"must be at least 0 and under the {Epochs} epochs");
        if (Features is not ("auto" or "all" or "ig60")) throw new InvalidSettingException(Name(nameof(Features)), Features, "must be auto, all or ig60");
        // The rule of Experiment.FitPreprocessing, told before the data is loaded.
        int input = Zoo.InputLength(Model) - Zoo.RrInputs(Model);   // the beat part (two-input models also take RR features)
        if (Features == "all" && input != BeatFormat.Length)
            throw new InvalidSettingException(Name(nameof(Features)), Features, $"model '{Model}' takes the {input} information-gain samples; use ig60 or auto");
        if (Features == "ig60" && input != Zoo.SelectedFeatures)
            throw new InvalidSettingException(Name(nameof(Features)), Features, $"model '{Model}' takes the whole beat of {input} samples; ig60 is for cnn-ig, lstm and cnn-lstm");
        if (Resume is not null && !File.Exists(Resume)) throw new InvalidSettingException(Name(nameof(Resume)), Resume, "does not exist");
    }

    /// <summary>When set, this process is one rank of a data-parallel job: it trains its shards, and only rank 0 writes files.</summary>
    public DataParallel? DataParallel { get; init; }
}

/// <summary>One model's result on a test set: the metrics and, when it was trained here, how training went.</summary>
public sealed record ModelResult(
    string Model, string Backend, string Device, ClassificationMetrics Metrics, long Params,
    IReadOnlyList<EpochLog> Epochs, int BestEpoch, double TrainSeconds, string? StopReason)
{
    public int EpochsRun => Epochs.Count;

    /// <summary>The class-imbalance treatment the model was trained with.</summary>
    public ClassBalance Balance { get; init; } = ClassBalance.None;

    /// <summary>The run's seed (weights, shuffles, dropout, validation split).</summary>
    public int Seed { get; init; }

    /// <summary>The beats set aside for validation, e.g. "records 109, 209 (5,012 beats)" (empty when not known).</summary>
    public string Validation { get; init; } = "";

    /// <summary>Early-stopping patience (epochs without a better val_loss); 0 when not known.</summary>
    public int Patience { get; init; }

    /// <summary>Epochs without a better val_loss before the learning rate was halved; 0 when not known.</summary>
    public int LrPatience { get; init; }

    /// <summary>The batch size trained with; 0 when not known.</summary>
    public int BatchSize { get; init; }

    /// <summary>The learning rate training started with (before any reduction on plateau); 0 when not known.</summary>
    public float LearningRate { get; init; }

    /// <summary>The global gradient-norm clip trained with; null when none (or not known).</summary>
    public float? ClipNorm { get; init; }

    public IEnumerable<double> EpochSeconds => Epochs.Select(e => e.Seconds);

    /// <summary>The ranks' devices, shards and step times when the model was trained data-parallel.</summary>
    public DataParallel? DataParallel { get; init; }
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

    /// <summary>
    /// The preprocessing a model needs: the 60-input models take the information-gain top 60 with StandardScaler (as their
    /// notebook), lstm2 and gru2 the beat backwards (<see cref="Zoo.ReadsBeatBackwards"/>), cnn-gap the beat standardised
    /// (<see cref="Zoo.StandardisesBeat"/>), the rest the raw beat; <c>all</c> gives every whole-beat model the raw beat in
    /// order. The <c>-rr</c> models then take the beat's RR features (<see cref="RrFeatures.ModelColumns"/>).
    /// </summary>
    public static Preprocessing FitPreprocessing(string model, string features, BeatSet train, Accelerator accelerator)
    {
        var beat = FitBeatPreprocessing(model, features, train, accelerator);
        return Zoo.RrInputs(model) == 0 ? beat : beat with { RrColumns = [.. RrFeatures.ModelColumns] };
    }

    private static Preprocessing FitBeatPreprocessing(string model, string features, BeatSet train, Accelerator accelerator)
    {
        int input = Zoo.InputLength(model) - Zoo.RrInputs(model);
        return (features, input) switch
        {
            ("auto", Zoo.SelectedFeatures) or ("ig60", Zoo.SelectedFeatures) => Preprocessing.Fit(train, Zoo.SelectedFeatures, FeatureScaler.Standard, accelerator),
            ("auto", _) when input == train.Length && Zoo.ReadsBeatBackwards(model) => Preprocessing.Backwards(train.Length),
            ("auto", _) when input == train.Length && Zoo.StandardisesBeat(model) => Preprocessing.Fit(train, null, FeatureScaler.Standard),
            ("auto", _) or ("all", _) when input == train.Length => Preprocessing.None(train.Length),
            ("all", _) => throw new InvalidSettingException(FeaturesSetting, features, $"model '{model}' takes the {input} information-gain samples; use ig60 or auto"),
            ("ig60", _) => throw new InvalidSettingException(FeaturesSetting, features, $"model '{model}' takes the whole beat of {input} samples; ig60 is for cnn-ig, lstm and cnn-lstm"),
            _ => throw new InvalidSettingException(FeaturesSetting, features, "must be auto, all or ig60"),
        };
    }

    /// <summary>
    /// Refuses an output folder that another run holds, or that holds a run already when neither resuming nor
    /// overwriting; creates nothing. <see cref="Run"/> checks this too; call it first to fail before loading data.
    /// </summary>
    public static void CheckOutputFolder(string outDir, ExperimentOptions options)
    {
        RunFolder.ThrowIfInUse(outDir);
        if (options.Resume is null && !options.Overwrite && RunFolder.ExistingOutputs(outDir) is { Count: > 0 } existing)
            throw new RunFolderException($"{outDir} already holds a training run ({string.Join(", ", existing)}){(RunFolder.IsFinished(outDir) ? "" : ", unfinished")}; resume it, or overwrite it explicitly", holdsRun: true);
    }

    /// <summary>Refuses training data that cannot give a classifier and a validation figure: one class, or too few beats to set some aside.</summary>
    public static void CheckTrainable(BeatSet train, BeatSet fit, BeatSet validation)
    {
        var classes = train.Labels.Distinct().Order().ToList();
        if (classes.Count < 2)
            throw new ArgumentException($"the training data holds {train.Count} beat(s), all of class {(classes.Count == 0 ? "(none)" : BeatFormat.ClassNames[classes[0]])}; a classifier needs at least two classes");
        if (validation.Count == 0 || fit.Count == 0)
            throw new ArgumentException($"the training data holds {train.Count} beats, too few to set a validation part aside ({fit.Count} to train on, {validation.Count} to validate on); the validation figures would be of nothing");
    }

    public static ModelResult Run(Accelerator accelerator, BeatSet train, BeatSet test, ExperimentOptions options, string outDir,
        IProgress<EpochLog>? epochs = null, IProgress<StepProgress>? steps = null)
    {
        options.Validate();
        bool writes = options.DataParallel is null || options.DataParallel.Collectives.Rank == 0;   // rank 0 alone writes
        // Nothing is written before every check has passed: a refused run leaves no folder and no file.
        if (writes) CheckOutputFolder(outDir, options);
        var preprocessing = FitPreprocessing(options.Model, options.Features, train, accelerator);
        var (fit, validation, validationDescription) = options.Validation.Split(train, test, options.ValidationFraction, options.Seed);
        CheckTrainable(train, fit, validation);
        // Oversampling copies (and alters) raw beats of the training part only; validation and test keep their true mix.
        if (options.Balance == ClassBalance.Oversample) fit = Splits.Oversample(fit, options.Seed, augment: true);
        float[]? classWeights = options.Balance == ClassBalance.Weights ? ClassBalanceExtensions.BalancedWeights(fit.ClassCounts()) : null;
        fit = preprocessing.Apply(fit);
        validation = preprocessing.Apply(validation);
        var testInput = preprocessing.Apply(test);

        var weights = Path.Combine(outDir, "model.safetensors");
        var historyCsv = Path.Combine(outDir, "history.csv");
        var metadata = preprocessing.ToMetadata();
        metadata["backend"] = accelerator.Device.Kind.ToCliName();
        metadata["device"] = accelerator.Device.Name;
        var optimizer = new AdamOptimizer(options.EffectiveLearningRate) { GlobalClipNorm = options.EffectiveClipNorm };
        using var model = Zoo.Create(options.Model).Compile(accelerator, optimizer, options.EffectiveBatchSize, options.Seed);
        int initialEpoch = 0;
        double? bestSoFar = null;
        var earlier = new List<EpochLog>();
        if (options.Resume is { } resume)
        {
            initialEpoch = ResumeFrom(model, resume, options, metadata, outDir);
            if (options.ResumeLearningRate is float lr) model.Optimizer!.LearningRate = lr;
        }
        using var folder = writes ? RunFolder.Acquire(outDir) : null;
        if (options.Overwrite && options.Resume is null) folder?.RemoveOutputs();
        if (options.Resume is not null)
        {
            // The best checkpoint of the earlier run stays the one to beat; its epochs lead the history.
            if (File.Exists(weights) && WeightFile.ReadMetadata(weights).TryGetValue(nameof(Metric.ValLoss), out var v))
                bestSoFar = double.Parse(v, CultureInfo.InvariantCulture);
            if (File.Exists(historyCsv)) earlier = CsvLogger.Read(historyCsv).Where(e => e.Epoch <= initialEpoch).ToList();
        }
        ICallback[] watching =
        [
            new EarlyStopping(Metric.ValLoss, options.Patience, restoreBestWeights: true, startFromEpoch: options.StartFromEpoch),
            new ReduceLROnPlateau(Metric.ValLoss, factor: 0.5f, patience: options.EffectiveLrPatience, minLearningRate: 1e-5f, startFromEpoch: options.StartFromEpoch),
        ];
        ICallback[] callbacks = !writes ? watching :
        [
            .. watching,
            // The history line first, the checkpoints after: a run killed in between resumes from the epoch before
            // and drops the lines after it, so no epoch is ever lost from the history (the other order could).
            new CsvLogger(historyCsv, append: options.Resume is not null, keepEpochsUpTo: initialEpoch),
            new ModelCheckpoint(weights, Metric.ValLoss, saveBestOnly: true, metadata) { InitialBest = bestSoFar },
            // Every epoch, with Adam's moments, the dropout streams and the epoch: what ExperimentOptions.Resume continues from.
            new ModelCheckpoint(Path.Combine(outDir, "last.safetensors"), Metric.ValLoss, saveBestOnly: false, metadata, includeTrainingState: true),
        ];
        var clock = Stopwatch.StartNew();
        History history;
        try { history = model.Fit(Rows(fit), Rows(validation), new FitOptions(options.Epochs, Seed: options.Seed, ClassWeights: classWeights) { StepProgress = steps, InitialEpoch = initialEpoch, DataParallel = options.DataParallel }, callbacks, epochs); }
        catch (NonFiniteWeightsException e) { throw new TrainingDivergedException($"model {options.Model}: {e.Message}"); }   // a checkpoint refused: the weights went to infinity
        double trainSeconds = clock.Elapsed.TotalSeconds;
        int bestEpoch = history.RestoredEpoch ?? history.Epochs.LastOrDefault()?.Epoch ?? initialEpoch;
        if (options.Resume is not null && File.Exists(weights))
        {
            // The best weights of both runs are those in the best checkpoint (it was only overwritten by better ones).
            WeightFile.Load(model, weights);
            bestEpoch = int.Parse(WeightFile.ReadMetadata(weights)["epoch"], CultureInfo.InvariantCulture);
        }
        history.Epochs.InsertRange(0, earlier);

        ClassificationMetrics metrics;
        try { metrics = Score(model, testInput); }
        catch (InvalidDataException e)
        {
            // The input passed the loaders' checks, so weights that give NaN are training's doing.
            throw new TrainingDivergedException($"{e.Message}: training diverged (last training loss {history.Epochs.LastOrDefault()?.Loss:G3})");
        }
        var result = new ModelResult(options.Model, accelerator.Device.Kind.ToCliName(), accelerator.Device.Name, metrics, model.ParameterCount,
            history.Epochs, bestEpoch, trainSeconds, history.StopReason)
        {
            Balance = options.Balance, Seed = options.Seed, Validation = validationDescription, DataParallel = options.DataParallel,
            Patience = options.Patience, LrPatience = options.EffectiveLrPatience,
            BatchSize = options.EffectiveBatchSize, LearningRate = options.EffectiveLearningRate, ClipNorm = options.EffectiveClipNorm,
        };
        if (writes) Reports.WriteAll(outDir, result);
        return result;
    }

    /// <summary>Restores a checkpoint with training state after checking it belongs to this run; returns the epochs it had done.</summary>
    private static int ResumeFrom(Sequential model, string path, ExperimentOptions options, IReadOnlyDictionary<string, string> metadata, string outDir)
    {
        if (!File.Exists(path)) throw new InvalidSettingException(ResumeSetting, path, "does not exist");
        var stored = WeightFile.ReadMetadata(path);
        if (stored.GetValueOrDefault("model") != options.Model)
            throw new InvalidSettingException(ResumeSetting, path, $"holds model '{stored.GetValueOrDefault("model")}', not '{options.Model}'");
        if (stored.GetValueOrDefault("preprocessing_sha256") != metadata["preprocessing_sha256"])
            throw new InvalidSettingException(ResumeSetting, path, "was trained with other preprocessing (different data, features or seed)");
        int done = WeightFile.Resume(model, path);
        // Every epoch done but the reports not all written (killed while writing them): resuming writes them.
        if (done >= options.Epochs && RunFolder.IsFinished(outDir))
            throw new InvalidSettingException(ResumeSetting, path, $"already has {done} epochs, as many as the run asks for ({options.Epochs}); ask for more epochs");
        return done;
    }

    /// <summary>Metrics of a compiled model on beats already in its input format.</summary>
    public static ClassificationMetrics Score(Sequential model, BeatSet data)
    {
        var p = model.Predict(data.Samples);
        Predictions.RequireFinite(p, model.Classes, model.Name);
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
        if (!Zoo.AllNames.Contains(name)) throw new WeightFileException($"{weights}: model '{name}' is not in the zoo ({string.Join(", ", Zoo.AllNames)})");
        var preprocessing = Preprocessing.FromMetadata(metadata, Zoo.InputLength(name) - Zoo.RrInputs(name), weights, modelInput: Zoo.InputLength(name) - Zoo.RrInputs(name));
        var model = Zoo.Create(name).Compile(accelerator, batchSize: 256);
        try { WeightFile.Load(model, weights); }
        catch { model.Dispose(); throw; }
        return (model, preprocessing);
    }

    internal static string Invariant(double v, string format = "F4") => v.ToString(format, CultureInfo.InvariantCulture);
}
