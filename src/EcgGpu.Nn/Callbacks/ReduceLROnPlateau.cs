namespace EcgGpu.Nn;

/// <summary>
/// Multiplies the learning rate by <c>factor</c> when the monitored figure stalls for <c>patience</c> epochs; the first
/// <c>startFromEpoch</c> epochs are not watched (as <see cref="EarlyStopping"/>'s warm-up).
/// </summary>
public sealed class ReduceLROnPlateau(Metric monitor = Metric.ValLoss, float factor = 0.1f, int patience = 2, float minLearningRate = 0f, double minDelta = 1e-4, int startFromEpoch = 0) : ICallback
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
        if (log.Epoch <= startFromEpoch) return false;
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
