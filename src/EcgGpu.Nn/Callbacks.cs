namespace EcgGpu.Nn;

/// <summary>The figure a callback monitors; loss-like figures improve downwards.</summary>
public enum Metric { ValLoss, ValAccuracy, Loss, Accuracy }

internal static class MetricExtensions
{
    public static double? Read(this Metric m, EpochLog log) => m switch
    {
        Metric.ValLoss => log.ValLoss,
        Metric.ValAccuracy => log.ValAccuracy,
        Metric.Loss => log.Loss,
        _ => log.Accuracy,
    };

    public static bool LowerIsBetter(this Metric m) => m is Metric.ValLoss or Metric.Loss;

    public static bool Improved(this Metric m, double value, double best, double minDelta)
        => m.LowerIsBetter() ? value < best - minDelta : value > best + minDelta;

    public static double Value(this Metric m, EpochLog log)
        => m.Read(log) ?? throw new InvalidOperationException($"{m} is not available: give validation data to Fit");
}

/// <summary>Stops when the monitored figure has not improved for <c>patience</c> epochs; optionally restores the best weights.</summary>
public sealed class EarlyStopping(Metric monitor = Metric.ValLoss, int patience = 3, double minDelta = 0, bool restoreBestWeights = true) : ICallback
{
    private double _best;
    private int _bestEpoch, _wait;
    private List<float[]>? _bestWeights;

    public void OnTrainBegin(Sequential model)
    {
        _best = monitor.LowerIsBetter() ? double.PositiveInfinity : double.NegativeInfinity;
        _bestEpoch = 0;
        _wait = 0;
        _bestWeights = null;
    }

    public bool OnEpochEnd(Sequential model, EpochLog log, History history)
    {
        double value = monitor.Value(log);
        if (monitor.Improved(value, _best, minDelta))
        {
            _best = value;
            _bestEpoch = log.Epoch;
            _wait = 0;
            if (restoreBestWeights) _bestWeights = model.SnapshotWeights();
            return false;
        }
        if (++_wait < patience) return false;
        history.StopReason = $"early stopping: {monitor} did not improve for {patience} epochs (best {_best:G5} at epoch {_bestEpoch})";
        return true;
    }

    public void OnTrainEnd(Sequential model, History history)
    {
        if (_bestWeights is null || _bestEpoch == history.Epochs.Count) return;
        model.RestoreWeights(_bestWeights);
        history.RestoredEpoch = _bestEpoch;
    }
}

/// <summary>Multiplies the learning rate by <c>factor</c> when the monitored figure stalls for <c>patience</c> epochs.</summary>
public sealed class ReduceLROnPlateau(Metric monitor = Metric.ValLoss, float factor = 0.1f, int patience = 2, float minLearningRate = 0f, double minDelta = 1e-4) : ICallback
{
    private double _best;
    private int _wait;

    public void OnTrainBegin(Sequential model)
    {
        _best = monitor.LowerIsBetter() ? double.PositiveInfinity : double.NegativeInfinity;
        _wait = 0;
    }

    public bool OnEpochEnd(Sequential model, EpochLog log, History history)
    {
        double value = monitor.Value(log);
        if (monitor.Improved(value, _best, minDelta)) { _best = value; _wait = 0; return false; }
        if (++_wait >= patience)
        {
            var opt = model.Optimizer!;
            opt.LearningRate = Math.Max(minLearningRate, opt.LearningRate * factor);
            _wait = 0;
        }
        return false;
    }
}

/// <summary>Saves the model's weights to <c>path</c> after an epoch, only when the monitored figure improved if <c>saveBestOnly</c>.</summary>
public sealed class ModelCheckpoint(string path, Metric monitor = Metric.ValLoss, bool saveBestOnly = true,
    IReadOnlyDictionary<string, string>? metadata = null, bool includeTrainingState = false) : ICallback
{
    private double _best;

    public string Path { get; } = path;

    /// <summary>The value to beat from the start: a resumed run keeps the best checkpoint of the run before it.</summary>
    public double? InitialBest { get; init; }

    public void OnTrainBegin(Sequential model) => _best = InitialBest ?? (monitor.LowerIsBetter() ? double.PositiveInfinity : double.NegativeInfinity);

    public bool OnEpochEnd(Sequential model, EpochLog log, History history)
    {
        double value = monitor.Value(log);
        if (saveBestOnly && !monitor.Improved(value, _best, 0)) return false;
        _best = value;
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>())
        {
            ["epoch"] = log.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [monitor.ToString()] = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        };
        WeightFile.Save(model, Path, meta, includeTrainingState, log.Epoch);
        return false;
    }
}

/// <summary>
/// Appends one line per epoch to a CSV file (<c>epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds</c>),
/// as Keras's CSVLogger does; the header is written when the file is new or <c>append</c> is false.
/// Each line is flushed, so the file is complete up to the last finished epoch.
/// </summary>
public sealed class CsvLogger(string path, bool append = false, int? keepEpochsUpTo = null) : ICallback
{
    private const string Header = "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds";

    public string Path { get; } = path;

    public void OnTrainBegin(Sequential model)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (!append || !File.Exists(Path)) { File.WriteAllText(Path, Header + "\n"); return; }
        if (keepEpochsUpTo is int last)
        {
            // Resuming from epoch `last`: lines of later epochs (logged after that checkpoint) are dropped.
            var kept = File.ReadLines(Path).Skip(1).Where(l => int.TryParse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture, out int e) && e <= last).ToList();
            File.WriteAllLines(Path, kept.Prepend(Header));
        }
    }

    /// <summary>The epochs a CsvLogger wrote; a malformed line is an error naming the file and line.</summary>
    public static List<EpochLog> Read(string path)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var logs = new List<EpochLog>();
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            if (++number == 1 || line.Length == 0) continue;
            var f = line.Split(',');
            double? Opt(string v) => v.Length == 0 ? null : double.Parse(v, c);
            try
            {
                logs.Add(new EpochLog(int.Parse(f[0], c), double.Parse(f[1], c), double.Parse(f[2], c), Opt(f[3]), Opt(f[4]), float.Parse(f[5], c), double.Parse(f[6], c)));
            }
            catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
            {
                throw new InvalidDataException($"{path}, line {number}: not an epoch line ({Header})", e);
            }
        }
        return logs;
    }

    public bool OnEpochEnd(Sequential model, EpochLog log, History history)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string Opt(double? v) => v is null ? "" : v.Value.ToString("R", c);
        using var w = new StreamWriter(Path, append: true);
        w.WriteLine(string.Join(",", log.Epoch.ToString(c), log.Loss.ToString("R", c), log.Accuracy.ToString("R", c),
            Opt(log.ValLoss), Opt(log.ValAccuracy), log.LearningRate.ToString("R", c), log.Seconds.ToString("F3", c)));
        w.Flush();
        return false;
    }
}
