namespace EcgGpu.Nn;

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
