namespace EcgGpu.Nn;

/// <summary>
/// Stops when the monitored figure has not improved for <c>patience</c> epochs; optionally restores the best weights.
/// As Keras's <c>start_from_epoch</c>, the first <c>startFromEpoch</c> epochs are not watched (neither counted nor
/// kept as best): a recurrent model over 187 steps can sit at the majority class for a few epochs before it learns.
/// </summary>
public sealed class EarlyStopping(Metric monitor = Metric.ValLoss, int patience = 3, double minDelta = 0, bool restoreBestWeights = true, int startFromEpoch = 0) : ICallback
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
        if (log.Epoch <= startFromEpoch) return false;
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
