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
